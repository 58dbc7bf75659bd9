"""``ColumnFit``: a tree's columns sized to what they show and to the pane.

- The value columns take the width of the first page's rows (up to a cap); the name column
  stretches over what is left, never narrower than ``NAME_MIN``.
- When the pane is too narrow for every column, the least important ones step aside (the
  model's ``column_priority``: 0 is essential, higher gives way first) and come back when it
  widens. The header's context menu shows or hides any column; the user's choice wins. A
  column without a title (a spare one nothing fills yet) stays hidden.
- Widths the user sets and columns the user shows or hides are remembered by column title
  (``state`` / ``restore``), per tree, across sessions.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QMenu

NAME_MIN = 220  # px: names stay readable before a value column is dropped
VALUE_MAX = 240  # px: a first-page value column is never fitted wider than this


class ColumnFit(QObject):
    def __init__(self, view: Any, model: Any) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self.fitted = False  # sized once (to the first page, to set widths or to a saved state)
        self._widths: dict[int, int] = {}  # a hidden column's width, for when it comes back
        self._user_hidden: set[str] = set()
        self._user_shown: set[str] = set()
        self._adjusting = False
        header = self.header
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        header.sectionResized.connect(self._on_section_resized)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(30)
        self._refit.timeout.connect(self.fit_width)
        model.modelReset.connect(self._on_reset)
        # Columns the first page left empty (filled later, in the background): sized again
        # once, when their values arrive.
        self._empty: set[int] = set()
        self._late_fit = QTimer(self)
        self._late_fit.setSingleShot(True)
        self._late_fit.setInterval(150)
        self._late_fit.timeout.connect(self._fit_late_columns)
        model.dataChanged.connect(self._on_data_changed)
        model.headerDataChanged.connect(self._on_titles_changed)

    @property
    def header(self) -> QHeaderView:
        return self._view.horizontalHeader()

    def _title(self, column: int) -> str:
        return str(self._model.headerData(column, Qt.Orientation.Horizontal) or "")

    # --- sizing ---------------------------------------------------------------------------------

    def set_widths(self, widths: tuple[int, ...]) -> None:
        """Fixed starting widths (instead of fitting the first page's rows)."""
        for column, width in enumerate(widths):
            self._view.setColumnWidth(column, width)
        self.fitted = True
        self._stretch_names()

    def fit_to_page(self, parent: QModelIndex, count: int) -> None:
        """Size the value columns to the first page of real rows (then leave them alone)."""
        if self.fitted or not count or not parent.isValid():
            return
        self.fitted = True
        self._adjusting = True
        try:
            for column in range(1, self._model.columnCount()):
                self._view.resizeColumnToContents(column)
                self._view.setColumnWidth(column,
                                          min(self._view.columnWidth(column) + 8, VALUE_MAX))
                if not any(self._model.index(row, column, parent).data()
                           for row in range(min(count, self._model.rowCount(parent)))):
                    self._empty.add(column)
        finally:
            self._adjusting = False
        self._stretch_names()

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                         _roles: Any = ()) -> None:
        # A status row's count ("N loaded · more available") changes with every page: it
        # brings no values, and a refit per page costs a resizeColumnToContents over up to
        # 1,000 rows (35 ms a page at 2,000 secrets).
        is_status = getattr(self._model, "is_status_index", None)
        if (top_left.row() == bottom_right.row() and is_status is not None
                and is_status(top_left)):
            return
        if (self._empty and not self._late_fit.isActive()
                and any(top_left.column() <= c <= bottom_right.column() for c in self._empty)):
            self._late_fit.start()

    def _fit_late_columns(self) -> None:
        header = self.header
        for column in sorted(self._empty):
            if column >= self._model.columnCount() or header.isSectionHidden(column):
                continue
            before = header.sectionSize(column)
            self._view.resizeColumnToContents(column)
            width = min(self._view.columnWidth(column) + 8, VALUE_MAX)
            if width > before:
                self._empty.discard(column)  # it has values now: sized once, then left alone
                self._view.setColumnWidth(column, width)
            else:
                self._view.setColumnWidth(column, before)
        self.fit_width()

    def _stretch_names(self) -> None:
        header = self.header
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.fit_width()

    def schedule_fit(self) -> None:
        """Refit soon (the pane was resized): coalesced."""
        if self.fitted and not self._refit.isActive():
            self._refit.start()

    def fit_width(self) -> None:
        """Show the columns that fit, most important first; the rest step aside."""
        header = self.header
        available = self._view.viewport().width()
        if available <= 0 or self._model.columnCount() <= 1:
            return
        columns = sorted(range(1, self._model.columnCount()),
                         key=lambda c: (self._model.column_priority(c), c))
        used = NAME_MIN
        full = False  # once a column does not fit, the less important ones stay aside too
        self._adjusting = True
        try:
            for column in columns:
                title = self._title(column)
                width = header.sectionSize(column) or self._widths.get(column, 100)
                if not title:
                    show = False  # a spare column nothing fills yet: no blank header
                elif title in self._user_hidden:
                    show = False
                elif title in self._user_shown or self._model.column_priority(column) == 0:
                    show = True
                else:
                    show = not full and used + width <= available
                    full = not show
                if show:
                    used += width
                    if header.isSectionHidden(column):
                        header.showSection(column)
                        header.resizeSection(column, self._widths.get(column, width))
                elif not header.isSectionHidden(column):
                    self._widths[column] = width
                    header.hideSection(column)
        finally:
            self._adjusting = False

    def hidden_titles(self) -> list[str]:
        return [self._title(c) for c in range(1, self._model.columnCount())
                if self._title(c) and self.header.isSectionHidden(c)]

    def _on_titles_changed(self, orientation: Qt.Orientation, _first: int, _last: int) -> None:
        # A column given a title (or losing it) shows (or steps aside) at once.
        if orientation == Qt.Orientation.Horizontal and self.fitted:
            self.fit_width()

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        if not self._adjusting and column > 0 and new > 0:
            self._widths[column] = new

    def _on_reset(self) -> None:
        """Other columns (a Deleted view): start over, keeping what the user chose."""
        self._widths.clear()
        self._empty.clear()
        self.fitted = False
        for column in range(self._model.columnCount()):
            self.header.showSection(column)

    # --- the header's menu ----------------------------------------------------------------------

    def _menu(self, position: QPoint) -> None:
        menu = self.build_menu()
        menu.exec(self.header.mapToGlobal(position))

    def build_menu(self) -> QMenu:
        menu = QMenu(self.header)
        for column in range(1, self._model.columnCount()):
            title = self._title(column)
            if not title:
                continue
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.header.isSectionHidden(column))
            action.toggled.connect(lambda on, title=title: self.set_shown(title, on))
        menu.addSeparator()
        menu.addAction("Fit columns to the pane", self.reset_choices)
        return menu

    def set_shown(self, title: str, shown: bool) -> None:
        """The user's choice for a column, kept until they choose again."""
        (self._user_shown if shown else self._user_hidden).add(title)
        (self._user_hidden if shown else self._user_shown).discard(title)
        self.fit_width()

    def reset_choices(self) -> None:
        self._user_hidden.clear()
        self._user_shown.clear()
        self.fit_width()

    # --- remembered -----------------------------------------------------------------------------

    def state(self) -> str:
        """Widths by title and the user's choices, as JSON text (for QSettings)."""
        widths = {}
        for column in range(1, self._model.columnCount()):
            width = self.header.sectionSize(column) or self._widths.get(column, 0)
            if width:
                widths[self._title(column)] = width
        return json.dumps({"widths": widths, "hidden": sorted(self._user_hidden),
                           "shown": sorted(self._user_shown)})

    def restore(self, text: Any) -> None:
        """What ``state`` saved; anything unreadable is ignored (the defaults stay)."""
        try:
            saved = json.loads(str(text))
            widths = {str(k): int(v) for k, v in dict(saved.get("widths", {})).items()}
            hidden = {str(t) for t in saved.get("hidden", [])}
            shown = {str(t) for t in saved.get("shown", [])}
        except (ValueError, TypeError, AttributeError):
            return
        for column in range(1, self._model.columnCount()):
            width = widths.get(self._title(column))
            if width and 8 <= width <= 2000:
                self._view.setColumnWidth(column, width)
        self._user_hidden, self._user_shown = hidden, shown - hidden
        self.fitted = True
        self._stretch_names()
