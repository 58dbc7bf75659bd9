"""``TreeTable``: a tree drawn by a table view over a ``FlatTreeModel``.

It looks and behaves like ``QTreeView`` (indentation, branch arrows, click the arrow or press
Right/Left/+/- to expand or collapse, Enter or double-click activates) but an insert costs time
proportional to the rows inserted, not to every expanded row (see ``models/flat_tree.py``).
The API the panes use mirrors ``QTreeView``'s: ``expand``, ``collapse``, ``setExpanded``,
``isExpanded``, ``indexBelow``, ``header`` and the ``expanded`` / ``collapsed`` signals.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOption,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.ui.tree.appends_below_view import AppendsBelowView
from vaultbrowser.core.ui.tree.tree_accessibility import accessible_as_tree

AnyIndex = QModelIndex | QPersistentModelIndex


class BranchDelegate(QStyledItemDelegate):
    """Paints column 0 indented by depth, with the style's branch arrow before the text, and the
    current cell of any other column without the focus frame (rows are selected whole).

    The view gives it only those cells: the others go to Qt's own delegate, which draws the
    same without a Python call per cell (``TreeTable._follow_current_column``).
    """

    def __init__(self, view: TreeTable) -> None:
        super().__init__(view)
        self._view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        option.state &= ~QStyle.StateFlag.State_HasFocus  # rows are selected whole
        if index.column() != 0:
            super().paint(painter, option, index)
            return
        view = self._view
        model = view.flat_model()
        row = index.row()
        indent = view.indentation()
        rect = QRect(option.rect)
        style = view.style()
        # The selection's background across the indentation too (the view's option already
        # carries the state; the item's own roles are read once, by the base class below).
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, view)
        offset = view.branch_offset(row)
        branch = QStyleOption()
        branch.initFrom(view)
        branch.rect = QRect(rect.x() + offset, rect.y(), indent, rect.height())
        branch.state = QStyle.StateFlag.State_Item
        if option.state & QStyle.StateFlag.State_Selected:
            branch.state |= QStyle.StateFlag.State_Selected
        if model.has_children(row):
            branch.state |= QStyle.StateFlag.State_Children
            if model.is_expanded(row):
                branch.state |= QStyle.StateFlag.State_Open
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorBranch, branch, painter, view)
        content = QStyleOptionViewItem(option)
        content.rect = QRect(rect.x() + offset + indent, rect.y(),
                             max(0, rect.width() - offset - indent), rect.height())
        super().paint(painter, content, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> Any:
        hint = super().sizeHint(option, index)
        if index.column() == 0:
            hint.setWidth(hint.width() + self._view.branch_offset(index.row())
                          + self._view.indentation())
        return hint


@accessible_as_tree
class TreeTable(QTableView):
    """A ``QTableView`` that shows a ``FlatTreeModel`` as a tree."""

    expanded = Signal(QModelIndex)
    collapsed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spans: frozenset[int] = frozenset()
        self._indentation = self.style().pixelMetric(
            QStyle.PixelMetric.PM_TreeViewIndentation, None, self) or 20
        # Qt's delegate draws the plain cells; ours the branch column and the current cell, the
        # one a Python delegate must change (no focus frame): painting a screenful cost a
        # Python call per cell before.
        self._plain_delegate = QStyledItemDelegate(self)
        self._branch_delegate = BranchDelegate(self)
        self._focus_column = 0
        self.setItemDelegate(self._plain_delegate)
        self.setItemDelegateForColumn(0, self._branch_delegate)
        self._appends = AppendsBelowView(self)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Every row the same height, as compact as QTreeView's.
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 4)
        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.setSectionsMovable(False)  # column 0 carries the tree

    # --- status rows span the row ----------------------------------------------------------------

    def paintEvent(self, event: Any) -> None:
        # A status row ("⚠ No access to this subscription", "250 loaded · more available")
        # has text in the name column only: it spans the whole row so it is never clipped.
        # Only rows in view carry a span, recomputed when they change (setSpan repaints).
        spans = self._status_rows_in_view()
        if spans != self._spans:
            self.clearSpans()
            columns = self.model().columnCount() if self.model() is not None else 0
            if columns > 1:
                for row in spans:
                    self.setSpan(row, 0, 1, columns)
            self._spans = spans
        super().paintEvent(event)

    def _status_rows_in_view(self) -> frozenset[int]:
        model = self.model()
        if model is None:
            return frozenset()
        first = self.rowAt(0)
        if first < 0:
            return frozenset()
        last = self.rowAt(self.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        return frozenset(row for row in range(first, last + 1)
                         if model.index(row, 0).data(STATUS_ROLE) is not None)

    # --- delegates: ours only where a cell differs from Qt's ---------------------------------

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._follow_current_column(current.column() if current.isValid() else 0)

    def _follow_current_column(self, column: int) -> None:
        if column == self._focus_column:
            return
        if self._focus_column > 0:
            self.setItemDelegateForColumn(self._focus_column, None)  # Qt's delegate again
        if column > 0:
            self.setItemDelegateForColumn(column, self._branch_delegate)
        self._focus_column = column

    # --- layout: rows appended out of sight repaint nothing ---------------------------------

    def doItemsLayout(self) -> None:
        if self._appends.take():
            self.updateGeometries()  # the scroll bar takes the new rows; the rows shown stay
            return
        super().doItemsLayout()

    # --- model --------------------------------------------------------------------------------

    def setModel(self, model: Any) -> None:
        previous = self.model()
        if isinstance(previous, FlatTreeModel):
            previous.expanded_changed.disconnect(self._on_expanded_changed)
        super().setModel(model)
        self._appends.watch(model)
        if (selection := self.selectionModel()) is not None:  # a new one with each model
            selection.currentChanged.connect(self._on_current_changed)
        self._follow_current_column(0)
        if isinstance(model, FlatTreeModel):
            model.expanded_changed.connect(self._on_expanded_changed)

    def flat_model(self) -> FlatTreeModel:
        model = self.model()
        assert isinstance(model, FlatTreeModel)
        return model

    def _on_expanded_changed(self, index: QModelIndex, expanded: bool) -> None:
        (self.expanded if expanded else self.collapsed).emit(index)

    # --- QTreeView's API ----------------------------------------------------------------------

    def header(self) -> QHeaderView:
        return self.horizontalHeader()

    def indentation(self) -> int:
        return self._indentation

    def branch_offset(self, row: int) -> int:
        return self.flat_model().depth(row) * self._indentation

    def expand(self, index: AnyIndex) -> None:
        self.flat_model().set_expanded(index, True)

    def collapse(self, index: AnyIndex) -> None:
        self.flat_model().set_expanded(index, False)

    def setExpanded(self, index: AnyIndex, expanded: bool) -> None:
        self.flat_model().set_expanded(index, expanded)

    def isExpanded(self, index: AnyIndex) -> bool:
        return self.flat_model().is_expanded_index(index)

    def indexBelow(self, index: AnyIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        return self.model().index(index.row() + 1, index.column())

    # --- mouse and keys -----------------------------------------------------------------------

    def _on_branch(self, index: QModelIndex, x: int) -> bool:
        if not index.isValid() or index.column() != 0:
            return False
        model = self.flat_model()
        if not model.has_children(index.row()):
            return False
        start = self.visualRect(index).x() + self.branch_offset(index.row())
        return start <= x < start + self._indentation

    def mousePressEvent(self, event: QMouseEvent) -> None:
        position = event.position().toPoint()
        index = self.indexAt(position)
        if event.button() == Qt.MouseButton.LeftButton and self._on_branch(index, position.x()):
            self.setExpanded(index, not self.isExpanded(index))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        position = event.position().toPoint()
        if self._on_branch(self.indexAt(position), position.x()):
            event.accept()  # the press already toggled it
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if not current.isValid():
            super().keyPressEvent(event)
            return
        model = self.flat_model()
        row = current.row()
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Plus) and model.has_children(row):
            if not model.is_expanded(row):
                self.expand(current)
            elif key == Qt.Key.Key_Right and row + 1 < model.rowCount():
                self.setCurrentIndex(model.index(row + 1, current.column()))
            event.accept()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Minus):
            if model.is_expanded(row):
                self.collapse(current)
            elif key == Qt.Key.Key_Left and (parent := model.parent_row(row)) >= 0:
                self.setCurrentIndex(model.index(parent, current.column()))
            event.accept()
            return
        super().keyPressEvent(event)
