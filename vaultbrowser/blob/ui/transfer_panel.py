"""``TransferPanel``: uploads and downloads with overall and per-file progress, and Cancel.

One top-level row per transfer (its overall progress: bytes and files) with a Cancel button;
under it one row per file in flight (its own progress), and a row per file that failed. Files
that finish leave the list (the transfer's counts say how many). Cancel cancels the task that
runs the transfer; the service layer then stops every file and leaves no partial download.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.tones import Tone, tone_brush

SCALE = 1000  # progress bars count in thousandths (byte counts overflow a C int)


def _bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, SCALE)
    bar.setValue(0)
    bar.setTextVisible(True)
    bar.setMaximumHeight(16)
    return bar


def _fraction(done: int, total: int | None) -> int:
    if not total:
        return SCALE if total == 0 else 0
    return max(0, min(SCALE, int(done * SCALE / total)))


def _diagnostics(error: Any) -> str:
    describe = getattr(error, "diagnostics_text", None)
    return describe() if callable(describe) else str(error)


class TransferJob(QObject):
    """One upload or download as the panel shows it. The controller feeds it progress and the
    final report; Cancel cancels ``task``."""

    finished = Signal(object)  # self
    cancel_requested = Signal(object)  # self

    RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"

    def __init__(self, panel: TransferPanel, verb: str, title: str) -> None:
        super().__init__(panel)
        self.panel = panel
        self.verb = verb  # "Upload" / "Download"
        self.title = title
        self.task: asyncio.Future[Any] | None = None
        self.state = self.RUNNING
        self.started = time.monotonic()
        self.files_done = self.files_total = 0
        self.bytes_done = self.bytes_total = 0
        self.summary = ""
        self.waiting = False
        self._files: dict[str, QTreeWidgetItem] = {}
        self._file_bars: dict[str, QProgressBar] = {}

        tree = panel.tree
        self.item = QTreeWidgetItem([f"{verb} · {title}", "", "Preparing…", ""])
        self.item.setToolTip(0, f"{verb} · {title}")
        tree.insertTopLevelItem(0, self.item)
        self.bar = _bar()
        self.bar.setFormat("%p%")
        tree.setItemWidget(self.item, 1, self.bar)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(f"Stop this {verb.lower()}: files not finished are not "
                                      "written")
        self.cancel_button.clicked.connect(self.cancel)
        tree.setItemWidget(self.item, 3, self.cancel_button)
        self.item.setExpanded(True)

    # --- fed by the controller -----------------------------------------------------------------

    def update(self, progress: Any) -> None:
        """Apply a ``TransferProgress`` (duck-typed: the service's record)."""
        if self.state != self.RUNNING:
            return
        self.files_done, self.files_total = progress.files_done, progress.files_total
        self.bytes_done, self.bytes_total = progress.bytes_done, progress.bytes_total
        self.bar.setValue(_fraction(self.bytes_done, self.bytes_total))
        self.item.setText(2, self.status_text())
        name = progress.current_name
        if name:
            self._file_progress(name, progress.current_bytes, progress.current_total)

    def set_waiting(self, waiting: bool) -> None:
        """Say that the transfer waits for the user's answer to a question."""
        self.waiting = waiting
        if self.state == self.RUNNING:
            self.item.setText(2, self.status_text())

    def status_text(self) -> str:
        if self.waiting:
            return "Waiting for your answer: an item already exists"
        if self.verb == "Delete":
            return f"{self.files_done:,} of {self.files_total:,} blobs"
        elapsed = max(time.monotonic() - self.started, 1e-3)
        rate = self.bytes_done / elapsed
        text = (f"{self.files_done:,} of {self.files_total:,} files · "
                f"{fmt.size(self.bytes_done)} of {fmt.size(self.bytes_total)}")
        if self.bytes_done and self.state == self.RUNNING:
            text += f" · {fmt.size(int(rate))}/s"
        return text

    def _file_progress(self, name: str, done: int, total: int | None) -> None:
        item = self._files.get(name)
        finished = total is not None and done >= total
        if item is None:
            if finished:
                return  # a file that came and went between two updates (or was skipped)
            item = QTreeWidgetItem([name, "", "", ""])
            item.setToolTip(0, name)
            self.item.addChild(item)
            self.item.setExpanded(True)  # (an item without children does not stay expanded)
            bar = _bar()
            self.panel.tree.setItemWidget(item, 1, bar)
            self._files[name] = item
            self._file_bars[name] = bar
        if finished:
            self._drop_file(name)
            return
        self._file_bars[name].setValue(_fraction(done, total))
        item.setText(2, f"{fmt.size(done)} of {fmt.size(total)}")

    def _drop_file(self, name: str) -> None:
        item = self._files.pop(name, None)
        self._file_bars.pop(name, None)
        if item is not None:
            self.item.removeChild(item)

    def complete(self, report: Any) -> None:
        """The transfer ended with a ``TransferReport`` (done, skipped, failed, cancelled)."""
        for name in list(self._files):
            self._drop_file(name)
        failed = list(report.failed)
        for name, error in failed:
            item = QTreeWidgetItem([str(name), "", f"⚠ {getattr(error, 'message', error)}",
                                    ""])
            item.setForeground(2, tone_brush(Tone.ERROR))
            item.setToolTip(2, _diagnostics(error))
            self.item.addChild(item)
            self.item.setExpanded(True)
        done, skipped = len(report.done), len(report.skipped)
        verb = {"Upload": "uploaded", "Download": "downloaded", "Copy": "copied",
                "Move": "moved", "Rename": "renamed"}.get(self.verb, "deleted")
        parts = [f"{done:,} {verb}"]
        if skipped:
            parts.append(f"{skipped:,} skipped")
        if failed:
            parts.append(f"{len(failed):,} failed")
        if report.cancelled:
            self._end(self.CANCELLED, "Cancelled · " + ", ".join(parts))
        elif failed:
            self._end(self.FAILED, "Finished with errors · " + ", ".join(parts))
        else:
            self.bar.setValue(SCALE)
            self._end(self.DONE, "Done · " + ", ".join(parts))

    def fail(self, error: BaseException) -> None:
        """The transfer could not run at all (e.g. a folder could not be read)."""
        for name in list(self._files):
            self._drop_file(name)
        self._end(self.FAILED, f"⚠ {getattr(error, 'message', error)}")

    def cancelled(self) -> None:
        """The transfer's task was cancelled before it could report."""
        for name in list(self._files):
            self._drop_file(name)
        self._end(self.CANCELLED, f"Cancelled · {self.files_done:,} of {self.files_total:,} "
                                  "files finished")

    def _end(self, state: str, summary: str) -> None:
        if self.state != self.RUNNING:
            return
        self.state = state
        self.summary = summary
        self.item.setText(2, summary)
        self.item.setToolTip(2, summary)
        tone = {self.DONE: Tone.SUCCESS, self.CANCELLED: Tone.MUTED, self.FAILED: Tone.ERROR}[state]
        self.item.setForeground(2, tone_brush(tone))
        self.cancel_button.setText("Remove")
        self.cancel_button.setToolTip("Remove this finished transfer from the list")
        self.finished.emit(self)

    # --- user ----------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Cancel while running; remove the row once finished."""
        if self.state != self.RUNNING:
            self.panel.remove(self)
            return
        self.cancel_button.setEnabled(False)
        self.item.setText(2, "Cancelling…")
        self.cancel_requested.emit(self)
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def active_files(self) -> list[str]:
        return list(self._files)


class TransferPanel(QWidget):
    """Every transfer of the session, newest first."""

    job_added = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[TransferJob] = []
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Transfer / file", "Progress", "Status", ""])
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 160)
        header.resizeSection(2, 320)
        header.resizeSection(3, 86)
        self.empty_label = QLabel("No transfers yet. Upload with the Upload button or by "
                                  "dropping files onto a container or folder; download from a "
                                  "blob's or folder's menu.")
        self.empty_label.setStyleSheet("color: palette(mid);")
        self.empty_label.setWordWrap(True)
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        self.count_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tree, 1)
        self._update()

    def add(self, verb: str, title: str) -> TransferJob:
        job = TransferJob(self, verb, title)
        self.jobs.insert(0, job)
        job.finished.connect(self._update)
        self._update()
        self.job_added.emit(job)
        return job

    def remove(self, job: TransferJob) -> None:
        if job in self.jobs and job.state != TransferJob.RUNNING:
            self.jobs.remove(job)
            index = self.tree.indexOfTopLevelItem(job.item)
            if index >= 0:
                self.tree.takeTopLevelItem(index)
            job.deleteLater()
            self._update()

    def clear_finished(self) -> None:
        for job in [j for j in self.jobs if j.state != TransferJob.RUNNING]:
            self.remove(job)

    def running(self) -> list[TransferJob]:
        return [job for job in self.jobs if job.state == TransferJob.RUNNING]

    def _update(self, *_args: object) -> None:
        running = len(self.running())
        self.empty_label.setVisible(not self.jobs)
        self.tree.setVisible(bool(self.jobs))
        self.clear_button.setEnabled(len(self.jobs) > running)
        self.count_label.setText(f"{running} running · {len(self.jobs) - running} finished"
                                 if self.jobs else "")
