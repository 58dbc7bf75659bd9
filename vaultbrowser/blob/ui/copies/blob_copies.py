"""``BlobCopies``: server-side Copy to…, Move to…, Rename… and Statistics… of the blob pane.

Copies and moves run in the service layer (``services/copies/``); this module asks where and
with which conflict policy (``CopyMoveDialog``), shows each run in the Transfers panel with its
progress and Cancel, refreshes the folders it changed, and says where a move's report is when
it did not finish (doing the same move again resumes it). Statistics stream into their own
dialog, with Cancel. Copies, moves and renames are writes: disabled on a read-only
connection (and refused by the transport if one were sent); every request is in the Activity
panel and the audit trail.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.services.copies.runs import CopyRun, CopyRunReport
from vaultbrowser.blob.services.copies.server_copy import ServerCopy
from vaultbrowser.blob.services.copies.targets import CopySource, CopyTarget
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.services.statistics import FolderStatistics, collect_statistics
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.copies.copy_dialogs import CopyMoveDialog, StatisticsDialog, TargetAccount
from vaultbrowser.blob.ui.transfer_panel import TransferPanel
from vaultbrowser.core.audit.trail import data_dir, latest_identity
from vaultbrowser.core.models.icons import Icon, icon

MOVE_REPORTS = "move-reports"  # under the app's data directory


class BlobCopies(QObject):
    def __init__(self, tools: BlobPaneTools, panel: TransferPanel) -> None:
        super().__init__(tools)
        self.tools = tools
        self.window = tools.window
        self.model = tools.model
        self.panel = panel
        self.report_dir: Path = data_dir() / MOVE_REPORTS
        self.statistics_dialog: StatisticsDialog | None = None
        self.copy_action = tools.action(
            "Copy to…", lambda: self._start("Copy"), write=True,
            tip="Copy the blob or folder on the service, to this or another open account")
        self.move_action = tools.action(
            "Move to…", lambda: self._start("Move"), write=True,
            tip="Copy, verify, then delete the original (to this or another open account)")
        self.rename_action = tools.action(
            "Rename…", lambda: self._start("Rename"), write=True,
            tip="Rename the blob or folder (a verified copy, then the old name deleted)")
        self.statistics_action = tools.action(
            "Statistics…", self._on_statistics, write=False,
            tip="Count the blobs and bytes of the container or folder, by tier and type")
        self.copy_action.setIcon(icon(Icon.COPY))
        tools.pane.action_providers.append(self.actions_for)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        record = self.model.record_of(index)
        writable = self.tools.can_write(index) if record is not None else False
        # A snapshot's or version's row is not the blob: copying its name would copy the base.
        movable = isinstance(record, BlobPrefixRecord) or (
            isinstance(record, BlobRecord) and not record.deleted
            and record.snapshot is None and record.version_id is None)
        countable = isinstance(record, ContainerRecord | BlobPrefixRecord)
        for action in (self.copy_action, self.move_action, self.rename_action):
            self.tools.enable(action, movable, writable)
        self.tools.enable(self.statistics_action, countable, writable)
        if movable:
            return [self.copy_action, self.move_action, self.rename_action,
                    *([self.statistics_action] if countable else [])]
        return [self.statistics_action] if countable else []

    # --- copy, move, rename -------------------------------------------------------------------

    def _start(self, verb: str) -> None:
        self.tools.run(self.copy_or_move(self.tools.selected(), verb))

    def target_accounts(self) -> list[tuple[TargetAccount, Any]]:
        """The open accounts one may write to, with their services."""
        found = []
        for row in range(self.model.rowCount()):
            root = self.model.record_of(self.model.index(row, 0))
            if isinstance(root, AccountRoot) and self.window.can_write(root):
                found.append((TargetAccount(root.label, root.service.account_url),
                              root.service))
        return found

    async def copy_or_move(self, index: QPersistentModelIndex, verb: str) -> CopyRunReport | None:
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord | BlobPrefixRecord)
        service = self.tools.service_of(index)
        name = record.prefix if isinstance(record, BlobPrefixRecord) else record.name
        source = CopySource(service.account_url, record.container, name)
        accounts = self.target_accounts()
        dialog = CopyMoveDialog(self.window, verb, source, [a for a, _ in accounts])
        if not await self.tools.ask(dialog):
            return None
        target, policy = dialog.target(), dialog.policy()
        target_service = next(s for a, s in accounts if a.account_url == target.account_url)
        job = self.panel.add(verb, f"{source.label} → {target.label}")
        job.task = asyncio.current_task()
        copy_run = CopyRun(ServerCopy(service, target_service), source, target, policy,
                           move=verb != "Copy", report_dir=self.report_dir,
                           on_progress=job.update)
        try:
            report = await copy_run.run()
        except asyncio.CancelledError:
            job.cancelled()
            raise
        except BaseException as exc:
            job.fail(exc)
            raise
        job.complete(report)
        self._record_in_trail(index, verb, source, target, report)
        self._refresh_after(index, verb, target.account_url, target.container)
        self._summarise(verb, source.label, target.label, report)
        if report.failed:
            raise report.failed[0][1]
        return report

    def _record_in_trail(self, index: QPersistentModelIndex, verb: str, source: CopySource,
                         target: CopyTarget, report: CopyRunReport) -> None:
        """One audit event for the run (its requests are in the trail one by one, too)."""
        root = self.tools.root_of(QModelIndex(index))
        if self.window.trail is None or root is None:
            return
        outcome = (f"{len(report.done)} done, {len(report.skipped)} skipped, "
                   f"{len(report.failed)} failed" + (", cancelled" if report.cancelled else ""))
        self.window.trail.record_event(
            f"{verb.lower()} blobs (server-side)", connection=root.connection.display_name,
            resource=f"{source.account_url}/{source.label} → {target.account_url}/"
                     f"{target.label}",
            identity=latest_identity(self.window.session.journal,
                                     root.connection.display_name),
            status=outcome)

    def _summarise(self, verb: str, source: str, target: str, report: CopyRunReport) -> None:
        past = {"Copy": "copied", "Move": "moved", "Rename": "renamed"}[verb]
        message = f"{len(report.done):,} blob(s) {past} from “{source}” to “{target}”."
        if report.skipped:
            message += f" {len(report.skipped):,} skipped (they exist there)."
        if report.failed:
            name, error = report.failed[0]
            message += f" {len(report.failed):,} failed (e.g. “{name}”: {error.message})."
        if report.cancelled:
            message += " Cancelled: the rest were not touched."
        if report.report_path is not None and (report.failed or report.cancelled):
            message += (f" What moved and what did not is in {report.report_path}; "
                        f"{verb.lower()} again to resume.")
        finished = not report.failed and not report.cancelled
        self.tools.show_summary(f"{verb} done" if finished else f"{verb} incomplete",
                                message, f"{len(report.done) + len(report.failed):,} blobs")

    def _refresh_after(self, index: QPersistentModelIndex, verb: str, account_url: str,
                       container: str) -> None:
        if verb != "Copy" and index.isValid():
            self.tools.refresh_node(QPersistentModelIndex(QModelIndex(index).parent()))
        for row in range(self.model.rowCount()):
            account = self.model.index(row, 0)
            root = self.model.record_of(account)
            if isinstance(root, AccountRoot) and root.service.account_url == account_url:
                row_index = self.model.find_child(account, lambda r: isinstance(
                    r, ContainerRecord) and r.name == container)
                if row_index.isValid():
                    self.tools.refresh_node(QPersistentModelIndex(row_index))

    # --- statistics ----------------------------------------------------------------------------

    def _on_statistics(self) -> None:
        self.tools.run(self.statistics(self.tools.selected()))

    async def statistics(self, index: QPersistentModelIndex) -> FolderStatistics | None:
        record = self.model.record_of(index)
        if isinstance(record, ContainerRecord):
            container, prefix = record.name, ""
        else:
            assert isinstance(record, BlobPrefixRecord)
            container, prefix = record.container, record.prefix
        service = self.tools.service_of(index)
        dialog = StatisticsDialog(self.window, f"{container}/{prefix}")
        self.statistics_dialog = dialog
        task = asyncio.current_task()
        dialog.cancel_requested.connect(lambda: task.cancel() if task else None)
        # Closed while counting (Close, Escape, the title bar): stop listing.
        dialog.finished.connect(lambda _result: task.cancel() if task and not task.done()
                                else None)
        dialog.show()
        try:
            return await collect_statistics(service, container, prefix,
                                            on_progress=dialog.show_statistics)
        except asyncio.CancelledError:
            if task is not None:
                task.uncancel()  # the user's Cancel: the figures so far stay shown
            dialog.finish("Cancelled")
            return None
