"""``BlobActions``: the Blob Storage write actions of the window (containers, uploads,
downloads, deletes, metadata, tags, SAS).

Built by the blob view (``view.BlobView``); adds its actions to the blob pane's menus (see
``TreePane.action_providers``) and its Upload button and "Show deleted" box to the pane's top
bar. Every write runs through the service layer as a window task (``window.run_task``: a typed
error reaches the error dialog), shows its result and response in the detail pane, and
refreshes only the affected node. Dialogs are answered through ``window.dialogs`` (awaited from
inside the task), so tests script them. Uploads and downloads live in ``BlobTransfers``
(``ui/blob_transfers.py``).

On a read-only connection the write actions stay visible but disabled, and say why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.services.rules import (
    validate_container_name,
    validate_metadata,
    validate_tags,
)
from vaultbrowser.blob.ui.blob_dialogs import (
    CreateContainerDialog,
    DeleteBlobDialog,
    FolderDeleteDialog,
    KeyValueDialog,
)
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.blob_transfers import BlobTransfers
from vaultbrowser.blob.ui.blob_urls import BlobUrlActions
from vaultbrowser.blob.ui.history.history_tier_actions import BlobHistoryTierActions
from vaultbrowser.blob.ui.preview.blob_preview import BlobPreview
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.ui.common_dialogs import TypedNameDialog
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext

METADATA_RULES = ("Names: letters, digits and underscores, not starting with a digit (case is "
                  "ignored). Values: printable ASCII. 8 KiB in all.")
TAG_RULES = ("At most 10 tags. Names 1–128 and values up to 256 characters of letters, "
             "digits, spaces and + - . / : = _")
def _check_pairs(validate: Callable[[dict[str, str]], object]) -> Callable[[dict[str, str]],
                                                                           None]:
    def check(pairs: dict[str, str]) -> None:
        validate(pairs)
    return check


class BlobActions(QObject):
    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        self.tools = tools = BlobPaneTools(window, pane)
        self.model = tools.model
        self.pane.action_providers.append(self.actions_for)

        self.create_container_action = self.tools.action(
            "Create container…", self._on_create_container, write=True,
            tip="Create a container in this storage account")
        self.delete_container_action = self.tools.action(
            "Delete container…", self._on_delete_container, write=True,
            tip="Delete the container and every blob in it (asks you to type its name)")
        self.delete_action = self.tools.action(
            "Delete…", self._on_delete, write=True,
            tip="Delete the blob, or every blob of the folder (listed first)")
        self.undelete_action = self.tools.action(
            "Undelete", self._on_undelete, write=True, tip="Restore the soft-deleted blob")
        self.metadata_action = self.tools.action(
            "Edit metadata…", self._on_edit_metadata, write=True,
            tip="Edit the name/value metadata")
        self.tags_action = self.tools.action(
            "Edit tags…", self._on_edit_tags, write=True, tip="Edit the blob's index tags")
        self.urls = BlobUrlActions(window, tools)  # Copy URL, Generate SAS URL…
        self.copy_url_action = self.urls.copy_url_action
        self.sas_action = self.urls.sas_action
        # The main actions carry an icon: the toolbar shows those for the selection.
        for action, which in ((self.create_container_action, Icon.NEW),
                              (self.delete_container_action, Icon.DELETE),
                              (self.delete_action, Icon.DELETE),
                              (self.undelete_action, Icon.RECOVER),
                              (self.copy_url_action, Icon.COPY)):
            action.setIcon(icon(which))

        self.transfers = BlobTransfers(tools)
        self.history_tiers = BlobHistoryTierActions(tools)  # versions, snapshots, tiers
        self.preview = BlobPreview(tools)  # the Preview panel, F3 / F4

        self.deleted_check = QCheckBox("Show deleted")
        self.deleted_check.setToolTip("Also list soft-deleted blobs (greyed, with the time "
                                      "they were deleted); select one to undelete it")
        self.deleted_check.toggled.connect(self.model.set_show_deleted)
        self.pane.add_top_widget(self.deleted_check)
        self.pane.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.rowsInserted.connect(self._on_selection)
        self._on_selection()

    # --- actions and their state ---------------------------------------------------------------

    def _on_selection(self, *_args: object) -> None:
        index = self.tools.selection()
        self.actions_for(index)
        self.transfers.update_actions(index)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        """The blob pane's write actions for the row at ``index`` (enabled to suit it)."""
        record = self.model.record_of(index)
        if record is None:
            self.transfers.update_actions(index)
            return []
        writable = self.tools.can_write(index)
        is_container = isinstance(record, ContainerRecord)
        is_folder = isinstance(record, BlobPrefixRecord)
        is_blob = isinstance(record, BlobRecord)
        live_blob = is_blob and not record.deleted
        self.tools.enable(self.create_container_action, True, writable)
        self.tools.enable(self.delete_container_action, is_container, writable)
        self.tools.enable(self.delete_action, is_folder or live_blob, writable)
        self.tools.enable(self.undelete_action, is_blob and record.deleted, writable)
        self.tools.enable(self.metadata_action, is_container or live_blob, writable)
        self.tools.enable(self.tags_action, live_blob, writable)
        self.urls.update_actions(index, is_container or live_blob, writable)
        transfer = self.transfers.actions_for(index)
        history_tiers = self.history_tiers.actions_for(index)
        if isinstance(record, AccountRoot):
            return [self.create_container_action]
        if is_container:
            return [*transfer, None, self.create_container_action,
                    self.delete_container_action, None, self.metadata_action,
                    self.copy_url_action, self.sas_action]
        if is_folder:
            return [*transfer, None, self.delete_action, None, *history_tiers]
        if is_blob and record.deleted:
            return [self.undelete_action]
        self.preview.update_actions(index)
        return [*transfer, self.preview.preview_action, self.preview.edit_action, None,
                self.delete_action, None, self.metadata_action,
                self.tags_action, None, *history_tiers, None, self.copy_url_action,
                self.sas_action]

    # --- containers ------------------------------------------------------------------------------

    def _on_create_container(self) -> None:
        index = self.tools.selection()
        while index.isValid() and index.parent().isValid():
            index = index.parent()
        if not index.isValid() and self.model.rowCount() == 1:
            index = self.model.index(0, 0)
        if index.isValid():
            self.tools.run(self.create_container(QPersistentModelIndex(index)))

    async def create_container(self, account: QPersistentModelIndex) -> ContainerRecord | None:
        root = self.model.record_of(account)
        assert isinstance(root, AccountRoot)
        dialog = CreateContainerDialog(self.window, root.label, validate_container_name)
        if not await self.tools.ask(dialog):
            return None
        result = await root.service.containers.create_container(dialog.name(),
                                                     public_access=dialog.public_access())
        self.tools.show_result(result.value, result.response)
        if account.isValid():
            row = self.model.insert_record(QModelIndex(account), result.value)
            if row.isValid():
                # Shown, not selected: selecting would replace the create's response with a GET.
                self.pane.view.scrollTo(self.pane.proxy.mapFromSource(row))
        return result.value

    def _on_delete_container(self) -> None:
        self.tools.run(self.delete_container(self.tools.selected()))

    async def delete_container(self, index: QPersistentModelIndex) -> bool:
        record = self.model.record_of(index)
        assert isinstance(record, ContainerRecord)
        service = self.tools.service_of(index)
        dialog = TypedNameDialog(
            self.window, "Delete container",
            f"Delete the container “{record.name}” and every blob in it? The account may "
            "keep deleted containers for a while (container soft delete); otherwise this "
            "cannot be undone.", record.name, "Delete container")
        if not await self.tools.ask(dialog):
            return False
        result = await service.containers.delete_container(record.name, typed_name=dialog.typed())
        self.tools.remove_row(index)
        self.window.show_response("Container deleted",
                                  f"The container “{record.name}” was deleted.",
                                  result.response)
        return True

    # --- deletes ---------------------------------------------------------------------------------

    def _on_delete(self) -> None:
        index = self.tools.selected()
        record = self.model.record_of(index)
        if isinstance(record, BlobPrefixRecord):
            self.tools.run(self.delete_folder(index))
        elif isinstance(record, BlobRecord):
            self.tools.run(self.delete_blob(index))

    async def delete_blob(self, index: QPersistentModelIndex) -> bool:
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord)
        dialog = DeleteBlobDialog(self.window, record.container, record.name)
        if not await self.tools.ask(dialog):
            return False
        result = await self.tools.service_of(index).deletes.delete_blob(
            record.container, record.name, include_snapshots=dialog.include_snapshots())
        self.tools.remove_row(index)
        self.window.show_response(
            "Blob deleted", f"“{record.name}” was deleted from “{record.container}”"
            + (" with its snapshots." if dialog.include_snapshots() else "."), result.response)
        return True

    async def delete_folder(self, index: QPersistentModelIndex) -> Any:
        """List exactly what the folder holds, show the count, delete exactly those blobs."""
        record = self.model.record_of(index)
        assert isinstance(record, BlobPrefixRecord)
        service = self.tools.service_of(index)
        self.window.statusBar().showMessage(f"Listing “{record.prefix}”…")
        blobs = await service.deletes.list_folder_contents(record.container, record.prefix)
        self.window.statusBar().clearMessage()
        dialog = FolderDeleteDialog(self.window, record.container, record.prefix,
                                    [blob.name for blob in blobs])
        if not await self.tools.ask(dialog):
            return None
        job = self.transfers.panel.add(
            "Delete", f"{len(blobs):,} blobs in {record.container}/{record.prefix}")
        self.transfers.show_panel()

        def progress(done: int, total: int) -> None:
            job.update(_Count(done, total))

        job.task = asyncio.current_task()
        report = await service.deletes.delete_blobs(record.container, blobs,
                                            include_snapshots=dialog.include_snapshots(),
                                            on_progress=progress)
        job.complete(_DeleteSummary(report))
        failed = len(report.failed)
        message = (f"{len(report.deleted):,} of {len(blobs):,} blobs under “{record.prefix}” "
                   f"were deleted from “{record.container}”.")
        if failed:
            name, error = report.failed[0]
            message += f" {failed:,} failed (e.g. “{name}”: {error.message})."
        if report.cancelled:
            message += " Cancelled: the rest were not deleted."
        if failed or report.cancelled:
            self.tools.refresh_node(index)
        else:
            self.tools.remove_row(index)
        self.tools.show_summary("Folder deleted" if not failed and not report.cancelled
                          else "Folder partly deleted", message, f"{len(blobs):,} blobs")
        if failed:
            raise report.failed[0][1]
        return report

    def _on_undelete(self) -> None:
        self.tools.run(self.undelete(self.tools.selected()))

    async def undelete(self, index: QPersistentModelIndex) -> bool:
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord) and record.deleted
        service = self.tools.service_of(index)
        result = await service.deletes.undelete_blob(record.container, record.name)
        if index.isValid():
            # The deleted row and the live one change together: list the folder again.
            self.tools.refresh_node(QPersistentModelIndex(QModelIndex(index).parent()))
        self.window.show_response("Blob undeleted",
                                  f"“{record.name}” was restored in “{record.container}”.",
                                  result.response)
        return True

    # --- metadata and tags ---------------------------------------------------------------------

    def _on_edit_metadata(self) -> None:
        self.tools.run(self.edit_metadata(self.tools.selected()))

    async def edit_metadata(self, index: QPersistentModelIndex) -> bool:
        record = self.model.record_of(index)
        service = self.tools.service_of(index)
        if isinstance(record, ContainerRecord):
            current = await service.get_container_properties(record.name)
            target = f"Metadata of the container “{record.name}”"
        else:
            assert isinstance(record, BlobRecord)
            current = await service.get_blob_properties(record.container, record.name)
            target = f"Metadata of “{record.name}” in “{record.container}”"
        dialog = KeyValueDialog(self.window, "Edit metadata", target, "metadata entry",
                                current.value.metadata, _check_pairs(validate_metadata),
                                METADATA_RULES)
        if not await self.tools.ask(dialog):
            return False
        if isinstance(record, ContainerRecord):
            result = await service.containers.set_container_metadata(record.name, dialog.pairs())
        else:
            result = await service.metadata.set_blob_metadata(record.container, record.name,
                                                     dialog.pairs(), etag=current.value.etag)
        self.tools.show_result(result.value, result.response)
        if index.isValid():
            self.model.update_record(QModelIndex(index), result.value)
        return True

    def _on_edit_tags(self) -> None:
        self.tools.run(self.edit_tags(self.tools.selected()))

    async def edit_tags(self, index: QPersistentModelIndex) -> bool:
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord)
        service = self.tools.service_of(index)
        current = await service.get_blob_tags(record.container, record.name)
        dialog = KeyValueDialog(self.window, "Edit tags",
                                f"Index tags of “{record.name}” in “{record.container}”",
                                "tag", current.value, _check_pairs(validate_tags), TAG_RULES)
        if not await self.tools.ask(dialog):
            return False
        result = await service.metadata.set_blob_tags(record.container, record.name, dialog.pairs())
        updated = replace(record, tags=dict(result.value), tag_count=len(result.value))
        self.tools.show_result(updated, result.response)
        if index.isValid():
            self.model.update_record(QModelIndex(index), updated)
        return True

class _Count:
    """A folder delete's progress, shaped like ``TransferProgress`` for the panel."""

    def __init__(self, done: int, total: int) -> None:
        self.files_done, self.files_total = done, total
        self.bytes_done, self.bytes_total = done, total
        self.current_name = None
        self.current_bytes = self.current_total = 0


class _DeleteSummary:
    """A ``DeleteReport`` shaped like ``TransferReport`` for the panel."""

    def __init__(self, report: Any) -> None:
        self.done = report.deleted
        self.skipped = ()
        self.failed = report.failed
        self.cancelled = report.cancelled
