"""The window's audit actions: export an audit report (progress, Cancel) or the session's trail."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from vaultbrowser.core.audit.trail import (
    entries_as_csv,
    entries_as_json,
    latest_identity,
    write_atomically,
)
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput

if TYPE_CHECKING:
    from vaultbrowser.core.ui.window.context import WindowContext

REPORT_FORMATS = ("html", "csv", "json")


class AuditActions(QObject):
    report_written = Signal(str)  # the path of an exported audit report

    def __init__(self, window: WindowContext) -> None:
        super().__init__(window)
        self._window = window
        self.report_progress: QProgressDialog | None = None

    def export_report_dialog(self, connections: list[Connection] | None = None,
                             name: str = "audit-report") -> None:
        """Ask where, then audit ``connections`` (default: every connection of the window)."""
        path, chosen = QFileDialog.getSaveFileName(
            self._window, "Export audit report", f"{name}.html",
            "HTML report (*.html);;CSV (*.csv);;JSON (*.json)")
        if not path:
            return
        target = Path(path)
        fmt = target.suffix.lstrip(".").lower()
        if fmt not in REPORT_FORMATS:  # no or another suffix: follow the chosen filter
            fmt = {"CSV": "csv", "JSON": "json"}.get(chosen.split(" ", 1)[0], "html")
            target = target.with_name(f"{target.name}.{fmt}")
        self.export_report(target, fmt, connections)

    def export_report(self, path: Path, fmt: str,
                      connections: list[Connection] | None = None) -> asyncio.Task[Any]:
        """Audit ``connections`` (default: every connection of the window) into ``path``;
        the dialog's Cancel stops it (and nothing is written)."""
        window = self._window
        audited = list(window.connections) if connections is None else list(connections)
        progress = QProgressDialog("Collecting the inventory…", "Cancel", 0, 0, window)
        progress.setWindowTitle("Audit report")
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.report_progress = progress

        def report_progress(what: str, done: int, total: int | None) -> None:
            progress.setLabelText(what)
            progress.setMaximum(total or 0)
            progress.setValue(min(done, total) if total else 0)

        async def run() -> None:
            from vaultbrowser.core.audit.report import collect_report, write_report

            try:
                report = await collect_report(
                    window.session, audited, kinds=window.kinds,
                    progress=report_progress,
                    identity=latest_identity(window.session.journal))
                # Rendering and fsync stay off the loop: the window keeps painting.
                await asyncio.get_running_loop().run_in_executor(
                    None, write_report, report, path, fmt)
            finally:
                # Closing a QProgressDialog emits canceled(): unhook it first.
                progress.canceled.disconnect()
                progress.hide()
                progress.deleteLater()
            window.statusBar().showMessage(
                f"Audit report written: {len(report.findings)} findings → {path}", 15_000)
            self.report_written.emit(str(path))

        task = window.run_task(run())
        progress.canceled.connect(lambda: task.cancel())
        progress.show()
        return task

    def export_trail_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self._window, "Export this session's audit trail", "audit-trail.csv",
            "CSV (*.csv);;JSON (*.json)")
        if path:
            self.export_trail(Path(path), "json" if chosen.startswith("JSON")
                              or path.endswith(".json") else "csv")

    def export_trail(self, path: Path, fmt: str) -> None:
        """Write this session's trail entries (never values) as CSV or JSON, atomically."""
        trail = self._window.trail
        if trail is None:
            return
        entries = trail.session_entries()
        text = entries_as_json(entries) if fmt == "json" else entries_as_csv(entries)
        try:
            write_atomically(path, text)
        except OSError as exc:
            self._window.reporter.report(
                InvalidInput(f"Could not write {path}: {exc.strerror}"))
            return
        self._window.statusBar().showMessage(
            f"Audit trail exported: {len(entries)} entries → {path}", 10_000)
