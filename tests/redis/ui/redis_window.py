"""The main window with a Redis connection to a real local server, for the UI tests: dialogs
answered by a script, helpers to list, select and wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog

from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.ui.common_dialogs import DialogRunner
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

ACCEPTED = QDialog.DialogCode.Accepted
REJECTED = QDialog.DialogCode.Rejected
Handler = Callable[[Any], None]


class ScriptedDialogs(DialogRunner):
    """Answers dialogs in order: ``expect(type, handler)`` answers the next one of that type
    (the handler fills it in and accepts or rejects)."""

    def __init__(self) -> None:
        self.script: list[tuple[type, Handler]] = []
        self.seen: list[QDialog] = []

    def expect(self, kind: type, handler: Handler) -> None:
        self.script.append((kind, handler))

    def run(self, dialog: QDialog) -> bool:
        return self._answer(dialog) == ACCEPTED

    async def wait(self, dialog: QDialog) -> int:
        await asyncio.sleep(0)
        return self._answer(dialog)

    def _answer(self, dialog: QDialog) -> int:
        self.seen.append(dialog)
        assert self.script and isinstance(dialog, self.script[0][0]), (
            f"unexpected {type(dialog).__name__}")
        _kind, handler = self.script.pop(0)
        handler(dialog)
        if dialog.result() not in (ACCEPTED, REJECTED) or dialog.isVisible():
            dialog.reject()
        return dialog.result()


class RedisWindow:
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        self.window = window
        self.reporter = reporter
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(self.errors.append)
        self.details: list[Details] = []
        window.details_shown.connect(self.details.append)
        self.dialogs = ScriptedDialogs()
        window.dialogs = self.dialogs
        self.view = window.view("redis")
        self.pane = window.show_pane("Redis keys")
        self.model = self.pane.model
        self.viewer = self.view.value_viewer
        self.actions = self.view.actions

    async def connect(self, port: int, *, read_only: bool = False,
                      name: str = "local redis") -> QModelIndex:
        connection = Connection("redis", f"redis://127.0.0.1:{port}", AuthMethod.LOCAL_EMULATOR,
                                name=name, read_only=read_only)
        assert await self.window.open_connection(connection)
        root = self.model.index(self.model.rowCount() - 1, 0)
        await self.listed(root)
        return root

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.02)

    async def listed(self, index: QModelIndex) -> None:
        """``index``'s node listed to the end."""
        node = self.model.node_of(index)
        if not node.listing.listed and node.listing.task is None:
            self.model.fetchMore(index)
        await self.model.wait_idle()
        if self.model.canFetchMore(index):
            self.model.load_all(index)
            await self.model.wait_idle()

    def names(self, parent: QModelIndex) -> list[str]:
        return [self.model.index(r, 0, parent).data() for r in range(self.model.rowCount(parent))
                if self.model.index(r, 0, parent).data(STATUS_ROLE) is None]

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

    async def select(self, index: QModelIndex) -> Details:
        """Select a row as a click would; its details once loaded (and the value's first
        piece read)."""
        before = len(self.details)
        self.window.reveal(self.pane, index)
        assert self.pane.selected_source_index() == index
        await self.wait_for(lambda: len(self.details) > before)
        await self.viewer.wait_idle()
        return self.details[-1]

    async def trigger(self, action: Any) -> Any:
        assert action.isEnabled(), action.toolTip()
        before = self.actions.last_task
        action.trigger()
        task = self.actions.last_task
        assert task is not None and task is not before, "the action started no task"
        result = await task
        await asyncio.sleep(0.05)
        await self.model.wait_idle()
        await self.viewer.wait_idle()
        return result

    def refresh_actions(self) -> None:
        self.actions.actions_for(self.pane.selected_source_index())
