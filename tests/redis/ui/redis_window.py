"""The main window with a Redis connection to a real local server, for the UI tests: dialogs
answered by a script, helpers to list, select and wait (``tests/kind_window.py``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex

from tests.kind_window import KindWindow
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow


class RedisWindow(KindWindow):
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        super().__init__(window, reporter, "redis", "Redis keys")
        self.viewer = self.view.value_viewer

    async def connect(self, port: int, *, read_only: bool = False,
                      name: str = "local redis") -> QModelIndex:
        return await self.connected(Connection(
            "redis", f"redis://127.0.0.1:{port}", AuthMethod.LOCAL_EMULATOR, name=name,
            read_only=read_only))

    async def row(self, parent: QModelIndex, *path: str) -> QModelIndex:
        """The row at ``path`` below ``parent`` (each namespace listed on the way)."""
        here = parent
        for text in path:
            await self.listed(here)
            found = [self.model.index(r, 0, here) for r in range(self.model.rowCount(here))
                     if self.model.index(r, 0, here).data() == text]
            assert found, f"{text!r} not in {self.names(here)}"
            here = found[0]
        return here

    async def select(self, index: QModelIndex, pane: Any = None) -> Details:
        """Select a row as a click would; its details once loaded (and the value's first
        piece read)."""
        details = await super().select(index, pane)
        assert self.pane.selected_source_index() == index
        await self.viewer.wait_idle()
        return details

    async def trigger(self, action: Any) -> Any:
        result = await super().trigger(action)
        await self.viewer.wait_idle()
        return result
