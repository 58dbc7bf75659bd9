"""Turn asyncio's and aiohttp's quiet complaints into test failures.

"Task was destroyed but it is pending!", "Unclosed client session", "Unclosed connector" and
un-awaited coroutines are reported through the loop's exception handler, ``ResourceWarning`` /
``RuntimeWarning`` and the ``asyncio`` logger, never raised: ``Hygiene`` records all three
while installed and ``check()`` (after a full collection) fails on any of them.

Only warnings raised on the test's own thread count: the emulator and the TCP proxy run their
own loops in threads (test infrastructure, not the app), and their sockets' finalizers may run
at any moment.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import warnings
from typing import Any

_COMPLAINTS = ("task was destroyed", "unclosed", "never awaited", "exception was never retrieved")


class Hygiene(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.problems: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Any = None
        self._warnings: Any = None
        self._thread = threading.current_thread()

    def install(self, loop: asyncio.AbstractEventLoop) -> Hygiene:
        gc.collect()  # earlier tests' garbage is not ours to blame
        self._loop = loop
        self._previous = loop.get_exception_handler()
        loop.set_exception_handler(self._on_loop_exception)
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("always")
        warnings.showwarning = self._on_warning
        for name in ("asyncio", "aiohttp"):
            logging.getLogger(name).addHandler(self)
        return self

    def _on_loop_exception(self, _loop: Any, context: dict[str, Any]) -> None:
        self.problems.append(f"loop: {context.get('message')} {context.get('exception')!r}")

    def _on_warning(self, message: Warning | str, category: type[Warning], *_: Any,
                    **__: Any) -> None:
        if threading.current_thread() is not self._thread:
            return
        if issubclass(category, ResourceWarning | RuntimeWarning) and _complaint(str(message)):
            self.problems.append(f"warning: {message}")

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING and _complaint(record.getMessage()):
            self.problems.append(f"log {record.name}: {record.getMessage()}")

    def check(self) -> None:
        """Collect garbage (destructors complain now), uninstall, and fail on any complaint."""
        for _ in range(3):
            gc.collect()
        self.uninstall()
        assert self.problems == [], "\n".join(self.problems)

    def uninstall(self) -> None:
        if self._loop is not None:
            self._loop.set_exception_handler(self._previous)
            self._loop = None
        if self._warnings is not None:
            self._warnings.__exit__(None, None, None)
            self._warnings = None
        for name in ("asyncio", "aiohttp"):
            logging.getLogger(name).removeHandler(self)


def _complaint(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _COMPLAINTS)
