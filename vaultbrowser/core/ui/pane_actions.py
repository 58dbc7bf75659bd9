"""``PaneActions``: what a kind's write actions over its tree pane share — actions that say
when read-only mode blocks them (label and tooltip), the selection with the connection's root
above it, running a write as a window task (``last_task``: tests await it) and awaiting a
dialog through ``window.dialogs`` (tests script them). A kind's actions hold one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext

RootT = TypeVar("RootT")


def read_only_reason(sends: str) -> str:
    """The tooltip of a write that read-only mode disables; ``sends`` is what is not sent
    (``request``, ``command``)."""
    return (f"Disabled: this connection is read-only, so vaultbrowser sends no {sends} that "
            "could change data.")


class PaneActions(QObject, Generic[RootT]):
    """Action plumbing for one tree pane whose connections' roots are ``root_type``;
    ``read_only`` is the tooltip of a write the connection may not send."""

    def __init__(self, window: WindowContext, pane: TreePane, root_type: type[RootT],
                 read_only: str) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        self.model = pane.model
        self.root_type = root_type
        self.read_only = read_only
        self.last_task: asyncio.Task[Any] | None = None

    def action(self, text: str, slot: Callable[[], None], tip: str) -> QAction:
        action = QAction(text, self)
        action.setProperty("label", text)
        action.setProperty("tip", tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def enable(self, action: QAction, applies: bool, writable: bool) -> None:
        """Enable a write when it applies and the connection may write; one that read-only
        mode blocks says so in its text (menus show no tooltips) and its tooltip."""
        action.setEnabled(applies and writable)
        label = str(action.property("label"))
        action.setText(label if writable else f"{label}  (read-only)")
        action.setToolTip(str(action.property("tip")) if writable else self.read_only)

    def root_of(self, index: QModelIndex) -> RootT | None:
        root = self.window.root_of(self.model, index) if index.isValid() else None
        return root if isinstance(root, self.root_type) else None

    def can_write(self, index: QModelIndex) -> bool:
        return self.window.can_write(self.root_of(index))

    def selection(self) -> tuple[QPersistentModelIndex, Any, RootT | None]:
        """The selected row, its record and its connection's root (nothing for a status
        row)."""
        index = self.pane.selected_source_index()
        if not index.isValid() or self.model.is_status_index(index):
            return QPersistentModelIndex(), None, None
        return QPersistentModelIndex(index), self.model.record_of(index), self.root_of(index)

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a write as a window task (a failure reaches the error dialog)."""
        task = self.window.run_task(coroutine)
        self.last_task = task
        return task

    async def ask(self, dialog: QDialog) -> bool:
        return await self.window.dialogs.wait(dialog) == QDialog.DialogCode.Accepted
