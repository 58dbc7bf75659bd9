"""“Copy to another vault…”: from the selection in a Key Vault tree (an item or version row: that
item; a vault row: its loaded items) to a vault picked among every vault open or discovered.

The dialog asks for the target and the conflict policy (no default: the user chooses), shows
the preview (``VaultCopy.plan``: nothing written), then copies, filling each row's result as it
comes, and offers the report as CSV or JSON. A read-only target is refused in the preview and
the Copy button stays off. Values never reach the dialog: the service reads and writes them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.tones import Tone, tone_brush
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.services.across.copy import VaultCopy
from vaultbrowser.keyvault.services.across.copy_plan import (
    ConflictPolicy,
    CopyItem,
    CopyPlan,
    CopyReport,
    CopyResult,
    Outcome,
    PlannedAction,
)
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice
from vaultbrowser.keyvault.ui.vault_files import choose_save_path, save_bytes

_COLUMNS = ("Kind", "Name", "Plan", "Result", "Why / target id")
_PLAN_TONES = {PlannedAction.REFUSED: Tone.ERROR, PlannedAction.SKIP: Tone.MUTED,
               PlannedAction.NEW_VERSION: Tone.WARNING,
               PlannedAction.CREATE_FROM_POLICY: Tone.WARNING}
_OUTCOME_TONES = {Outcome.COPIED: Tone.SUCCESS, Outcome.NEW_VERSION: Tone.SUCCESS,
                  Outcome.CREATED_FROM_POLICY: Tone.SUCCESS, Outcome.SKIPPED: Tone.MUTED,
                  Outcome.REFUSED: Tone.ERROR, Outcome.FAILED: Tone.ERROR}


class CopyDialog(QDialog):
    """Target, conflict policy, preview, copy, report: see the module docstring."""

    def __init__(self, window: WindowContext, vaults: AllVaults, source: VaultChoice,
                 items: list[CopyItem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Copy to another vault")
        self.window = window
        self.vaults = vaults
        self.source = source
        self.items = items
        self.plan: CopyPlan | None = None
        self.report: CopyReport | None = None
        self.task: asyncio.Task[Any] | None = None
        self.choose_save_path = choose_save_path  # tests replace it
        self.targets = [c for c in vaults.choices() if c.url.lower() != source.url.lower()]

        what = (f"{len(items)} {items[0].kind}{'s' if len(items) != 1 else ''}" if items
                else "nothing")
        self.header = QLabel(f"Copy {what} from <b>{source.label}</b> (each item's latest "
                             "version) to another vault. Preview first: nothing is written "
                             "until you press Copy.")
        self.header.setWordWrap(True)
        self.target_box = QComboBox()
        for choice in self.targets:
            suffix = ((" (discovered)" if choice.discovered else "")
                      + (" (read-only)" if choice.connection.read_only else ""))
            self.target_box.addItem(f"{choice.label}{suffix} — {choice.url}")
        self.target_box.setCurrentIndex(-1)
        self.target_box.setPlaceholderText("Choose the target vault"
                                           if self.targets else "No other vault is open or "
                                           "discovered")
        self.skip_radio = QRadioButton("Skip it")
        self.version_radio = QRadioButton("Add the copy as its new version (keys: refused, a "
                                          "restore cannot add a version)")
        self.policy_group = QButtonGroup(self)
        for radio in (self.skip_radio, self.version_radio):
            self.policy_group.addButton(radio)
        policy_row = QHBoxLayout()
        policy_row.addWidget(self.skip_radio)
        policy_row.addWidget(self.version_radio)
        policy_row.addStretch(1)
        self.from_policy_check = QCheckBox(
            "Create certificates whose private key cannot be exported from the same policy "
            "instead (the target gets a NEW key and certificate)")
        self.from_policy_check.setEnabled(False)
        form = QFormLayout()
        form.addRow("Target vault:", self.target_box)
        form.addRow("When the name exists:", policy_row)
        form.addRow("", self.from_policy_check)

        self.table = QTableWidget(len(items), len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, item in enumerate(items):
            self._cell(row, 0, item.kind)
            self._cell(row, 1, item.name)
        self.status = QLabel("Choose the target vault and what to do with names that exist, "
                             "then Preview.")
        self.status.setWordWrap(True)

        self.preview_button = QPushButton("Preview")
        self.copy_button = QPushButton("Copy")
        self.export_button = QPushButton("Export report…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.preview_button, self.copy_button, self.export_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.preview_button.clicked.connect(self.preview)
        self.copy_button.clicked.connect(self.copy)
        self.export_button.clicked.connect(self.export_report)
        self.target_box.currentIndexChanged.connect(self._forget_plan)
        self.policy_group.buttonToggled.connect(self._forget_plan)
        self.from_policy_check.toggled.connect(self._show_plan_rows)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(980, 520)
        self._update_buttons()

    # --- state -----------------------------------------------------------------------------

    @property
    def target(self) -> VaultChoice | None:
        row = self.target_box.currentIndex()
        return self.targets[row] if 0 <= row < len(self.targets) else None

    @property
    def policy(self) -> ConflictPolicy | None:
        if self.skip_radio.isChecked():
            return ConflictPolicy.SKIP
        if self.version_radio.isChecked():
            return ConflictPolicy.NEW_VERSION
        return None

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def plan_to_run(self) -> CopyPlan | None:
        if self.plan is None:
            return None
        return self.plan.with_policy_creates() if self.from_policy_check.isChecked() \
            else self.plan

    def _update_buttons(self) -> None:
        plan = self.plan_to_run()
        ready = self.target is not None and self.policy is not None and bool(self.items)
        self.preview_button.setEnabled(ready and not self.busy)
        self.copy_button.setEnabled(not self.busy and self.report is None and plan is not None
                                    and not plan.target_read_only and bool(plan.writes))
        self.export_button.setEnabled(self.report is not None and not self.busy)
        offers = self.plan is not None and any(p.can_create_from_policy for p in self.plan.items)
        self.from_policy_check.setEnabled(offers and self.report is None and not self.busy)
        for widget in (self.target_box, self.skip_radio, self.version_radio):
            widget.setEnabled(not self.busy)

    def _forget_plan(self, *_args: Any) -> None:
        if self.busy:
            return
        self.plan, self.report = None, None
        for row in range(self.table.rowCount()):
            for column in (2, 3, 4):
                self._cell(row, column, "")
        self._update_buttons()

    def _cell(self, row: int, column: int, text: str, tip: str | None = None,
              tone: Tone | None = None) -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(tip if tip is not None else text)
        if tone is not None:
            item.setForeground(tone_brush(tone))
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, column, item)

    # --- preview ---------------------------------------------------------------------------

    def preview(self) -> asyncio.Task[Any] | None:
        target, policy = self.target, self.policy
        if target is None or policy is None or self.busy:
            return None
        self.status.setText(f"Reading {self.source.label} and {target.label}…")
        return self._start(self._preview(target, policy))

    async def _preview(self, target: VaultChoice, policy: ConflictPolicy) -> None:
        async with self.vaults.opened([self.source, target]) as (source_vault, target_vault):
            plan = await VaultCopy(source_vault, target_vault).plan(self.items, policy)
        self.plan, self.report = plan, None
        self._show_plan_rows()

    def _show_plan_rows(self, *_args: Any) -> None:
        plan = self.plan_to_run()
        if plan is None:
            return
        for row, planned in enumerate(plan.items):
            self._cell(row, 2, planned.action.value, tone=_PLAN_TONES.get(planned.action))
            self._cell(row, 3, "")
            self._cell(row, 4, planned.reason)
        if plan.target_read_only:
            self.status.setText(f"{plan.target} is read-only: nothing will be copied and "
                                "nothing is sent to it.")
        else:
            counts: dict[str, int] = {}
            for planned in plan.items:
                counts[planned.action.value] = counts.get(planned.action.value, 0) + 1
            said = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.status.setText(f"Preview: {said}. Nothing has been written yet.")
        self._update_buttons()

    # --- copy ------------------------------------------------------------------------------

    def copy(self) -> asyncio.Task[Any] | None:
        plan, target = self.plan_to_run(), self.target
        if plan is None or target is None or self.busy or plan.target_read_only:
            return None
        self.status.setText(f"Copying to {target.label}…")
        return self._start(self._copy(plan, target))

    async def _copy(self, plan: CopyPlan, target: VaultChoice) -> None:
        report = self.report = CopyReport(plan.source, plan.target)
        rows = {planned.item: row for row, planned in enumerate(plan.items)}
        async with self.vaults.opened([self.source, target]) as (source_vault, target_vault):
            async for result in VaultCopy(source_vault, target_vault).run(plan):
                report.results.append(result)
                self._show_result(rows[result.item], result)
        report.in_plan_order(plan)
        self.status.setText(f"Done: {report.summary}. Export the report to keep it.")
        self._record(report, target)
        self.refresh_target(target, report)

    def _show_result(self, row: int, result: CopyResult) -> None:
        self._cell(row, 3, result.outcome.value, tone=_OUTCOME_TONES.get(result.outcome))
        self._cell(row, 4, result.target_id or result.reason,
                   "\n".join(t for t in (result.reason, result.target_id) if t))

    def _record(self, report: CopyReport, target: VaultChoice) -> None:
        trail = self.window.trail
        if trail is None:
            return
        for result in report.results:
            trail.record_event(f"copy {result.item.kind} to another vault",
                               connection=target.label,
                               resource=result.target_id or result.item.name,
                               status=result.outcome.value)

    def refresh_target(self, target: VaultChoice, report: CopyReport) -> None:
        """Refresh the target vault's rows in the trees that got new items."""
        if target.root is None:
            return
        kinds = {r.item.kind for r in report.results if r.target_id}
        view = self.window.view("keyvault")
        for pane in (view.secrets_pane, view.certificates_pane, view.keys_pane):
            model = pane.model
            if model.item_type.noun not in kinds:
                continue
            for row in range(model.rowCount()):
                index = model.index(row, 0)
                if model.record_of(index) is target.root and model.node_of(index).listed:
                    model.refresh(index)

    # --- tasks and the report --------------------------------------------------------------

    def _start(self, coroutine: Any) -> asyncio.Task[Any]:
        self.task = self.window.run_task(coroutine)
        self.task.add_done_callback(self._finished)
        self._update_buttons()
        return self.task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            self.status.setText("Stopped: items not reached were not copied.")
        elif task.exception() is not None:
            self.status.setText("Failed: see the error. Nothing more was copied.")
        self._update_buttons()

    def export_report(self) -> None:
        report = self.report
        if report is None:
            return
        path = self.choose_save_path(self, "Export copy report", Path("copy-report.csv"),
                                     "CSV (*.csv);;JSON (*.json)")
        if path is None:
            return
        self.save_report(path)

    def save_report(self, path: Path) -> None:
        """Write the report (CSV, or JSON for a .json path); never a value."""
        report = self.report
        if report is None:
            raise InvalidInput("There is no report yet: copy first.")
        text = report.to_json() if path.suffix.lower() == ".json" else report.to_csv()
        overwrite = path.exists() and self.window.dialogs.confirm(
            self, "Replace file", f"{path.name} exists. Replace it?", "Replace")
        save_bytes(path, text.encode("utf-8"), overwrite=overwrite)
        self.status.setText(f"Report saved to {path}.")

    def reject(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        super().reject()
