"""Concurrency helpers shared by multi-blob deletes and transfers (SDK-free)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def run_workers(worker: Callable[[], Awaitable[None]], count: int) -> None:
    """Run ``count`` copies of ``worker`` concurrently until all return.

    The first exception (or a cancellation of the caller) cancels the others, waits until they
    have all finished, then propagates: no worker outlives this call.
    """
    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, count))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            # A task that gather already cancelled is cleaning up: a second cancel would
            # interrupt its clean-up (e.g. removing a temporary file).
            if not task.done() and not task.cancelling():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
