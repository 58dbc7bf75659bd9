"""Tools ▸ Compare vaults…: two sides (one or more vaults each), the kinds to compare, values
opt-in; the result tree streams in per kind; Export… writes the diff as HTML, CSV or JSON.

Comparing values on a read-only connection counts as revealing them: the window asks first
(``confirm_reveal``), and each read-only vault whose values are read gets one audit-trail event
("compare secret values (confirmed)", with the count). Declined: the run compares properties
only and sends no value GET. Values are never shown: only "same value"/"different value".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeView,
    QVBoxLayout,
)

from vaultbrowser.core.audit.diff_report import DiffItem, DiffReport, DiffState, write_diff_report
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.audit.trail import latest_identity
from vaultbrowser.core.models.tones import Tone, tone_style
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.models.compare_model import (
    KIND_TITLES,
    NOTE_ROLE,
    CompareResultModel,
)
from vaultbrowser.keyvault.services.across.compare import ALL_KINDS, VaultComparison, check_sides
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.ui import vault_files
from vaultbrowser.keyvault.ui.across.vault_picker import VaultPicker
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice

VALUES_TEXT = "Compare values (reveals secret values to this app; never shown)"
TRAIL_EVENT = "compare secret values (confirmed)"
_COLLECTIONS = {ItemKind.SECRET: "secrets", ItemKind.CERTIFICATE: "certificates",
                ItemKind.KEY: "keys"}
_FORMATS = "HTML report (*.html);;CSV (*.csv);;JSON (*.json)"


class CompareDialog(QDialog):
    """The compare window (not modal: the vault tabs stay usable while it runs)."""

    def __init__(self, window: WindowContext, vaults: AllVaults) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.setWindowTitle("Compare vaults")
        self.window_context = window
        self.vaults = vaults
        self.task: asyncio.Task[Any] | None = None
        self.comparison: VaultComparison | None = None
        self.report: DiffReport | None = None
        self._run_choices: dict[str, VaultChoice] = {}  # label → vault, of the last run
        self.choose_save_path: Callable[..., Path | None] = vault_files.choose_save_path

        sides = QHBoxLayout()
        self._side_layouts = []
        for title in ("Side A", "Side B"):
            box = QGroupBox(title)
            self._side_layouts.append(QVBoxLayout(box))
            sides.addWidget(box)
        self.picker_a = self.picker_b = None  # type: ignore[assignment]
        self.refresh_choices()

        self.kind_checks = {kind: QCheckBox(KIND_TITLES[kind]) for kind in ALL_KINDS}
        self.values_check = QCheckBox(VALUES_TEXT)
        self.values_check.setToolTip(
            "Each secret both sides hold is read once per side and hashed in memory under a "
            "key made for this run; only “same value” or “different value” is kept. On a "
            "read-only connection you are asked first and it is recorded in the audit trail.")
        options = QHBoxLayout()
        for check in self.kind_checks.values():
            check.setChecked(True)
            options.addWidget(check)
        options.addSpacing(16)
        options.addWidget(self.values_check)
        options.addStretch(1)

        self.compare_button = QPushButton("Compare")
        self.compare_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.differences_only = QCheckBox("Differences only")
        self.export_button = QPushButton("Export…")
        self.export_button.setEnabled(False)
        self.export_button.setToolTip("Save the comparison as HTML, CSV or JSON (no values)")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel("Choose the vaults of each side, then Compare.")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        for widget in (self.compare_button, self.cancel_button, self.progress):
            actions.addWidget(widget)
        actions.addWidget(self.status, 1)
        actions.addWidget(self.differences_only)
        actions.addWidget(self.export_button)

        self.model = CompareResultModel()
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        header = self.view.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 420)
        header.resizeSection(1, 330)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(sides)
        layout.addLayout(options)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        self.resize(1100, 720)

        self.compare_button.clicked.connect(self.compare)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(lambda: self.export())
        self.differences_only.toggled.connect(lambda _on: self._apply_filter())
        self.view.activated.connect(self.open_item)

    def refresh_choices(self) -> None:
        """List every vault open or discovered now, keeping what was ticked (by default the
        first vault on side A and the second on side B)."""
        choices = self.vaults.choices()
        urls = [c.url for c in choices]
        pickers = []
        for layout, old, default in ((self._side_layouts[0], self.picker_a, urls[:1]),
                                     (self._side_layouts[1], self.picker_b, urls[1:2])):
            picker = VaultPicker(choices)
            picker.set_ticked([c.url for c in old.ticked()] if old is not None else default)
            if old is not None:
                layout.replaceWidget(old, picker)
                old.deleteLater()
            else:
                layout.addWidget(picker)
            pickers.append(picker)
        self.picker_a, self.picker_b = pickers

    # --- running ---------------------------------------------------------------------------

    def _show(self, text: str, *, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(tone_style(Tone.ERROR) if problem else "")

    def compare(self) -> asyncio.Task[Any] | None:
        """Start a comparison of the ticked vaults (the running one is cancelled). None when
        the choice is refused (said in the window, nothing sent)."""
        self.cancel()
        window = self.window_context
        side_a, side_b = self.picker_a.ticked(), self.picker_b.ticked()
        kinds = [kind for kind, check in self.kind_checks.items() if check.isChecked()]
        try:
            check_sides([(c.label, c.url) for c in side_a], [(c.label, c.url) for c in side_b],
                        kinds)
        except InvalidInput as exc:
            self._show(exc.message, problem=True)
            return None
        values = self.values_check.isChecked() and ItemKind.SECRET in kinds
        declined = False
        read_only = [c.label for c in side_a + side_b
                     if window.session.is_read_only(c.connection)]
        if values and read_only:
            what = (f"the secrets both sides hold, in {', '.join(read_only)} (read-only), to "
                    "compare them by hash in memory; no value is shown or kept")
            if not window.confirm_reveal(what):
                values, declined = False, True
        self._run_choices = {}
        for choice in side_a + side_b:
            self._run_choices.setdefault(choice.label, choice)
        self.model.start(kinds, ", ".join(c.label for c in side_a),
                         ", ".join(c.label for c in side_b))
        self._apply_filter()
        for index in self.model.kind_indexes():  # titles and counts: one text over the columns
            self.view.setFirstColumnSpanned(index.row(), QModelIndex(), True)
            for row in range(self.model.rowCount(index)):
                self.view.setFirstColumnSpanned(row, index, True)
            self.view.expand(index)
        self.report = None
        self.export_button.setEnabled(False)
        self.compare_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.show()
        self._show("Values not compared: you declined revealing them." if declined
                   else "Comparing…")
        self.task = window.run_task(self._run(side_a, side_b, kinds, values, declined))
        return self.task

    async def _run(self, side_a: list[VaultChoice], side_b: list[VaultChoice],
                   kinds: list[ItemKind], values: bool, declined: bool) -> None:
        mine = asyncio.current_task()
        current = lambda: self.task is mine  # noqa: E731 (a run replaced meanwhile: quiet)
        try:
            async with self.vaults.opened(side_a + side_b) as vaults:
                comparison = VaultComparison(
                    vaults[:len(side_a)], vaults[len(side_a):], kinds=kinds, values=values,
                    progress=self._on_progress, on_item=self._on_item,
                    before_values=self._record_reveal)
                self.comparison = comparison
                try:
                    report = await comparison.run()
                except asyncio.CancelledError:
                    if current():
                        self.report = comparison.report(complete=False)
                        self._show("Cancelled: the rows shown are what was compared until "
                                   "then.")
                    raise
            self.report = report
            self._show(self._summary(report, declined), problem=bool(report.errors))
        finally:
            if current():
                self.progress.hide()
                self.compare_button.setEnabled(True)
                self.cancel_button.setEnabled(False)
                self.export_button.setEnabled(self.report is not None)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def _on_progress(self, what: str, done: int, total: int | None) -> None:
        self.progress.setRange(0, total or 0)
        if total:
            self.progress.setValue(min(done, total))
        self._show(what)

    def _on_item(self, item: DiffItem) -> None:
        index = self.model.add(item)
        for row in range(self.model.rowCount(index)):
            if self.model.index(row, 0, index).data(NOTE_ROLE):
                self.view.setFirstColumnSpanned(row, index, True)
        if item.state == DiffState.DIFFERENT and self.model.count(item.kind, item.state) == 1:
            self.view.expand(self.model.group_index(item.kind, item.state))

    def _record_reveal(self, vault: Vault, count: int) -> None:
        """One audit-trail event per read-only vault whose values are about to be read."""
        window = self.window_context
        if not vault.read_only or window.trail is None:
            return
        window.trail.record_event(
            TRAIL_EVENT, connection=vault.label, resource=vault.url, status=f"{count} secrets",
            identity=latest_identity(window.session.journal, vault.label))

    @staticmethod
    def _summary(report: DiffReport, declined: bool) -> str:
        parts = []
        for kind in report.kinds:
            counts = report.counts(kind)
            parts.append(f"{KIND_TITLES[kind]}: {counts[DiffState.ONLY_A]} only in A, "
                         f"{counts[DiffState.ONLY_B]} only in B, "
                         f"{counts[DiffState.DIFFERENT]} different, "
                         f"{counts[DiffState.SAME]} same")
        text = "; ".join(parts) + "."
        if report.values_compared:
            text += " Values compared by hash (never shown)."
        elif declined:
            text += " Values not compared: you declined revealing them."
        if report.errors:
            text += " Incomplete: " + " ".join(report.errors)
        return text

    def _apply_filter(self) -> None:
        hidden = self.differences_only.isChecked()
        for kind in self.model.kinds():
            same = self.model.group_index(kind, DiffState.SAME)
            self.view.setRowHidden(same.row(), same.parent(), hidden)

    # --- rows ------------------------------------------------------------------------------

    def open_item(self, index: QModelIndex) -> None:
        """Open the row's item in its vault's tab (side A's, or B's when only B has it)."""
        item = self.model.item_of(index)
        if item is None:
            return
        label = item.source_b if item.state == DiffState.ONLY_B else item.source_a
        choice = self._run_choices.get(label or "")
        if choice is None:
            return
        view = self.window_context.view(KEY_VAULT)
        address = Address(KEY_VAULT, choice.connection, (_COLLECTIONS[item.kind], item.name))
        self.window_context.run_task(view.open_address(address))

    # --- export ----------------------------------------------------------------------------

    def export(self, path: Path | None = None) -> asyncio.Task[Any] | None:
        """Write the last result (asking where, and before replacing a file)."""
        report = self.report
        if report is None:
            return None
        window = self.window_context
        if path is None:
            path = self.choose_save_path(self, "Export the comparison",
                                         Path("vault-comparison.html"), _FORMATS)
            if path is None:
                return None
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in ("html", "csv", "json"):
            path, fmt = path.with_name(path.name + ".html"), "html"
        overwrite = path.exists()
        if overwrite and not window.dialogs.confirm(
                self, "Replace file?", f"{path} already exists.\n\nReplace it with the "
                "comparison?", "Replace"):
            return None

        async def write() -> None:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: write_diff_report(report, path, fmt, overwrite=overwrite))
            self._show(f"Comparison written: {path}")

        return window.run_task(write())

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        super().closeEvent(event)
