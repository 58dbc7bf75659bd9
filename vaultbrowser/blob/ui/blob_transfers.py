"""``BlobTransfers``: uploads (a file dialog or drag & drop) and downloads of the blob pane.

The runs themselves are the service layer's (``services/transfers.py``: bounded concurrency,
conditional uploads, temporary files renamed only when complete). This module asks where,
shows each run in the Transfers panel (a dock next to Activity) with Cancel, answers conflicts
by asking the user (skip / overwrite / rename, once or for all), and refreshes the one
container or folder an upload wrote to.

File dialogs go through replaceable hooks (``choose_files``, ``choose_folder``,
``choose_download_folder``) called from slots, never from inside a task, so tests supply
paths without a native dialog.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QAction, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QRubberBand, QToolButton

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.services.transfers.plans import (
    ConflictDecision,
    DownloadItem,
    UploadItem,
    plan_download,
    plan_upload,
)
from vaultbrowser.blob.services.transfers.runs import download_many, upload_many
from vaultbrowser.blob.ui.blob_dialogs import ConflictDialog, UploadTargetDialog
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.transfer_panel import TransferJob, TransferPanel
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.icons import Icon, icon

CONCURRENCY = 4  # files in flight per transfer (each large file also stages blocks in parallel)


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload goes: a container and a folder prefix ("" or ending with "/"), and the
    row whose listing shows it (refreshed afterwards)."""

    container: str
    prefix: str
    node: QPersistentModelIndex

    @property
    def label(self) -> str:
        return f"{self.container}/{self.prefix}"


