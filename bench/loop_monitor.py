"""``LoopStallMonitor``: the longest time the event loop could not run a ready callback."""

from __future__ import annotations

import asyncio
import time


class LoopStallMonitor:
    """A heartbeat task that sleeps ``interval`` and records how late it wakes up.

    Use as ``with LoopStallMonitor() as monitor: ...`` inside a running loop; read
    ``monitor.max_stall`` (seconds) afterwards.
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.max_stall = max(self.max_stall, time.perf_counter() - start - self.interval)

    def __enter__(self) -> LoopStallMonitor:
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    def __exit__(self, *args: object) -> None:
        assert self._task is not None
        self._task.cancel()
