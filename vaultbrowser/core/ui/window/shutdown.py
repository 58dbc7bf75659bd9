"""``WindowShutdown``: how the window closes.

Qt's first close event is refused: the window remembers where the user was, hides, and closes
every task, client and session while the loop still runs (waiting for ``aboutToQuit`` is too
late); then it closes for real and emits ``closed``, on which the app's loop ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtGui import QCloseEvent


class WindowShutdown:
    """``window`` is the ``MainWindow`` (this module does not import it); ``on_closed`` is the
    first closing step, awaited after the window's clients and sessions are closed."""

    def __init__(self, window: Any, on_closed: Callable[[], Awaitable[None]] | None) -> None:
        self._window = window
        self._steps: list[Callable[[], Awaitable[None]]] = (
            [on_closed] if on_closed is not None else [])
        self._closing = False
        self.closed = False  # True once the window may really close
        self.task: asyncio.Task[None] | None = None  # the shutdown, once a close started it

    def add_step(self, step: Callable[[], Awaitable[None]]) -> None:
        """Await ``step`` when the window closes, after its clients (a demo started later)."""
        self._steps.append(step)

    def close_requested(self, event: QCloseEvent) -> None:
        """The window's ``closeEvent``."""
        if self.closed:
            event.accept()
            return
        event.ignore()
        if not self._closing:
            self._closing = True
            window = self._window
            window.quick_access.remember_last()
            window.state.save()
            window.hide()
            self.task = asyncio.ensure_future(self._shut_down())

    async def _shut_down(self) -> None:
        await self.aclose()
        self.closed = True
        self._window.close()
        self._window.closed.emit()

    async def aclose(self) -> None:
        """Cancel every task, close clients and sessions, then run the closing steps (each
        once). Safe to await twice."""
        window = self._window
        window.detail_pane.hide_value()
        for pane in window.panes:
            pane.model.cancel_all()
        await window.tasks.cancel_all()
        for pane in window.panes:
            await pane.model.wait_idle()
        window.activity_model.close()
        await window.session.aclose()
        steps, self._steps = self._steps, []
        for step in steps:
            await step()
