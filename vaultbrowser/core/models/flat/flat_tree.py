"""``FlatTreeModel``: a ``LazyTreeModel``'s expanded rows as one flat table, for ``TreeTable``.

Why not ``QTreeView``: on every insert under an expanded node it lays out every expanded row
again, asking the model for an index and flags per row. With a Python model that is about 9 µs
a row, so one page landing under 100,000 loaded blobs froze the window for about 0.9 s (issue 5,
measured in bench/). A table view handles an insert in time proportional to the inserted rows,
so this model keeps the tree's visible rows in a list (depth-first, expanded nodes only) and the
view draws the indentation and branch arrows itself.

The rows themselves, and where each sits, are a ``ShownRows``: this model turns the source's
changes, expansion and a new order into its changes, each wrapped in Qt's row signals.

Sorting and filtering (``ChildOrder``) cover loaded rows only, as the pane says. While neither is
active, inserts and removals map to one contiguous block of rows. Beyond ``sync_limit`` rows a
new sort or filter is computed in slices while the current order stays on screen
(``OrderSwitch``: ``pending``, ``order_pending_changed``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from vaultbrowser.core.models.flat.child_order import ChildOrder, Owner
from vaultbrowser.core.models.flat.order_switch import OrderSwitch
from vaultbrowser.core.models.flat.shown_rows import ShownRows
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tree_node import Node, StatusMarker

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()


@guard_model_methods
class FlatTreeModel(QAbstractTableModel):
    """The visible rows of a ``LazyTreeModel``, flattened; expansion state lives here."""

    expanded_changed = Signal(QModelIndex, bool)  # this model's index of the node, expanded
    order_pending_changed = Signal(bool)  # a sort or filter is being computed / was applied

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: LazyTreeModel | None = None
        self._shown = ShownRows(
            lambda: self.sourceModel().root_node, lambda: self._orders.shown,
            lambda node: self.sourceModel().owner_at(node, len(node.children)))
        self._orders = OrderSwitch(self, self.sourceModel, self._show_all, self._open_nodes,
                                   self.order_pending_changed.emit)
        self._removing_status_only = False

    @property
    def _children(self) -> ChildOrder:
        return self._orders.shown

    @property
    def sync_limit(self) -> int:
        """Sorting or filtering up to this many loaded rows happens at once, beyond in
        slices (tests set 0 to exercise the slices)."""
        return self._orders.sync_limit

    @sync_limit.setter
    def sync_limit(self, rows: int) -> None:
        self._orders.sync_limit = rows

    # --- source -------------------------------------------------------------------------------

    def setSourceModel(self, source: LazyTreeModel) -> None:
        self._orders.take_wanted()  # an order computed over the old source's rows is moot
        self.beginResetModel()
        self._source = source
        source.rowsInserted.connect(self._on_rows_inserted)
        source.rowsAboutToBeRemoved.connect(self._on_rows_about_to_be_removed)
        source.rowsRemoved.connect(self._on_rows_removed)
        source.dataChanged.connect(self._on_data_changed)
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._on_reset)
        source.layoutAboutToBeChanged.connect(self.beginResetModel)
        source.layoutChanged.connect(self._on_reset)
        source.headerDataChanged.connect(self.headerDataChanged)
        self._rebuild_all()
        self.endResetModel()

    def sourceModel(self) -> LazyTreeModel:
        assert self._source is not None
        return self._source

    def mapToSource(self, index: AnyIndex) -> QModelIndex:
        if not index.isValid() or self._source is None:
            return QModelIndex()
        return self._source.index_for(self._shown.rows[index.row()], index.column())

    def mapFromSource(self, source_index: AnyIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._shown.row(source_index.internalPointer())
        return self.index(row, source_index.column()) if row >= 0 else QModelIndex()

    def owner(self, row: int) -> Owner:
        return self._shown.rows[row]

    # --- the table ----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown.rows)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        if parent.isValid() or self._source is None:
            return 0
        return self._source.columnCount()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._source is None:
            return None
        return self._source.node_data(self._shown.rows[index.row()], index.column(), role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self._source is None:
            return Qt.ItemFlag.NoItemFlags
        return self._source.node_flags(self._shown.rows[index.row()])

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._source is None or orientation != Qt.Orientation.Horizontal:
            return None
        return self._source.headerData(section, orientation, role)

    # --- tree facts, for the view's branch column ---------------------------------------------

    def depth(self, row: int) -> int:
        return self._shown.depth(row)

    def has_children(self, row: int) -> bool:
        return self.sourceModel().node_has_children(self._shown.rows[row])

    def is_expanded(self, row: int) -> bool:
        return self._shown.is_expanded(row)

    def parent_row(self, row: int) -> int:
        """The row of the node above ``row`` in the tree, or -1 at the top level."""
        return self._shown.parent_row(row)

    # --- expansion ----------------------------------------------------------------------------

    def set_expanded(self, index: AnyIndex, expanded: bool) -> None:
        """Expand or collapse the node at ``index``; expanding fetches its first page."""
        if not index.isValid():
            return
        row = index.row()
        node = self._shown.rows[row]
        expanded_nodes = self._shown.expanded
        if type(node) is not Node or (node in expanded_nodes) == expanded:
            return
        if expanded:
            expanded_nodes.add(node)
            shown = self._shown.subtree(node)
            if shown:
                self._insert(row + 1, shown)
        else:
            end = self._shown.subtree_end(node)
            expanded_nodes.discard(node)
            if end > row + 1:
                self._remove(row + 1, end)
        self.expanded_changed.emit(self.index(row, 0), expanded)
        if expanded:
            source = self.sourceModel()
            source_index = source.index_of(node)
            if source.canFetchMore(source_index):
                source.fetchMore(source_index)

    def is_expanded_index(self, index: AnyIndex) -> bool:
        return index.isValid() and self.is_expanded(index.row())

    # --- sorting and filtering ----------------------------------------------------------------

    # The getters answer what was asked last, computed or not yet: the header and the
    # filter box show it at once.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        asked = self._orders.asked()
        if (column, order) != (asked.sort_column, asked.sort_order):
            self._orders.ask(column, order, asked.filter)

    def sort_column(self) -> int:
        return self._orders.asked().sort_column

    def sortOrder(self) -> Qt.SortOrder:
        return self._orders.asked().sort_order

    def setFilterFixedString(self, pattern: str) -> None:
        asked = self._orders.asked()
        if pattern.casefold() != asked.filter:
            self._orders.ask(asked.sort_column, asked.sort_order, pattern)

    def filter_text(self) -> str:
        return self._orders.asked().filter

    @property
    def pending(self) -> bool:
        """A sort or filter is being computed; the rows shown are still the previous order."""
        return self._orders.pending

    def _show_all(self) -> None:
        if self._source is not None:
            self._replace_rows(0, len(self._shown.rows),
                               self._shown.subtree(self._source.root_node))

    def _open_nodes(self) -> list[Node]:
        """The nodes whose children may be rows: the root and the expanded nodes."""
        if self._source is None:
            return []
        return [self._source.root_node,
                *(node for node in self._shown.expanded if node.parent is not None)]

    # --- row changes --------------------------------------------------------------------------

    def _insert(self, row: int, owners: list[Owner]) -> None:
        self.beginInsertRows(QModelIndex(), row, row + len(owners) - 1)
        self._shown.insert(row, owners)
        self.endInsertRows()

    def _remove(self, first: int, end: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, end - 1)
        self._shown.remove(first, end)
        self.endRemoveRows()

    def _replace_rows(self, first: int, end: int, owners: list[Owner]) -> None:
        """Swap rows ``first:end`` for ``owners`` as one layout change, keeping persistent
        indexes (selection, current row) on their owners."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        rows = self._shown.rows
        owners_before = [rows[index.row()] for index in persistent]
        self._shown.replace(first, end, owners)
        moved = []
        found: dict[int, int] = {}  # a selected row has a persistent index per column
        for index, owner in zip(persistent, owners_before, strict=True):
            row = found.get(id(owner))
            if row is None:
                row = found[id(owner)] = self._shown.row(owner)
            moved.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _rebuild_all(self) -> None:
        self._orders.shown = self._orders.fresh(self._children)
        self._shown.reset(self._shown.subtree(self.sourceModel().root_node) if self._source
                          else [])

    def _relayout_under(self, node: Node, at_once: bool = False) -> None:
        """Rebuild the rows below ``node`` after its children changed (sorted or filtered);
        under many rows, or while another order is computed, the whole order in slices."""
        source = self.sourceModel()
        if not at_once and (self.pending or len(node.children) > self.sync_limit):
            self._orders.again_later()  # the order on screen stays as it is until then
            return
        # A filter verdict can change up the tree: rebuild under the highest ancestor whose
        # verdict changed, or the whole table for a top-level one.
        top = node
        ancestor: Node | None = node
        while ancestor is not None and ancestor is not source.root_node:
            self._children.forget_order(ancestor)
            before = self._children.forget_verdict(ancestor)
            if (self._children.filter and before is not None
                    and before != self._children.accepts(ancestor)):
                top = ancestor.parent if ancestor.parent is not None else source.root_node
            ancestor = ancestor.parent
        self._children.forget_order(top)
        if top is source.root_node:
            self._orders.order_by(self._orders.fresh(self._children))
            return
        if not self._shown.is_open(top):
            return
        first = self._shown.row(top) + 1
        self._replace_rows(first, self._shown.end_below(top, first), self._shown.subtree(top))

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        source = self.sourceModel()
        node = source.node_of(parent)
        status_only = first == last == len(node.children)  # a status row came
        if self.pending and not status_only:
            self._orders.again = True  # the order being computed lacks these rows
        if not self._children.plain and not status_only:
            self._relayout_under(node)
            return
        rows = self._shown
        if not rows.is_open(node):
            return
        if first == 0:
            row = 0 if node is source.root_node else rows.row(node) + 1
        elif self._children.plain:
            row = rows.subtree_end(source.owner_at(node, first - 1))
        else:  # a status row goes last, after the children shown (sorting never moves it)
            shown = self._children.shown_nodes(node)
            row = (rows.subtree_end(shown[-1]) if shown
                   else 0 if node is source.root_node else rows.row(node) + 1)
        self._insert(row, [source.owner_at(node, r) for r in range(first, last + 1)])

    def _on_rows_about_to_be_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        # Removed here, before the source forgets them: nothing shown outlives its source row.
        source = self.sourceModel()
        node = source.node_of(parent)
        owners = [source.owner_at(node, r) for r in range(first, last + 1)]
        spans = []
        for owner in owners:
            row = self._shown.row(owner)
            if row >= 0:
                spans.append((row, self._shown.subtree_end(owner)))
        for first_row, end in self._merged(spans):
            self._remove(first_row, end)
        self._removing_status_only = all(type(owner) is StatusMarker for owner in owners)
        if not self._removing_status_only:
            self._children.forget_order(node)

    def _on_rows_removed(self, parent: QModelIndex, _first: int, _last: int) -> None:
        # Rebuilt while removing.
        if self._removing_status_only:
            return
        node = self.sourceModel().node_of(parent)
        self._children.forget_order(node)
        if not self._children.plain:
            # The order on screen may lack rows that landed while another was computed, and
            # an ancestor may have matched only through the removed rows: rebuild it now.
            self._relayout_under(node, at_once=True)
        wanted = self._orders.wanted
        if wanted is not None:  # it may hold the removed rows: compute it again
            self._orders.order_by(self._orders.fresh(wanted))

    @staticmethod
    def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Adjacent row spans joined, last first (removing from the end keeps rows valid)."""
        merged: list[tuple[int, int]] = []
        for first, end in sorted(spans):
            if merged and merged[-1][1] == first:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((first, end))
        return merged[::-1]

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                         roles: Any = ()) -> None:
        source = self.sourceModel()
        node = source.node_of(top_left.parent())
        items = type(source.owner_at(node, top_left.row())) is Node  # not a status label
        wanted = self._orders.wanted
        if items and wanted is not None and self._moves_rows(wanted, top_left, bottom_right):
            self._orders.again = True
        if items and self._moves_rows(self._children, top_left, bottom_right):
            # A changed sort key (a GET filled a column) or name moves rows: sort and filter
            # again under this node, as a sorting proxy would (the selection follows its row).
            for source_row in range(top_left.row(), bottom_right.row() + 1):
                owner = source.owner_at(node, source_row)
                if type(owner) is Node:
                    self._children.forget_verdict(owner)
            self._relayout_under(node)
        for source_row in range(top_left.row(), bottom_right.row() + 1):
            row = self._shown.row(source.owner_at(node, source_row))
            if row >= 0:
                self.dataChanged.emit(self.index(row, top_left.column()),
                                      self.index(row, bottom_right.column()))

    @staticmethod
    def _moves_rows(order: ChildOrder, top_left: QModelIndex, bottom_right: QModelIndex
                    ) -> bool:
        return ((order.sort_column >= 0 and
                 top_left.column() <= order.sort_column <= bottom_right.column())
                or bool(order.filter and top_left.column() == 0))

    def _on_reset(self) -> None:
        self._orders.take_wanted()  # asked last: laid out now, with the reset's rows
        if self._children.sort_column >= self.sourceModel().columnCount():
            # The columns changed with the reset (a Deleted view has fewer): the sorted one
            # is gone, so the rows show unsorted rather than sorted by a column that is not.
            self._children.sort_column = -1
        self._rebuild_all()
        self.endResetModel()
