"""The main window shown with one kind's pane, for that kind's UI tests (Redis, Cosmos DB):
dialogs answered by a script, helpers to list, select, wait and trigger actions. A kind's
harness adds what is its own (how it connects, its viewer)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog

from vaultbrowser.app import KINDS
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.session import ServiceSession
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


@contextmanager
def shown_window(loop: asyncio.AbstractEventLoop) -> Iterator[tuple[MainWindow, ErrorReporter]]:
    """The app's window (every kind) shown at 1280×800 with a non-modal error reporter;
    closed after the block."""
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), kinds=KINDS, reporter=reporter)
    window.resize(1280, 800)
    window.show()
    try:
        yield window, reporter
    finally:
        loop.run_until_complete(window.aclose())
        reporter.close_all()
        window.deleteLater()


class KindWindow:
    """The window on the tab of kind ``kind_name`` whose pane is titled ``pane_title``:
    ``errors`` the error dialogs shown, ``details`` every Details shown, ``actions`` the
    view's write actions (with ``last_task``)."""

    def __init__(self, window: MainWindow, reporter: ErrorReporter, kind_name: str,
                 pane_title: str) -> None:
        self.window = window
        self.reporter = reporter
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(self.errors.append)
        self.details: list[Details] = []
        window.details_shown.connect(self.details.append)
        self.dialogs = ScriptedDialogs()
        window.dialogs = self.dialogs
        self.view = window.view(kind_name)
        self.pane = window.show_pane(pane_title)
        self.model = self.pane.model
        self.actions = self.view.actions

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.02)

    async def first_page(self, index: QModelIndex) -> None:
        node = self.model.node_of(index)
        if not node.listing.listed and node.listing.task is None:
            self.model.fetchMore(index)
        await self.model.wait_idle()

    async def listed(self, index: QModelIndex) -> None:
        """``index``'s node listed to the end."""
        await self.first_page(index)
        if self.model.canFetchMore(index):
            self.model.load_all(index)
            await self.model.wait_idle()

    async def connected(self, connection: Any) -> QModelIndex:
        """``connection`` opened: its root row, listed."""
        assert await self.window.open_connection(connection)
        root = self.model.index(self.model.rowCount() - 1, 0)
        await self.listed(root)
        return root

    def names(self, parent: QModelIndex) -> list[str]:
        return [self.model.index(r, 0, parent).data() for r in range(self.model.rowCount(parent))
                if self.model.index(r, 0, parent).data(STATUS_ROLE) is None]

    async def select(self, index: QModelIndex, pane: Any = None) -> Details:
        """Select a row as a click would; its details once loaded."""
        pane = pane or self.pane
        before = len(self.details)
        if pane is self.pane:
            self.window.reveal(pane, index)
        else:
            pane.select_source(index)
        await self.wait_for(lambda: len(self.details) > before)
        return self.details[-1]

    async def trigger(self, action: Any) -> Any:
        """Trigger an enabled action and await the task it started (and the tree after)."""
        assert action.isEnabled(), action.toolTip()
        before = self.actions.last_task
        action.trigger()
        task = self.actions.last_task
        assert task is not None and task is not before, "the action started no task"
        result = await task
        await asyncio.sleep(0.05)
        await self.model.wait_idle()
        return result

    def refresh_actions(self) -> None:
        self.actions.actions_for(self.pane.selected_source_index())
