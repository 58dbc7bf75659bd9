"""What every Blob Storage action needs of the blob pane: its selection and the connection
above it, making write actions that say when read-only mode blocks them, running a write as a
window task, and changing rows after a write. ``BlobActions`` and ``BlobTransfers`` share one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.models.details import describe
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext

ACCEPTED = QDialog.DialogCode.Accepted
READ_ONLY_REASON = ("Disabled: this connection is read-only (audit mode), so vaultbrowser "
                    "sends no request that could change data.")


class BlobPaneTools(QObject):
    """The blob pane's shared action plumbing (``last_task``: the newest action's task)."""

    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, BlobTreeModel)
        self.model: BlobTreeModel = model
        self.last_task: asyncio.Task[Any] | None = None

    def action(self, text: str, slot: Callable[[], None], *, write: bool, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setProperty("write", write)
        action.setProperty("tip", tip)
        action.setProperty("label", text)
        action.triggered.connect(slot)
        return action

    def enable(self, action: QAction, applies: bool, writable: bool) -> None:
        """Enable ``action`` when it applies and (for a write) the connection may write;
        a write disabled by read-only mode says so in its tooltip."""
        blocked = bool(action.property("write")) and not writable
        action.setEnabled(applies and not blocked)
        # Menus show no tooltips: the text says it too.
        label = str(action.property("label"))
        action.setText(f"{label}  (read-only)" if blocked else label)
        tip = READ_ONLY_REASON if blocked else str(action.property("tip"))
        action.setToolTip(tip)
        action.setStatusTip(tip)

    def selection(self) -> QModelIndex:
        """The selected row's source index (invalid: nothing, or a status row)."""
        index = self.pane.selected_source_index()
        if index.isValid() and self.model.is_status_index(index):
            return QModelIndex()
        return index

    def root_of(self, index: QModelIndex) -> AccountRoot | None:
        root = self.window.root_of(self.model, index)
        return root if isinstance(root, AccountRoot) else None

    def can_write(self, index: QModelIndex) -> bool:
        return self.window.can_write(self.root_of(index))

    # --- running ---------------------------------------------------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run an action as a window task (failures reach the error dialog)."""
        task = self.window.run_task(coroutine)
        self.last_task = task
        return task

    def selected(self) -> QPersistentModelIndex:
        return QPersistentModelIndex(self.selection())

    async def ask(self, dialog: QDialog) -> bool:
        return await self.window.dialogs.wait(dialog) == ACCEPTED

    def service_of(self, index: QModelIndex | QPersistentModelIndex) -> Any:
        root = self.root_of(QModelIndex(index))
        assert root is not None
        return root.service

    def show_result(self, record: Any, response: ResponseInfo | None) -> None:
        """Show what a write returned (its record and HTTP response) in the detail pane."""
        self.window.show_details(describe(record, response))

    def show_summary(self, title: str, message: str, items: str) -> None:
        """A write of many items (an upload, a folder delete) in the detail pane: one
        request per item, so the responses are in the Activity panel, not here."""
        self.window.show_response(title, message, None)
        self.window.detail_pane.status_line.setText(
            f"One request per item ({items}): each one's response is in the Activity panel.")

    # --- changing rows after a write ----------------------------------------------------------

    def release_selection(self, index: QModelIndex, *, keep_self: bool) -> None:
        """Clear the selection when it is ``index``'s row (unless ``keep_self``) or below it:
        otherwise the view selects a neighbour when the rows go, and that row's GET would
        replace the write's response in the detail pane."""
        selected = self.selection()
        while selected.isValid():
            if selected == index:
                if not keep_self or selected != self.selection():
                    self.pane.view.selectionModel().clear()
                return
            selected = selected.parent()

    def remove_row(self, index: QPersistentModelIndex) -> None:
        """Take the row of something a write removed out of the tree (nothing re-listed)."""
        if not index.isValid():
            return
        self.release_selection(QModelIndex(index), keep_self=False)
        self.model.remove_record(QModelIndex(index))

    def refresh_node(self, index: QPersistentModelIndex) -> None:
        """List one container or folder again (if it has been listed) after a write."""
        if not index.isValid():
            return
        source = QModelIndex(index)
        node = self.model.node_of(source)
        if node.listing is None or not node.listing.started:
            return
        self.release_selection(source, keep_self=True)
        self.model.refresh(source)

