"""``BlobHistoryTierActions``: a blob's versions and snapshots, and access tiers, in the window.

"Versions and snapshots…" on a blob lists its history (one List Blobs, lazily: only when asked)
in ``BlobHistoryDialog``; the chosen entry's properties go to the detail pane, its first bytes to
a preview, its bytes to a file; promote and delete ask first, naming the entry. The list shows
again after each step until it is closed. "Change access tier…" on a blob or a folder (every
blob under it: one Blob Batch per 256) asks for the tier in ``TierDialog``.

Writes are disabled on read-only connections (and refused by the transport regardless).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from vaultbrowser.blob.models.details import describe
from vaultbrowser.blob.services.previews.formats import prepare_preview
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.blob.services.writes.tiers import TierReport, failure_text
from vaultbrowser.blob.services.writes.versions import BlobHistory
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.history.history_dialogs import (
    DELETE,
    DOWNLOAD,
    PREVIEW,
    PROMOTE,
    PROPERTIES,
    SNAPSHOT,
    BlobHistoryDialog,
    EntryPreviewDialog,
    TierDialog,
    entry_label,
)
from vaultbrowser.core.audit.trail import latest_identity
from vaultbrowser.core.services.errors import LocalFileError, ServiceError
from vaultbrowser.core.ui.common_dialogs import confirm_box

PREVIEW_FALLBACK_BYTES = 4 * 1024 * 1024


class BlobHistoryTierActions(QObject):
    def __init__(self, tools: BlobPaneTools) -> None:
        super().__init__(tools)
        self.tools = tools
        self.window = tools.window
        self.model = tools.model
        self.history_action = tools.action(
            "Versions and snapshots…", self._on_history, write=False,
            tip="List the blob's snapshots and previous versions: preview, download, "
                "promote one to current, delete")
        self.tier_action = tools.action(
            "Change access tier…", self._on_tier, write=True,
            tip="Hot, Cool, Cold or Archive for the blob, or every blob of the folder")
        # Where a download of a snapshot or version goes (tests replace it).
        self.choose_save_file = self._ask_save_file

    def actions_for(self, index: QModelIndex) -> list[QAction]:
        record = self.model.record_of(index)
        writable = self.tools.can_write(index)
        live_blob = isinstance(record, BlobRecord) and not record.deleted and not (
            record.snapshot or record.version_id)
        folder = isinstance(record, BlobPrefixRecord)
        self.tools.enable(self.history_action, live_blob, writable)
        self.tools.enable(self.tier_action, live_blob or folder, writable)
        if live_blob:
            return [self.history_action, self.tier_action]
        return [self.tier_action] if folder else []

    # --- versions and snapshots ------------------------------------------------------------------

    def _on_history(self) -> None:
        index = self.tools.selection()
        if isinstance(self.model.record_of(index), BlobRecord):
            self.tools.run(self.show_history(QPersistentModelIndex(index)))

    async def show_history(self, index: QPersistentModelIndex) -> None:
        """The history dialog of the blob at ``index``, again after each chosen step."""
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord)
        service = self.tools.service_of(index)
        writable = self.tools.can_write(QModelIndex(index))
        while True:
            history = await service.versions.list_history(record.container, record.name)
            dialog = BlobHistoryDialog(self.window, history, writable=writable)
            if not await self.tools.ask(dialog) or dialog.operation is None:
                return
            entry = dialog.entry
            if dialog.operation == SNAPSHOT:
                made = await service.versions.create_snapshot(history.container, history.name)
                self.tools.show_result(made.value, made.response)
            elif entry is None:
                continue
            elif dialog.operation == PROPERTIES:
                props = await service.get_blob_properties(
                    history.container, history.name, snapshot=entry.snapshot,
                    version_id=None if entry.is_current_version else entry.version_id)
                self.window.show_details(describe(props.value, props.response))
            elif dialog.operation == PREVIEW:
                await self._preview(service, history, entry)
            elif dialog.operation == DOWNLOAD:
                await self._download(service, history, entry)
            elif dialog.operation == PROMOTE:
                await self._promote(service, history, entry, index)
            elif dialog.operation == DELETE:
                await self._delete(service, history, entry)

    async def _preview(self, service: Any, history: BlobHistory, entry: BlobRecord) -> None:
        limit = getattr(self.window.settings, "preview_bytes", PREVIEW_FALLBACK_BYTES)
        head = await service.versions.read_entry_head(history, entry, limit)
        complete = entry.size is not None and len(head.value) >= entry.size
        preview = await asyncio.to_thread(prepare_preview, head.value, history.name,
                                          entry.content_type, complete=complete)
        shown = "all" if complete else f"the first {len(head.value):,} bytes"
        dialog = EntryPreviewDialog(self.window, f"{history.name} — {entry_label(entry)}",
                                    f"Showing {shown} (read-only).")
        await dialog.panel.show_preview(preview)  # filled in slices: the window stays live
        self.window.show_response("Preview", f"Read {entry_label(entry)}", head.response)
        await self.tools.ask(dialog)

    async def _download(self, service: Any, history: BlobHistory, entry: BlobRecord) -> None:
        stem, dot, ext = history.name.rsplit("/", 1)[-1].rpartition(".")
        ident = (entry.snapshot or entry.version_id or "").replace(":", "")
        suggested = f"{stem or ext} ({ident}){dot}{ext if stem else ''}"
        target = self.choose_save_file(f"Save {entry_label(entry)} as…", suggested)
        if target is None:
            return
        partial = target.with_name(target.name + ".partial")
        try:
            handle = await asyncio.to_thread(partial.open, "wb")
        except OSError as exc:
            raise LocalFileError(f"Cannot write {partial}: {exc.strerror or exc}.") from exc
        try:
            with handle:
                async def write(data: bytes) -> None:
                    await asyncio.to_thread(handle.write, data)

                result = await service.versions.download_entry(history, entry, write,
                                                               service.download_blob)
            await asyncio.to_thread(os.replace, partial, target)  # whole, or not at all
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        self.window.show_response("Download finished", f"{entry_label(entry)} → {target} "
                                  f"({result.value:,} bytes)", result.response)

    def _ask_save_file(self, title: str, suggested: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self.window, title, suggested)
        return Path(path) if path else None

    async def _promote(self, service: Any, history: BlobHistory, entry: BlobRecord,
                       index: QPersistentModelIndex) -> None:
        box = confirm_box(
            self.window, "Promote to current",
            f"Make the {entry_label(entry)} of “{history.name}” its current contents?\n\n"
            "The blob's present contents and properties are replaced (take a snapshot first "
            "to keep them). This happens only if the blob has not changed since this list "
            "was read.", "Promote")
        if not await self.tools.ask(box):
            return
        result = await service.versions.promote(history, entry)
        self.tools.show_result(result.value, result.response)
        self.tools.refresh_node(QPersistentModelIndex(QModelIndex(index).parent()))

    async def _delete(self, service: Any, history: BlobHistory, entry: BlobRecord) -> None:
        box = confirm_box(
            self.window, "Delete",
            f"Delete the {entry_label(entry)} of “{history.name}”?\n\nThe blob itself and "
            "its other snapshots and versions stay. This cannot be undone unless soft delete "
            "is on.", f"Delete {entry_label(entry).split(' ', 1)[0]}")
        if not await self.tools.ask(box):
            return
        if entry.snapshot:
            result = await service.versions.delete_snapshot(history, entry.snapshot)
        else:
            result = await service.versions.delete_version(history, entry.version_id or "")
        self.window.show_response("Deleted", f"Deleted the {entry_label(entry)} of "
                                  f"{history.name}", result.response)

    # --- access tiers -----------------------------------------------------------------------------

    def _on_tier(self) -> None:
        index = self.tools.selection()
        if isinstance(self.model.record_of(index), BlobRecord | BlobPrefixRecord):
            self.tools.run(self.change_tier(QPersistentModelIndex(index)))

    async def change_tier(self, index: QPersistentModelIndex) -> None:
        """Ask for a tier and set it on the blob at ``index``, or every blob of the folder."""
        record = self.model.record_of(index)
        service = self.tools.service_of(index)
        if isinstance(record, BlobPrefixRecord):
            blobs = await service.deletes.list_folder_contents(record.container, record.prefix)
            what, container = record.prefix, record.container
            refresh = QPersistentModelIndex(index)
        else:
            assert isinstance(record, BlobRecord)
            blobs = [(await service.get_blob_properties(record.container, record.name)).value]
            what, container = record.name, record.container
            refresh = QPersistentModelIndex(QModelIndex(index).parent())
        if not blobs:
            raise ServiceError(f"{what} holds no blobs.", advice="Nothing to change.")
        current = {blob.access_tier or "unknown" for blob in blobs}
        dialog = TierDialog(self.window, what, len(blobs), current)
        if not await self.tools.ask(dialog):
            return
        tier, priority = dialog.tier(), dialog.priority()
        if len(blobs) == 1:
            result = await service.tiers.set_tier(container, blobs[0].name, tier,
                                                  rehydrate_priority=priority)
            self.tools.show_result(result.value, result.response)
        else:
            report = await service.tiers.set_tiers(container, [b.name for b in blobs], tier,
                                                   rehydrate_priority=priority)
            self._record_batch_in_trail(index, service.account_url, container, tier, report)
            pending = f", {len(report.pending):,} rehydrating" if report.pending else ""
            self.tools.show_summary(
                "Access tier changed", f"{what}: {len(report.changed):,} set to {tier}"
                f"{pending}, {len(report.failed):,} failed.", "one Blob Batch per 256 blobs")
            if report.failed:
                self.tools.refresh_node(refresh)
                raise ServiceError(f"{len(report.failed):,} of {len(blobs):,} blobs kept "
                                   f"their tier: {failure_text(report.failed)}.",
                                   advice="An archived blob being rehydrated cannot change "
                                          "tier again until it is done.")
        self.tools.refresh_node(refresh)

    def _record_batch_in_trail(self, index: QPersistentModelIndex, account_url: str,
                               container: str, tier: str, report: TierReport) -> None:
        """The trail holds one line per request, and a Blob Batch is one request: one audit
        event per blob says which blobs it changed, and how each one answered."""
        root = self.tools.root_of(QModelIndex(index))
        if self.window.trail is None or root is None:
            return
        connection = root.connection.display_name
        identity = latest_identity(self.window.session.journal, connection)
        failed = dict(report.failed)
        pending = set(report.pending)
        for name in (*report.changed, *failed):
            status = failed.get(name) or ("accepted (rehydrating)" if name in pending else "ok")
            self.window.trail.record_event(
                f"set blob tier to {tier} (in a blob batch)", connection=connection,
                resource=f"{account_url}/{container}/{quote(name, safe='/')}",
                identity=identity, status=status)

