"""``CrossVaultSearchDialog``: the widgets of Tools ▸ Search all vaults… (non-modal).

The query's fields, the vaults to search (``VaultPicker``), Search and Cancel, the results (a
Vault column first) and one progress row per vault. It makes no service call: ``query()``
turns the fields into a ``VaultQuery`` (raising ``QueryError`` for what is wrong, with the
cursor put in the field), and ``CrossVaultSearchTool`` (``search_tool.py``) runs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.name_match import NameMatch
from vaultbrowser.keyvault.models.across_search_model import (
    HIT_ROLE,
    SORT_ROLE,
    SearchHitsModel,
    VaultProgressModel,
)
from vaultbrowser.keyvault.services.across.search import SearchHit
from vaultbrowser.keyvault.services.across.search_filters import (
    ItemKind,
    QueryError,
    VaultQuery,
    expired,
    expiring_within,
)
from vaultbrowser.keyvault.ui.across.vault_picker import VaultPicker
from vaultbrowser.keyvault.ui.across.vaults import VaultChoice

ANY, EXPIRED, WITHIN, BETWEEN = "any", "expired", "within", "between"


class CrossVaultSearchDialog(QDialog):
    """See the module docstring. ``activated(hit)``: Enter or double-click on a result."""

    activated = Signal(object)
    search_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, choices: Sequence[VaultChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search all vaults")
        self.setModal(False)
        self.running = False
        self.hits = SearchHitsModel(self)
        self.progress = VaultProgressModel(self)

        self.name_edit = _edit("Part of the name, a glob (db-*) or a regex")
        self.match_combo = QComboBox()
        for match in NameMatch:
            self.match_combo.addItem(match.value, match)
        self.case_check = QCheckBox("Match case")
        self.tag_key_edit = _edit("tag name (any)")
        self.tag_value_edit = _edit("value contains")
        self.content_type_edit = _edit("e.g. application/json (secrets)")
        self.enabled_combo = QComboBox()
        for text, value in (("Any", None), ("Yes", True), ("No", False)):
            self.enabled_combo.addItem(text, value)
        self.expiry_combo = QComboBox()
        for text, key in (("Any expiry", ANY), ("Expired", EXPIRED),
                          ("Expires within", WITHIN), ("Expires between", BETWEEN)):
            self.expiry_combo.addItem(text, key)
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 36_500)
        self.days_spin.setValue(30)
        self.days_spin.setSuffix(" days")
        self.expires_from_edit = _edit("from YYYY-MM-DD")
        self.expires_to_edit = _edit("to YYYY-MM-DD")
        self.subject_edit = _edit("subject contains, e.g. CN=web")
        self.issuer_edit = _edit("issuer contains")
        self.thumbprint_edit = _edit("SHA-1 thumbprint (hex, colons allowed)")
        self.kind_checks = {kind: QCheckBox(kind.value.capitalize()) for kind in ItemKind}
        for check in self.kind_checks.values():
            check.setChecked(True)

        form = QGridLayout()
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name_edit)
        form.addWidget(name_label, 0, 0)
        form.addWidget(self.name_edit, 0, 1, 1, 3)
        form.addWidget(_row(self.match_combo, self.case_check), 0, 4)
        form.addWidget(QLabel("Tag"), 1, 0)
        form.addWidget(self.tag_key_edit, 1, 1)
        form.addWidget(QLabel("="), 1, 2)
        form.addWidget(self.tag_value_edit, 1, 3)
        form.addWidget(_row(QLabel("Content type"), self.content_type_edit), 1, 4)
        form.addWidget(QLabel("Enabled"), 2, 0)
        form.addWidget(_row(self.enabled_combo, QLabel("   Expiry"), self.expiry_combo,
                            self.days_spin, self.expires_from_edit, self.expires_to_edit,
                            stretch=True), 2, 1, 1, 4)
        form.addWidget(QLabel("Certificate"), 3, 0)
        form.addWidget(_row(self.subject_edit, self.issuer_edit, self.thumbprint_edit),
                       3, 1, 1, 4)
        form.addWidget(QLabel("Search in"), 4, 0)
        form.addWidget(_row(*self.kind_checks.values(), stretch=True), 4, 1, 1, 4)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        form.setColumnStretch(4, 1)

        self.picker_box = QGroupBox("Vaults")
        self.picker_layout = QVBoxLayout(self.picker_box)
        self.picker = VaultPicker(choices)
        self._choices = list(choices)
        self.picker_layout.addWidget(self.picker)

        self.search_button = QPushButton("Search")
        self.search_button.setToolTip("Search the ticked vaults (Enter in any field)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop every vault's search (Esc)")
        for button in (self.search_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter on a result opens it, it never searches
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.cancel_button)

        self.sorted_hits = QSortFilterProxyModel(self)
        self.sorted_hits.setSourceModel(self.hits)
        self.sorted_hits.setSortRole(SORT_ROLE)
        self.results_view = QTableView()
        self.results_view.setAccessibleName("Matches")
        self.results_view.setModel(self.sorted_hits)
        self.results_view.setSortingEnabled(True)
        self.results_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # arrival order
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.verticalHeader().hide()
        self.results_view.setWordWrap(False)
        self.results_view.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 6)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((150, 240, 80, 64, 250, 260)):
            self.results_view.setColumnWidth(column, width)
        self.results_view.setToolTip("Enter or double-click: open the item in its tab")
        self.results_view.activated.connect(self._on_activated)

        self.progress_view = QTableView()
        self.progress_view.setAccessibleName("Progress per vault")
        self.progress_view.setModel(self.progress)
        self.progress_view.verticalHeader().hide()
        self.progress_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.progress_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.progress_view.setWordWrap(False)
        self.progress_view.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 6)
        self.progress_view.setMinimumHeight(5 * (self.fontMetrics().height() + 6) + 8)
        self.summary_label = QLabel("")

        top = QHBoxLayout()
        top.addLayout(form, 3)
        top.addWidget(self.picker_box, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.progress_view, 1)
        lower_layout.addWidget(self.summary_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.results_view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)

        for edit in self.findChildren(QLineEdit):
            edit.returnPressed.connect(self.search_requested)
        self.search_button.clicked.connect(self.search_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.expiry_combo.currentIndexChanged.connect(lambda _i: self._show_expiry())
        self._show_expiry()
        self.set_running(False)
        self.resize(1100, 720)

    # --- state -------------------------------------------------------------------------------

    def set_choices(self, choices: Sequence[VaultChoice]) -> None:
        """A fresh list of vaults (opened or discovered since), keeping what was ticked."""
        ticked = [choice.url for choice in self.picker.ticked()]
        known = {choice.url for choice in self._choices}
        picker = VaultPicker(choices)
        self._choices = list(choices)
        # A vault not offered before keeps its default tick; the others keep the user's.
        picker.set_ticked(ticked + [c.url for c in picker.ticked() if c.url not in known])
        self.picker_layout.replaceWidget(self.picker, picker)
        self.picker.deleteLater()
        self.picker = picker

    def set_running(self, running: bool) -> None:
        self.running = running
        self.cancel_button.setEnabled(running)
        self.search_button.setText("Search again" if running else "Search")

    def show_message(self, text: str, *, problem: bool = False) -> None:
        self.message_label.setText(("⚠ " if problem else "") + text)
        self.message_label.setProperty("problem", problem)

    def show_summary(self, text: str) -> None:
        self.summary_label.setText(text)

    def current_hit(self) -> SearchHit | None:
        hit = self.results_view.currentIndex().data(HIT_ROLE)
        return hit if isinstance(hit, SearchHit) else None

    # --- the query ---------------------------------------------------------------------------

    def query(self) -> VaultQuery:
        """The fields as a checked ``VaultQuery``.

        Raises:
            QueryError: a field that is wrong (the cursor is put there).
        """
        try:
            expires_from, expires_to = self._expiry()
            match = self.match_combo.currentData()
            query = VaultQuery(
                name=self.name_edit.text().strip(),
                match=match if isinstance(match, NameMatch) else NameMatch.SUBSTRING,
                case_sensitive=self.case_check.isChecked(),
                tag_key=self.tag_key_edit.text(), tag_value=self.tag_value_edit.text().strip(),
                content_type=self.content_type_edit.text(),
                enabled=self.enabled_combo.currentData(),
                expires_from=expires_from, expires_to=expires_to,
                subject=self.subject_edit.text(), issuer=self.issuer_edit.text(),
                thumbprint=self.thumbprint_edit.text(),
                kinds=frozenset(kind for kind, check in self.kind_checks.items()
                                if check.isChecked()))
            query.compile()
        except QueryError as error:
            self._focus(error.field)
            raise
        return query

    def _expiry(self) -> tuple[datetime | None, datetime | None]:
        choice = self.expiry_combo.currentData()
        if choice == EXPIRED:
            return expired()
        if choice == WITHIN:
            return expiring_within(self.days_spin.value())
        if choice == BETWEEN:
            start = _date(self.expires_from_edit.text(), "from", end=False)
            end = _date(self.expires_to_edit.text(), "to", end=True)
            if start is None and end is None:
                raise QueryError("Give a first or a last expiry date (or both).",
                                 field="expiry")
            return start, end
        return None, None

    def _focus(self, field: str) -> None:
        widget: QWidget = {
            "name": self.name_edit, "thumbprint": self.thumbprint_edit,
            "expiry": self.expires_from_edit if self.expiry_combo.currentData() == BETWEEN
            else self.expiry_combo,
            "kinds": self.kind_checks[ItemKind.SECRETS],
        }.get(field, self.name_edit)
        widget.setFocus()

    def _show_expiry(self) -> None:
        choice = self.expiry_combo.currentData()
        self.days_spin.setVisible(choice == WITHIN)
        self.expires_from_edit.setVisible(choice == BETWEEN)
        self.expires_to_edit.setVisible(choice == BETWEEN)

    # --- keys and results --------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.running:
            self.cancel_requested.emit()  # Esc stops a search; once stopped, it closes
            event.accept()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        if self.running:
            self.cancel_requested.emit()  # closing the dialog stops its search
        super().done(result)

    def _on_activated(self, index: object) -> None:
        hit = self.sorted_hits.data(index, HIT_ROLE)  # type: ignore[arg-type]
        if isinstance(hit, SearchHit):
            self.activated.emit(hit)


def _edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def _row(*widgets: QWidget, stretch: bool = False) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    if stretch:
        layout.addStretch(1)
    return holder


def _date(text: str, what: str, *, end: bool) -> datetime | None:
    """A date (its whole day: up to its end for ``end``) or a date and time, in UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(f"The expiry '{what}' date must look like 2025-03-31 or "
                         f"2025-03-31T12:00 (got {text[:40]!r}).", field="expiry") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and len(text) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999_999)
    return moment

