"""Running the ARM emulator on its own event loop in a daemon thread (for sync SDK clients,
and async ones on the test's own loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.world import World


@contextmanager
def run_arm_emulator_in_thread(
    world: World, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> Iterator[ArmEmulator]:
    """Start an :class:`ArmEmulator` serving ``world`` (``kwargs`` go to its constructor) on a
    private loop in a daemon thread; stop it and the loop when the block exits.

    Raises:
        Exception: whatever starting the server raised (e.g. the port is taken).
    """
    emulator = ArmEmulator(world, **kwargs)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="arm-emulator", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(emulator.start(host, port), loop).result(timeout=30)
        yield emulator
    finally:
        try:
            asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
