"""``SearchPanel``: the widgets of the blob search dock (no service calls: ``BlobSearchTool``
drives it). One query box for three modes:

- **Prefix**: type-ahead; the service lists what starts with the folder plus the typed text;
- **Deep**: substring / glob / regex over full names, with size and last-modified ranges;
- **Tags**: an index-tag filter expression, checked as it is typed, with the rules beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.models.search_results import SearchResultsModel
from vaultbrowser.blob.services.search.criteria import DeepCriteria
from vaultbrowser.blob.services.search.tag_filter import TAG_FILTER_RULES
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.name_match import NameMatch

PREFIX, DEEP, TAGS = "prefix", "deep", "tags"
_MODES = ((PREFIX, "Prefix (type-ahead)"), (DEEP, "Deep search"), (TAGS, "Index tags"))
_PLACEHOLDERS = {
    PREFIX: "Start of the name below the folder, e.g. 2024/03/ (case-sensitive)",
    DEEP: "Part of the name, a glob (*.csv) or a regex — over the whole container",
    TAGS: "\"project\" = 'alpha' AND \"date\" >= '2024-01-01'",
}


class SearchPanel(QWidget):
    """The search dock's contents (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = SearchResultsModel(self)

        self.scope_label = QLabel("Select a container or folder in the Blobs tree, then "
                                  "press Use selection.")
        self.scope_label.setWordWrap(True)
        self.use_selection_button = QPushButton("Use selection")
        self.use_selection_button.setToolTip("Search the container or folder selected in "
                                             "the Blobs tree (tags: the account too)")
        self.mode_combo = QComboBox()
        for key, text in _MODES:
            self.mode_combo.addItem(text, key)
        self.query_edit = QLineEdit()
        self.query_edit.setClearButtonEnabled(True)
        self.flat_check = QCheckBox("Flat")
        self.flat_check.setToolTip("List blobs at every depth below the folder, not one level")
        self.search_button = QPushButton("Search")
        self.search_button.setToolTip("Start the search (Enter)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the search (Esc); the position is kept")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Go on from where the deep search stopped")
        self.more_button = QPushButton("More")
        self.more_button.setToolTip("Load the next page of results (also: scroll to the end)")

        self.match_combo = QComboBox()
        for match, text in ((NameMatch.SUBSTRING, "contains"), (NameMatch.GLOB, "glob"),
                            (NameMatch.REGEX, "regex")):
            self.match_combo.addItem(text, match)
        self.case_check = QCheckBox("Match case")
        self.min_size_edit = _small_edit("min bytes")
        self.max_size_edit = _small_edit("max bytes")
        self.after_edit = _small_edit("modified from (YYYY-MM-DD)")
        self.before_edit = _small_edit("modified to (YYYY-MM-DD)")
        self.deep_options = QWidget()
        options = QHBoxLayout(self.deep_options)
        options.setContentsMargins(0, 0, 0, 0)
        for widget in (self.match_combo, self.case_check, self.min_size_edit,
                       self.max_size_edit, self.after_edit, self.before_edit):
            options.addWidget(widget)

        self.rules_label = QLabel(TAG_FILTER_RULES)
        self.rules_label.setWordWrap(True)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.view = QTableView()
        self.view.setModel(self.results)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        for column, width in ((0, 360), (1, 140), (2, 90), (3, 150)):
            self.view.setColumnWidth(column, width)
        self.view.setToolTip("Enter or double-click: show in the Blobs tree (where download, "
                             "delete and the other actions apply); a folder opens in the "
                             "search")

        top = QHBoxLayout()
        top.addWidget(self.scope_label, 1)
        top.addWidget(self.use_selection_button)
        query = QHBoxLayout()
        for widget in (self.mode_combo, self.query_edit):
            query.addWidget(widget, 1 if widget is self.query_edit else 0)
        for widget in (self.flat_check, self.search_button, self.cancel_button,
                       self.resume_button, self.more_button):
            query.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(query)
        layout.addWidget(self.deep_options)
        layout.addWidget(self.rules_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.view, 1)

        # The keyboard: Down from the query box goes to the results, Esc cancels.
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel_button.click)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.query_edit)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self._focus_results)
        self.mode_combo.currentIndexChanged.connect(self._show_mode)
        self._show_mode()
        self.set_running(False, resumable=False, more=False)

    @property
    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def set_mode(self, mode: str) -> None:
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))

    def set_running(self, running: bool, *, resumable: bool, more: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.resume_button.setVisible(self.mode == DEEP)
        self.resume_button.setEnabled(resumable and not running)
        self.more_button.setEnabled(more and not running)

    def show_status(self, text: str, *, problem: bool = False) -> None:
        self.status_label.setText(("⚠ " if problem else "") + text)
        self.status_label.setProperty("problem", problem)

    def deep_criteria(self, prefix: str) -> DeepCriteria:
        """The deep search's criteria from the boxes.

        Raises:
            InvalidInput: a size or date that is not one (the criteria check the rest).
        """
        match = self.match_combo.currentData()
        return DeepCriteria(
            pattern=self.query_edit.text(), match=match if isinstance(
                match, NameMatch) else NameMatch.SUBSTRING,
            case_sensitive=self.case_check.isChecked(),
            min_size=_size(self.min_size_edit.text(), "smallest size"),
            max_size=_size(self.max_size_edit.text(), "largest size"),
            modified_after=_date(self.after_edit.text(), "from", end=False),
            modified_before=_date(self.before_edit.text(), "to", end=True),
            prefix=prefix)

    def _show_mode(self) -> None:
        mode = self.mode
        self.query_edit.setPlaceholderText(_PLACEHOLDERS[mode])
        self.deep_options.setVisible(mode == DEEP)
        self.rules_label.setVisible(mode == TAGS)
        self.flat_check.setVisible(mode == PREFIX)
        self.search_button.setVisible(mode != PREFIX)  # prefix results come as you type
        self.resume_button.setVisible(mode == DEEP)
        self.query_edit.setToolTip(TAG_FILTER_RULES if mode == TAGS else "")

    def _focus_results(self) -> None:
        self.view.setFocus()
        if self.results.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.results.index(0, 0))


def _small_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def _size(text: str, what: str) -> int | None:
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"The {what} must be a whole number of bytes (got {text!r})."
                           ) from None


def _date(text: str, what: str, *, end: bool) -> datetime | None:
    """A date (the whole day: its end for ``end``) or a date and time, in UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"The last-modified '{what}' must be a date like 2024-03-31 or "
                           f"2024-03-31T12:00 (got {text!r}).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and len(text) <= 10:  # a bare date: up to the end of that day
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999_999)
    return moment
