"""``WindowTasks``: the asyncio tasks a window owns.

A task nobody holds can vanish mid-flight, so the window holds each one until it is done; a
failure goes to the error reporter (typed errors get their dialog, others are bugs); closing the
window cancels them all and waits for them to end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


class WindowTasks:
    """``report`` is told every exception a task ends with (cancellation is silent)."""

    def __init__(self, report: Callable[[BaseException], None]) -> None:
        self._report = report
        self.running: set[asyncio.Task[Any]] = set()  # every task not yet done

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self.running.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.running.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self._report(error)

    async def cancel_all(self) -> None:
        """Cancel every running task and wait until each has ended."""
        tasks = list(self.running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
