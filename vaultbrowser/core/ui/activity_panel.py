"""``ActivityPanel``: the session's HTTP requests, live, filterable and copyable."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.activity_model import ActivityFilterProxy, ActivityModel, Column
from vaultbrowser.core.models.node_tree import RECORD_ROLE


class ActivityPanel(QWidget):
    """A table of the session's requests over an ``ActivityModel``.

    Newest rows are followed (scrolled to) unless the user has scrolled away from the end.
    """

    request_selected = Signal(object)  # the ExchangeRecord of the selected row
    export_requested = Signal()  # the user wants this session's audit trail as CSV/JSON

    def __init__(self, model: ActivityModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ActivityFilterProxy(self)
        self.proxy.setSourceModel(model)
        self._follow = True

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter requests")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_text)
        self.failed_only = QCheckBox("Failed only")
        self.failed_only.toggled.connect(self._on_failed_only)
        self.count_label = QLabel()
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the list (the session's log is kept)")
        self.clear_button.clicked.connect(model.clear)
        self.export_button = QPushButton("Export trail…")
        self.export_button.setToolTip("Save this session's audit trail as CSV or JSON")
        self.export_button.clicked.connect(self.export_requested)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(
            self.view.fontMetrics().height() + 6)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Column.TIME, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.URL, QHeaderView.ResizeMode.Stretch)
        bold = self.view.font()
        bold.setBold(True)  # failed rows are bold: size for them
        metrics = QFontMetrics(bold)
        for column, sample in ((Column.TIME, "00:00:00.000"), (Column.METHOD, "DELETE"),
                               (Column.STATUS, "503 Service Unavailable"),
                               (Column.DURATION, "Duration (ms)"),
                               (Column.REQUEST_ID, "00000000-0000-0000")):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 20)

        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = copy
        # The table's own Ctrl+C copies one cell: take the key first and copy whole rows.
        self.view.installEventFilter(self)

        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.proxy.rowsInserted.connect(self._on_rows_inserted)
        model.counts_changed.connect(self._update_count)
        model.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.failed_only)
        bar.addWidget(self.count_label)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._update_count()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        is_copy = (watched is self.view and isinstance(event, QKeyEvent)
                   and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                   and event.matches(QKeySequence.StandardKey.Copy))
        if is_copy:
            if event.type() == QEvent.Type.KeyPress:
                self.copy_selection()
            event.accept()
            return True
        return super().eventFilter(watched, event)

    # --- counts, filtering --------------------------------------------------------------------

    def count_text(self) -> str:
        total, failed = self.model.rowCount(), self.model.failed_count
        text = f"{total:,} request{'s' if total != 1 else ''} · {failed:,} failed"
        shown = self.proxy.rowCount()
        return text if shown == total else f"{text} · {shown:,} shown"

    def _update_count(self, *_args: object) -> None:
        self.count_label.setText(self.count_text())

    def _on_filter_text(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _on_failed_only(self, checked: bool) -> None:
        self.proxy.set_failed_only(checked)
        self._update_count()

    # --- following the newest row ---------------------------------------------------------------

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.view.verticalScrollBar().maximum()

    def _on_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._follow:
            self.view.scrollToBottom()

    @property
    def following(self) -> bool:
        """True while new rows scroll into view (the user has not scrolled up)."""
        return self._follow

    # --- selection, copy ------------------------------------------------------------------------

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.request_selected.emit(rows[-1].data(RECORD_ROLE))

    def selected_rows(self) -> list[int]:
        """Selected proxy rows, top to bottom as shown."""
        return sorted(index.row() for index in self.view.selectionModel().selectedRows())

    def copy_selection(self) -> str:
        """Copy the selected rows as tab-separated text (to the clipboard); returns it."""
        columns = self.proxy.columnCount()
        lines = ["\t".join(self.proxy.index(row, column).data() or ""
                           for column in range(columns))
                 for row in self.selected_rows()]
        text = "\n".join(lines)
        if text:
            QGuiApplication.clipboard().setText(text)
        return text


class ActivityBadge(QToolButton):
    """The status bar's strip: request and failure counts; a click shows or hides the panel.
    A failure makes it stand out (a word and a mark, never colour alone)."""

    def __init__(self, model: ActivityModel, dock: QDockWidget) -> None:
        super().__init__()
        self._model = model
        self._dock = dock
        self.setAutoRaise(True)
        self.setCheckable(True)
        self.setToolTip("Every HTTP request of this session (click to show or hide)")
        self.setAccessibleName("Activity")
        self.toggled.connect(dock.setVisible)
        dock.visibilityChanged.connect(self._follow_dock)
        model.counts_changed.connect(self._update)
        self._update()

    def _follow_dock(self, visible: bool) -> None:
        if self.isChecked() != visible and not self._dock.isFloating():
            self.blockSignals(True)
            self.setChecked(visible)
            self.blockSignals(False)

    def _update(self, *_args: object) -> None:
        rows, failed = self._model.rowCount(), self._model.failed_count
        text = f"Activity: {rows:,} request{'s' if rows != 1 else ''}"
        if failed:
            text += f" · ⚠ {failed:,} failed"
        self.setText(text)
        font = self.font()
        font.setBold(bool(failed))
        self.setFont(font)
