"""``FlatTreeModel``: a ``LazyTreeModel``'s expanded rows as one flat table, for ``TreeTable``.

Why not ``QTreeView``: on every insert under an expanded node it lays out every expanded row
again, asking the model for an index and flags per row. With a Python model that is about 9 µs
a row, so one page landing under 100,000 loaded blobs froze the window for about 0.9 s (issue 5,
measured in bench/). A table view handles an insert in time proportional to the inserted rows,
so this model keeps the tree's visible rows in a list (depth-first, expanded nodes only) and the
view draws the indentation and branch arrows itself.

Each row holds the source's own internal pointer (a ``Node`` or a status row's marker), so
mapping to the source is a list lookup. Mapping back uses a row cache that stays valid up to the
first changed row, so appending pages at the end never rescans the rows above.

Sorting and filtering (``ChildOrder``) cover loaded rows only, as the pane says. While neither is
active, inserts and removals map to one contiguous block of rows.
"""

from __future__ import annotations

import weakref
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from vaultbrowser.core.models.child_order import ChildOrder, Owner
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tree_node import Node

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()


@guard_model_methods
class FlatTreeModel(QAbstractTableModel):
    """The visible rows of a ``LazyTreeModel``, flattened; expansion state lives here."""

    expanded_changed = Signal(QModelIndex, bool)  # this model's index of the node, expanded

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: LazyTreeModel | None = None
        self._rows: list[Owner] = []
        self._row_of: dict[int, int] = {}  # id(owner) → row, correct below _valid_upto
        self._valid_upto = 0
        self._expanded: weakref.WeakSet[Node] = weakref.WeakSet()
        self._children = ChildOrder(self.sourceModel)

    # --- source -------------------------------------------------------------------------------

    def setSourceModel(self, source: LazyTreeModel) -> None:
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
        return self._source.index_for(self._rows[index.row()], index.column())

    def mapFromSource(self, source_index: AnyIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._row(source_index.internalPointer())
        return self.index(row, source_index.column()) if row >= 0 else QModelIndex()

    def owner(self, row: int) -> Owner:
        return self._rows[row]

    # --- the table ----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        if parent.isValid() or self._source is None:
            return 0
        return self._source.columnCount()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._source is None:
            return None
        return self._source.node_data(self._rows[index.row()], index.column(), role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self._source is None:
            return Qt.ItemFlag.NoItemFlags
        return self._source.node_flags(self._rows[index.row()])

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._source is None or orientation != Qt.Orientation.Horizontal:
            return None
        return self._source.headerData(section, orientation, role)

    # --- tree facts, for the view's branch column ---------------------------------------------

    def depth(self, row: int) -> int:
        owner = self._rows[row]
        depth = 0
        node = owner.node if type(owner) is not Node else owner
        root = self.sourceModel().root_node
        if node is not owner:
            depth = 1  # a status row sits one level below its node
        parent = node.parent
        while parent is not None and parent is not root:
            depth += 1
            parent = parent.parent
        return depth

    def has_children(self, row: int) -> bool:
        return self.sourceModel().node_has_children(self._rows[row])

    def is_expanded(self, row: int) -> bool:
        owner = self._rows[row]
        return type(owner) is Node and owner in self._expanded

    def parent_row(self, row: int) -> int:
        """The row of the node above ``row`` in the tree, or -1 at the top level."""
        owner = self._rows[row]
        node = owner.node if type(owner) is not Node else owner
        if node is not owner:
            return self._row(node)
        parent = node.parent
        if parent is None or parent is self.sourceModel().root_node:
            return -1
        return self._row(parent)

    # --- expansion ----------------------------------------------------------------------------

    def set_expanded(self, index: AnyIndex, expanded: bool) -> None:
        """Expand or collapse the node at ``index``; expanding fetches its first page."""
        if not index.isValid():
            return
        row = index.row()
        node = self._rows[row]
        if type(node) is not Node or (node in self._expanded) == expanded:
            return
        if expanded:
            self._expanded.add(node)
            shown = self._subtree(node)
            if shown:
                self._insert(row + 1, shown)
        else:
            end = self._subtree_end(node)
            self._expanded.discard(node)
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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) == (self._children.sort_column, self._children.sort_order):
            return
        self._children.sort_column, self._children.sort_order = column, order
        self._relayout_all()

    def sort_column(self) -> int:
        return self._children.sort_column

    def sortOrder(self) -> Qt.SortOrder:
        return self._children.sort_order

    def setFilterFixedString(self, pattern: str) -> None:
        folded = pattern.casefold()
        if folded == self._children.filter:
            return
        self._children.filter = folded
        self._relayout_all()

    def filter_text(self) -> str:
        return self._children.filter

    # --- the row cache ------------------------------------------------------------------------

    def _row(self, owner: Owner) -> int:
        """The row showing ``owner``, or -1 when it is not shown."""
        rows = self._rows
        row = self._row_of.get(id(owner))
        if row is not None and row < len(rows) and rows[row] is owner:
            return row
        if self._valid_upto < len(rows):
            row_of = self._row_of
            if len(row_of) > 2 * len(rows) + 64:  # forget removed rows now and then
                row_of.clear()
                self._valid_upto = 0
            for position in range(self._valid_upto, len(rows)):
                row_of[id(rows[position])] = position
            self._valid_upto = len(rows)
            row = row_of.get(id(owner))
            if row is not None and row < len(rows) and rows[row] is owner:
                return row
        return -1

    def _invalidate_from(self, row: int) -> None:
        self._valid_upto = min(self._valid_upto, row)

    # --- what is shown ------------------------------------------------------------------------

    def _subtree(self, node: Node) -> list[Owner]:
        """The rows below an expanded ``node``, depth first (empty when it is collapsed)."""
        out: list[Owner] = []
        if node is self.sourceModel().root_node or node in self._expanded:
            self._collect(node, out)
        return out

    def _collect(self, node: Node, out: list[Owner]) -> None:
        shown = self._children.shown_children(node)
        if not any(open_node.parent is node for open_node in self._expanded):
            out.extend(shown)  # the common case: nothing below is expanded
            return
        for child in shown:
            out.append(child)
            if type(child) is Node and child in self._expanded:
                self._collect(child, out)

    def _subtree_end(self, owner: Owner) -> int:
        """One past the last row of ``owner``'s shown subtree (``owner`` must be shown)."""
        while type(owner) is Node and owner in self._expanded:
            shown = self._children.last_shown_child(owner)
            if shown is None:
                break
            owner = shown
        return self._row(owner) + 1

    def _is_open(self, node: Node) -> bool:
        """Whether ``node``'s children are rows here: it is expanded and shown (or the root)."""
        if node is self.sourceModel().root_node:
            return True
        return node in self._expanded and self._row(node) >= 0

    # --- row changes --------------------------------------------------------------------------

    def _insert(self, row: int, owners: list[Owner]) -> None:
        self.beginInsertRows(QModelIndex(), row, row + len(owners) - 1)
        self._rows[row:row] = owners
        self._invalidate_from(row)
        self.endInsertRows()

    def _remove(self, first: int, end: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, end - 1)
        del self._rows[first:end]
        self._invalidate_from(first)
        self.endRemoveRows()

    def _replace_rows(self, first: int, end: int, owners: list[Owner]) -> None:
        """Swap rows ``first:end`` for ``owners`` as one layout change, keeping persistent
        indexes (selection, current row) on their owners."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        owners_before = [self._rows[index.row()] for index in persistent]
        self._rows[first:end] = owners
        self._invalidate_from(first)
        moved = []
        for index, owner in zip(persistent, owners_before, strict=True):
            row = self._row(owner)
            moved.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _rebuild_all(self) -> None:
        self._children.forget_all()
        self._rows = self._subtree(self.sourceModel().root_node) if self._source else []
        self._row_of.clear()
        self._valid_upto = 0

    def _relayout_all(self) -> None:
        if self._source is None:
            return
        self._children.forget_all()
        self._replace_rows(0, len(self._rows), self._subtree(self._source.root_node))

    def _relayout_under(self, node: Node) -> None:
        """Rebuild the rows below ``node`` after its children changed (sorted or filtered)."""
        source = self.sourceModel()
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
            self._relayout_all()
            return
        if not self._is_open(top):
            return
        first = self._row(top) + 1
        # Where the rows shown now end: read from the rows themselves, since the caches that
        # _subtree_end reads already describe the new order and verdicts.
        end = first
        rows = self._rows
        while end < len(rows) and self._is_below(rows[end], top):
            end += 1
        self._replace_rows(first, end, self._subtree(top))

    @staticmethod
    def _is_below(owner: Owner, top: Node) -> bool:
        """Whether ``owner`` (a node or a status row) sits in ``top``'s subtree, below it."""
        node = owner.parent if type(owner) is Node else owner.node
        while node is not None:
            if node is top:
                return True
            node = node.parent
        return False

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        source = self.sourceModel()
        node = source.node_of(parent)
        if not self._children.plain:
            self._relayout_under(node)
            return
        if not self._is_open(node):
            return
        if first == 0:
            row = 0 if node is source.root_node else self._row(node) + 1
        else:
            row = self._subtree_end(source.owner_at(node, first - 1))
        self._insert(row, [source.owner_at(node, r) for r in range(first, last + 1)])

    def _on_rows_about_to_be_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        # Removed here, before the source forgets them: nothing shown outlives its source row.
        source = self.sourceModel()
        node = source.node_of(parent)
        owners = [source.owner_at(node, r) for r in range(first, last + 1)]
        spans = []
        for owner in owners:
            row = self._row(owner)
            if row >= 0:
                spans.append((row, self._subtree_end(owner)))
        for first_row, end in self._merged(spans):
            self._remove(first_row, end)
        self._children.forget_order(node)

    def _on_rows_removed(self, parent: QModelIndex, _first: int, _last: int) -> None:
        # Rebuilt while removing.
        self._children.forget_order(self.sourceModel().node_of(parent))
        if self._children.filter:  # an ancestor may have matched only through the removed rows
            self._relayout_under(self.sourceModel().node_of(parent))

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
        first_column, last_column = top_left.column(), bottom_right.column()
        sort_column = self._children.sort_column
        if ((sort_column >= 0 and first_column <= sort_column <= last_column)
                or (self._children.filter and first_column == 0)):
            # A changed sort key (a GET filled a column) or name moves rows: sort and filter
            # again under this node, as a sorting proxy would (the selection follows its row).
            for source_row in range(top_left.row(), bottom_right.row() + 1):
                owner = source.owner_at(node, source_row)
                if type(owner) is Node:
                    self._children.forget_verdict(owner)
            self._relayout_under(node)
        for source_row in range(top_left.row(), bottom_right.row() + 1):
            row = self._row(source.owner_at(node, source_row))
            if row >= 0:
                self.dataChanged.emit(self.index(row, top_left.column()),
                                      self.index(row, bottom_right.column()))

    def _on_reset(self) -> None:
        if self._children.sort_column >= self.sourceModel().columnCount():
            # The columns changed with the reset (a Deleted view has fewer): the sorted one
            # is gone, so the rows show unsorted rather than sorted by a column that is not.
            self._children.sort_column = -1
        self._rebuild_all()
        self.endResetModel()
