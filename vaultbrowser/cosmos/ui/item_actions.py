"""``CosmosItemActions``: the item writes of the window — create an item (JSON editor,
checked), edit one (replaced only if its ETag still matches: a concurrent change offers a
choice, never a silent overwrite), delete one (confirmed), upload a JSON file of items (a
preview of the count, then a report) — and "Query…" for a container.

Every write goes through the connection's service (so the activity panel sees it, and a
read-only connection's transport refuses it before sending) as a window task: a typed error
reaches the error dialog. Dialogs are awaited through ``window.dialogs`` (tests script them).
On a read-only connection the actions stay visible, disabled, and say why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from vaultbrowser.core.ui.common_dialogs import confirm_box
from vaultbrowser.core.ui.pane_actions import PaneActions, read_only_reason
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.cosmos.models import details as cosmos_details
from vaultbrowser.cosmos.models.cosmos_tree import CosmosTreeModel
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, ItemRow
from vaultbrowser.cosmos.ui.item_dialogs import ConflictChoice, ConflictDialog, ItemEditorDialog
from vaultbrowser.cosmos.ui.query_panel import QueryPanel

if TYPE_CHECKING:
    from types import ModuleType


def item_writes() -> ModuleType:
    """``services.items``, imported when first used: azure-cosmos loads when an account
    opens, not with the window."""
    from vaultbrowser.cosmos.services import items

    return items

class CosmosItemActions(QObject):
    """``choose_file``: asks for the JSON file to upload (a file dialog; tests replace it)."""

    def __init__(self, window: WindowContext, pane: TreePane, query: QueryPanel) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, CosmosTreeModel)
        self.model = model
        self.query = query
        self.tools = PaneActions(window, pane, CosmosRoot, read_only_reason("request"))
        self.last_upload: Any = None  # the newest upload's report (ItemUpload)
        self.choose_file: Callable[[], str | None] = self._file_dialog
        pane.action_providers.append(self.actions_for)
        pane.record_activated.connect(self._activated)

        self.query_action = self.tools.action("Query…", self.open_query,
                                              "Write a SQL query over this container's items")
        self.create_action = self.tools.action("New item…", self.create_item,
                                               "Create an item in this container (JSON)")
        self.upload_action = self.tools.action("Upload JSON file…", self.upload_file,
                                               "Create the items of a JSON file (an array or one "
                                               "object per line)")
        self.edit_action = self.tools.action("Edit item…", self.edit_item,
                                             "Edit the item's JSON (saved only if nobody changed "
                                             "it meanwhile)")
        self.delete_action = self.tools.action("Delete item…", self.delete_item, "Delete the item")

    @property
    def last_task(self) -> asyncio.Task[Any] | None:
        """The newest action's task (tests await it)."""
        return self.tools.last_task

    # --- which actions apply ------------------------------------------------------------------

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        record = self.model.record_of(index) if index.isValid() else None
        writable = self.tools.can_write(index)
        container = isinstance(record, ContainerRow)
        item = isinstance(record, ItemRow)
        self.query_action.setEnabled(container or item)
        for action in (self.create_action, self.upload_action):
            self.tools.enable(action, container or item, writable)
        for action in (self.edit_action, self.delete_action):
            self.tools.enable(action, item, writable)
        if item:
            return [self.query_action, None, self.edit_action, self.create_action,
                    self.upload_action, None, self.delete_action]
        if container:
            return [self.query_action, None, self.create_action, self.upload_action]
        return []

    def _container_of(self, index: QPersistentModelIndex) -> tuple[QModelIndex, ContainerRow]:
        node = self.model.container_index_of(self.model.node_of(QModelIndex(index)))
        assert node is not None and isinstance(node.record, ContainerRow)
        return self.model.index_of(node), node.record

    # --- the actions ------------------------------------------------------------------------

    def _activated(self, record: Any, index: QModelIndex) -> None:
        """Enter or a double-click on an item edits it (when the connection may write)."""
        if isinstance(record, ItemRow) and self.tools.can_write(index):
            self.edit_item()

    def open_query(self) -> None:
        index, record, root = self.tools.selection()
        if root is not None and isinstance(record, ContainerRow | ItemRow):
            self.query.show_for(root, self._container_of(index)[1])

    def create_item(self) -> None:
        index, record, root = self.tools.selection()
        if root is not None and isinstance(record, ContainerRow | ItemRow):
            self.tools.run(self._create_item(index, root))

    async def _create_item(self, index: QPersistentModelIndex, root: CosmosRoot) -> None:
        container_index, container = self._container_of(index)
        persistent = QPersistentModelIndex(container_index)
        template: dict[str, Any] = {"id": ""}
        for path in container.partition_key_paths:
            parts = path.strip("/").split("/")
            here = template
            for part in parts[:-1]:
                here = here.setdefault(part, {})
            here[parts[-1]] = ""
        dialog = ItemEditorDialog(self.pane, f"New item in {container.display_name}", template,
                                  container.partition_key_paths, "Create")
        if not await self.tools.ask(dialog):
            return
        service = await root.service.opened()
        created = await item_writes().create_item(service, container.record,
                                                 dialog.document())
        row = ItemRow(container.record, created.value)
        if persistent.isValid():
            self.model.refresh(QModelIndex(persistent))
        self.window.show_details(cosmos_details.describe_item(row, created.response))

    def edit_item(self) -> None:
        index, record, root = self.tools.selection()
        if root is not None and isinstance(record, ItemRow):
            self.tools.run(self._edit_item(index, record, root))

    async def _edit_item(self, index: QPersistentModelIndex, record: ItemRow,
                         root: CosmosRoot) -> None:
        service = await root.service.opened()
        dialog = ItemEditorDialog(self.pane, f"Edit {record.id}", record.user_document(),
                                  record.partition_key_paths)
        loaded = record.item
        writes = item_writes()
        while await self.tools.ask(dialog):
            document = dialog.document()
            try:
                saved = await writes.replace_item(service, record.container, loaded, document)
            except writes.ItemChanged as changed:
                choice = await self._conflict(record.id)
                if choice is ConflictChoice.KEEP_EDITING:
                    continue  # the same dialog, the user's text kept
                if choice is ConflictChoice.RELOAD:
                    if changed.current is None:
                        self._gone(index, record)
                    else:
                        self._show_row(index, ItemRow(record.container, changed.current), None)
                    return
                # Overwrite, deliberately: against the version the user was just told of
                if changed.current is None:
                    saved = await writes.create_item(service, record.container, document)
                else:
                    loaded = changed.current
                    saved = await writes.replace_item(service, record.container, loaded, document)
            self._show_row(index, ItemRow(record.container, saved.value), saved.response)
            return

    def _gone(self, index: QPersistentModelIndex, record: ItemRow) -> None:
        if index.isValid():
            self.pane.view.selectionModel().clear()
            self.model.remove_record(QModelIndex(index))
        self.window.show_response("Item deleted meanwhile",
                                  f"{record.id} was deleted by someone else.", None)

    async def _conflict(self, item_id: str) -> ConflictChoice:
        box = ConflictDialog(self.pane, item_id)
        await self.window.dialogs.wait(box)
        return box.choice

    def _show_row(self, index: QPersistentModelIndex, row: ItemRow, response: Any) -> None:
        if index.isValid():
            self.model.update_record(QModelIndex(index), row)
        self.window.show_details(cosmos_details.describe_item(row, response))

    def delete_item(self) -> None:
        index, record, root = self.tools.selection()
        if root is not None and isinstance(record, ItemRow):
            self.tools.run(self._delete_item(index, record, root))

    async def _delete_item(self, index: QPersistentModelIndex, record: ItemRow,
                           root: CosmosRoot) -> None:
        box = confirm_box(self.pane, "Delete item",
                          f"Delete {record.id} (partition key {record.partition_key_text}) "
                          f"from {record.database}/{record.container.id}? This cannot be "
                          "undone.", "Delete")
        if not await self.tools.ask(box):
            return
        service = await root.service.opened()
        deleted = await item_writes().delete_item(service, record.container, record.item)
        if index.isValid():
            self.pane.view.selectionModel().clear()
            self.model.remove_record(QModelIndex(index))
        self.window.show_response("Item deleted", f"{record.id} was deleted.",
                                  deleted.response)

    def upload_file(self) -> None:
        index, record, root = self.tools.selection()
        if root is not None and isinstance(record, ContainerRow | ItemRow):
            path = self.choose_file()
            if path:
                self.tools.run(self._upload(index, root, Path(path)))

    def _file_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.pane, "Upload a JSON file of items", "",
                                              "JSON (*.json *.jsonl *.ndjson);;All files (*)")
        return path or None

    async def _upload(self, index: QPersistentModelIndex, root: CosmosRoot,
                      path: Path) -> None:
        from vaultbrowser.cosmos.services.uploads import ItemUpload, read_upload

        container_index, container = self._container_of(index)
        persistent = QPersistentModelIndex(container_index)
        # Checked whole before anything is sent: a bad item refuses the file (its number said)
        documents = await read_upload(path, container.record)
        box = confirm_box(self.pane, "Upload items",
                          f"Create {len(documents):,} items from {path.name} in "
                          f"{container.display_name}? Existing ids are reported, never "
                          "overwritten.", "Upload")
        if not await self.tools.ask(box):
            return
        service = await root.service.opened()
        status = self.window.statusBar()
        upload = ItemUpload(service, container.record, documents, progress=lambda done, total:
                            status.showMessage(f"Uploading {path.name}… {done:,} of {total:,}"))
        try:
            await upload.run()
        finally:
            self.last_upload = upload
            if persistent.isValid():
                self.model.refresh(QModelIndex(persistent))
        failed = "".join(f"\n• {failure.id}: {failure.error.message}"
                         for failure in upload.failed[:10])
        more = len(upload.failed) - 10
        status.showMessage(upload.summary(), 8000)
        self.window.show_response("Items uploaded", upload.summary() + failed + (
            f"\n… and {more:,} more failed" if more > 0 else ""), None)