class BlobTransfers(QObject):
    def __init__(self, tools: BlobPaneTools) -> None:
        super().__init__(tools)
        self.tools = tools
        self.window = tools.window
        self.pane = tools.pane
        self.model = tools.model

        # Replaceable hooks (tests): local paths the user picked, or none.
        self.choose_files: Callable[[str], list[Path]] = self._choose_files
        self.choose_folder: Callable[[str], Path | None] = self._choose_folder
        self.choose_download_folder: Callable[[str], Path | None] = self._choose_folder

        self.upload_files_action = tools.action(
            "Upload files…", self._on_upload_files, write=True,
            tip="Upload files into this container or folder (you can also drop them here)")
        self.upload_folder_action = tools.action(
            "Upload folder…", self._on_upload_folder, write=True,
            tip="Upload a folder with everything in it into this container or folder")
        self.download_action = tools.action(
            "Download…", self._on_download, write=False,
            tip="Download the blob, or every blob of the folder, to a folder on this computer")
        self.upload_files_action.setIcon(icon(Icon.UPLOAD))
        self.download_action.setIcon(icon(Icon.DOWNLOAD))

        self.upload_button = QToolButton()
        self.upload_button.setText("Upload")
        self.upload_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.upload_button)
        menu.addAction(self.upload_files_action)
        menu.addAction(self.upload_folder_action)
        self.upload_button.setMenu(menu)
        self.pane.add_top_widget(self.upload_button)

        self.panel = TransferPanel()
        self.dock = QDockWidget("Transfers — uploads and downloads", self.window)
        self.dock.setObjectName("transfers")
        self.dock.setWidget(self.panel)
        self.window.add_panel(self.dock)
        self.panel.job_added.connect(lambda _job: self.show_panel())

        # Drops onto the tree: the view is a plain TreeTable; its viewport's events come here.
        self._drop_band = QRubberBand(QRubberBand.Shape.Rectangle, self.pane.view.viewport())
        self.pane.view.setAcceptDrops(True)
        self.pane.view.viewport().setAcceptDrops(True)
        self.pane.view.viewport().installEventFilter(self)

    # --- actions ---------------------------------------------------------------------------------

    def actions_for(self, index: QModelIndex) -> list[QAction]:
        """The transfer actions for a row (state set by ``update_actions``)."""
        self.update_actions(index)
        record = self.model.record_of(index)
        if isinstance(record, ContainerRecord):
            return [self.upload_files_action, self.upload_folder_action]
        if isinstance(record, BlobPrefixRecord):
            return [self.upload_files_action, self.upload_folder_action, self.download_action]
        if isinstance(record, BlobRecord):
            return [self.download_action, self.upload_files_action]
        return []

    def update_actions(self, index: QModelIndex) -> None:
        record = self.model.record_of(index)
        writable = self.tools.can_write(index) if record is not None else False
        target = record is not None and self.upload_target(index) is not None
        for action in (self.upload_files_action, self.upload_folder_action):
            self.tools.enable(action, target, writable)
        self.tools.enable(self.download_action, isinstance(record, BlobPrefixRecord) or (
            isinstance(record, BlobRecord) and not record.deleted), writable)
        self.upload_button.setEnabled(target and writable)
        if record is None:
            self.upload_button.setToolTip("Select a container or folder to upload into "
                                          "(or drop files onto it)")
        elif not writable:
            self.upload_button.setToolTip(self.upload_files_action.toolTip())
        else:
            self.upload_button.setToolTip("Upload files or a folder into the selected "
                                          "container or folder")

    def show_panel(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def upload_target(self, index: QModelIndex) -> UploadTarget | None:
        """The container and folder a row receives (a blob row: its folder); None for an
        account row (which container is asked on drop) and status rows."""
        record = self.model.record_of(index)
        if isinstance(record, ContainerRecord):
            return UploadTarget(record.name, "", QPersistentModelIndex(index))
        if isinstance(record, BlobPrefixRecord):
            return UploadTarget(record.container, record.prefix, QPersistentModelIndex(index))
        if isinstance(record, BlobRecord):
            prefix = record.name[:record.name.rfind("/") + 1]
            return UploadTarget(record.container, prefix, QPersistentModelIndex(index.parent()))
        return None

    # --- file dialogs (the default hooks) --------------------------------------------------------

    def _choose_files(self, title: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.window, title)
        return [Path(name) for name in names]

    def _choose_folder(self, title: str) -> Path | None:
        name = QFileDialog.getExistingDirectory(self.window, title)
        return Path(name) if name else None

    # --- uploads ---------------------------------------------------------------------------------

    def _on_upload_files(self) -> None:
        target = self.upload_target(self.tools.selection())
        if target is None:
            return
        paths = self.choose_files(f"Upload files to {target.label}")
        if paths:
            self.tools.run(self.upload(target, paths))

    def _on_upload_folder(self) -> None:
        target = self.upload_target(self.tools.selection())
        if target is None:
            return
        folder = self.choose_folder(f"Upload a folder to {target.label}")
        if folder is not None:
            self.tools.run(self.upload(target, [folder]))

    async def upload(self, target: UploadTarget, paths: Sequence[Path]) -> Any:
        """Upload files and folders into ``target``; returns the ``TransferReport``."""
        service = self.tools.service_of(target.node)
        loop = asyncio.get_running_loop()
        # Walking folders touches the disk: off the loop.
        items = await loop.run_in_executor(None, plan_upload, list(paths), target.prefix)
        title = f"{_count(len(items), 'file')} → {target.label}"
        job = self.panel.add("Upload", title)

        async def decide(item: UploadItem, existing: BlobRecord | None) -> ConflictDecision:
            facts = ""
            if existing is not None:
                facts = (f"\n\nExisting blob: {fmt.size(existing.size)}, modified "
                         f"{fmt.when(existing.last_modified)}.\nYour file: "
                         f"{fmt.size(item.size)} ({item.source}).")
            dialog = ConflictDialog(
                self.window, "The blob already exists",
                f"A blob named “{item.blob_name}” already exists in “{target.container}”."
                + facts, remaining_hint="Applies to later conflicts of this upload only")
            return await self._ask_conflict(job, dialog)

        report = await self._run_job(job, upload_many(
            service, target.container, items, concurrency=CONCURRENCY, decide=decide,
            on_progress=job.update))
        self.tools.refresh_node(target.node)
        self.tools.show_summary(
            "Upload cancelled" if report.cancelled else "Upload finished",
            f"{job.summary} ({target.label}).", _count(len(items), "file"))
        _raise_first_failure(report, "uploaded")
        return report

    async def _ask_conflict(self, job: TransferJob, dialog: ConflictDialog) -> ConflictDecision:
        job.set_waiting(True)
        try:
            await self.window.dialogs.wait(dialog)
        finally:
            job.set_waiting(False)
        return dialog.decision()

    async def _run_job(self, job: TransferJob, run: Any) -> Any:
        """Run a transfer as the job's task; the service returns a report even when
        cancelled. The report (None when the run never started)."""
        job.task = asyncio.current_task()
        try:
            report = await run
        except asyncio.CancelledError:
            job.cancelled()
            raise
        except BaseException as error:
            job.fail(error)
            raise
        job.complete(report)
        return report

    # --- downloads ---------------------------------------------------------------------------

    def _on_download(self) -> None:
        index = self.tools.selection()
        record = self.model.record_of(index)
        if not isinstance(record, BlobRecord | BlobPrefixRecord):
            return
        what = record.name if isinstance(record, BlobRecord) else record.prefix
        folder = self.choose_download_folder(f"Download {what} to…")
        if folder is not None:
            self.tools.run(self.download(QPersistentModelIndex(index), folder))

    async def download(self, index: QPersistentModelIndex, destination: Path) -> Any:
        """Download a blob, or every blob of a folder (keeping the folder's name), into
        ``destination``; returns the ``TransferReport``."""
        record = self.model.record_of(index)
        service = self.tools.service_of(index)
        if isinstance(record, BlobPrefixRecord):
            blobs = await service.deletes.list_folder_contents(record.container, record.prefix)
            parent = record.prefix[:record.prefix.rstrip("/").rfind("/") + 1]
            items = plan_download(blobs, parent)
            container, title = record.container, record.prefix
        else:
            assert isinstance(record, BlobRecord)
            items = plan_download([record], record.name[:record.name.rfind("/") + 1])
            container, title = record.container, record.display_name
        job = self.panel.add("Download", f"{title} ({_count(len(items), 'file')}) → "
                                         f"{destination}")

        async def decide(item: DownloadItem, existing: Path) -> ConflictDecision:
            facts = ""
            with contextlib.suppress(OSError):
                info = existing.stat()
                modified = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC)
                facts = (f"\n\nExisting file: {fmt.size(info.st_size)}, modified "
                         f"{fmt.when(modified)}.\nThe blob: {fmt.size(item.size)}.")
            dialog = ConflictDialog(
                self.window, "The file already exists",
                f"“{existing}” already exists on this computer (downloading "
                f"“{item.blob_name}”)." + facts,
                remaining_hint="Applies to later conflicts of this download only")
            return await self._ask_conflict(job, dialog)

        report = await self._run_job(job, download_many(
            service, container, items, destination, concurrency=CONCURRENCY, decide=decide,
            on_progress=job.update))
        self.tools.show_summary(
            "Download cancelled" if report.cancelled else "Download finished",
            f"{job.summary} (to {destination}).", _count(len(items), "blob"))
        _raise_first_failure(report, "downloaded")
        return report

    # --- drag & drop -------------------------------------------------------------------------

    def drop_target_at(self, position: Any) -> QModelIndex:
        """The row a drop at ``position`` (viewport coordinates) goes to: an account,
        container or folder row, or a blob's folder. Invalid when there is none."""
        proxy_index = self.pane.view.indexAt(position)
        if not proxy_index.isValid():
            return QModelIndex()
        source = self.pane.proxy.mapToSource(proxy_index.siblingAtColumn(0))
        if self.model.is_status_index(source):
            source = source.parent()
        return source

    def _drop_paths(self, event: QDropEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        urls = mime.urls()
        if not urls or not all(url.isLocalFile() for url in urls):
            return []
        return [Path(url.toLocalFile()) for url in urls]

    def _drop_allowed(self, index: QModelIndex) -> bool:
        record = self.model.record_of(index)
        if record is None or not self.tools.can_write(index):
            return False
        if isinstance(record, BlobRecord) and record.deleted:
            return False
        return isinstance(record, AccountRoot) or self.upload_target(index) is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragMoveEvent)
            position = event.position().toPoint()
            index = self.drop_target_at(position)
            paths = self._drop_paths(event)
            if paths and self._drop_allowed(index):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                self._show_band(index)
                self.window.statusBar().showMessage(
                    f"Drop to upload {_count(len(paths), 'item')} to "
                    f"{self._target_text(index)}")
            else:
                event.ignore()
                self._drop_band.hide()
            return True
        if kind == QEvent.Type.DragLeave:
            self._drop_band.hide()
            self.window.statusBar().clearMessage()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            self._drop_band.hide()
            self.window.statusBar().clearMessage()
            index = self.drop_target_at(event.position().toPoint())
            paths = self._drop_paths(event)
            if not paths or not self._drop_allowed(index):
                event.ignore()
                return True
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.tools.run(self.upload_dropped(QPersistentModelIndex(index), paths))
            return True
        return super().eventFilter(watched, event)

    def _target_text(self, index: QModelIndex) -> str:
        record = self.model.record_of(index)
        if isinstance(record, AccountRoot):
            return f"a container of {record.label} (you choose which)"
        target = self.upload_target(index)
        return target.label if target is not None else ""

    def _show_band(self, index: QModelIndex) -> None:
        proxy_index = self.pane.proxy.mapFromSource(index)
        rect = self.pane.view.visualRect(proxy_index)
        viewport = self.pane.view.viewport()
        self._drop_band.setGeometry(QRect(0, rect.top(), viewport.width(), rect.height()))
        self._drop_band.show()

    async def upload_dropped(self, index: QPersistentModelIndex, paths: Sequence[Path]) -> Any:
        """Upload dropped files to the row they were dropped on (an account row asks which
        container)."""
        record = self.model.record_of(index)
        if isinstance(record, AccountRoot):
            names = [getattr(self.model.record_of(self.model.index(row, 0, QModelIndex(index))),
                             "name", None) for row in range(self.model.rowCount(
                                 QModelIndex(index)))]
            containers = [name for name in names if name]
            dialog = UploadTargetDialog(self.window, record.label, containers, len(paths))
            if not await self.tools.ask(dialog):
                return None
            chosen = self.model.find_child(
                QModelIndex(index),
                lambda r: isinstance(r, ContainerRecord) and r.name == dialog.container())
            if not chosen.isValid():
                return None
            target = UploadTarget(dialog.container(), "", QPersistentModelIndex(chosen))
        else:
            found = self.upload_target(QModelIndex(index))
            if found is None:
                return None
            target = found
        return await self.upload(target, paths)


def _raise_first_failure(report: Any, verb: str) -> None:
    """Files that failed are listed in the Transfers panel; the first one's typed error also
    gets the error dialog (saying how many failed)."""
    if not report.failed:
        return
    name, error = report.failed[0]
    if len(report.failed) > 1:
        error.message = (f"{len(report.failed)} files were not {verb}. The first, “{name}”: "
                         f"{error.message}")
    raise error


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
