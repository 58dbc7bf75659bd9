"""``ShownRows``: the rows of ``FlatTreeModel`` — a lazy tree's visible rows, depth first,
expanded nodes only — and where each sits: its row, its depth, the node above it, the end of
its subtree. The model wraps each change in Qt's row signals; this holds the list.

Each row is the source's own owner (a ``Node`` or a status row's marker), so mapping to the
source is a list lookup; an owner's row comes from a few checked hints (``RowHints``). Which
children show, in which order, is the current ``ChildOrder``'s answer.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from vaultbrowser.core.models.flat.child_order import ChildOrder, Owner
from vaultbrowser.core.models.flat.row_hints import RowHints
from vaultbrowser.core.models.tree_node import Node


class ShownRows:
    """The flat table's rows and the expanded nodes whose children they include."""

    __slots__ = ("_hints", "_order", "_root", "_status_owner", "expanded", "rows")

    def __init__(self, root: Callable[[], Node], order: Callable[[], ChildOrder],
                 status_owner: Callable[[Node], Owner]) -> None:
        self.rows: list[Owner] = []
        self.expanded: weakref.WeakSet[Node] = weakref.WeakSet()
        self._hints = RowHints()
        self._root = root  # the source's invisible root: its children are the top rows
        self._order = order  # the order shown now
        self._status_owner = status_owner  # a node's status row's owner

    # --- changes (the model signals them) ---------------------------------------------------

    def reset(self, rows: list[Owner]) -> None:
        self.rows = rows
        self._hints.clear()

    def insert(self, row: int, owners: list[Owner]) -> None:
        self.rows[row:row] = owners
        self._hints.remember(owners[-1], row + len(owners) - 1)  # the next page goes after it

    def remove(self, first: int, end: int) -> None:
        del self.rows[first:end]

    def replace(self, first: int, end: int, owners: list[Owner]) -> None:
        if first == 0 and end == len(self.rows):
            self.rows = owners  # the whole table (a new sort or filter): no copy
        else:
            self.rows[first:end] = owners

    # --- where rows are -----------------------------------------------------------------------

    def row(self, owner: Owner) -> int:
        """The row showing ``owner``, or -1 when it is not shown."""
        return self._hints.row(self.rows, owner)

    def depth(self, row: int) -> int:
        owner = self.rows[row]
        depth = 0
        node = owner.node if type(owner) is not Node else owner
        root = self._root()
        if node is not owner:
            depth = 1  # a status row sits one level below its node
        parent = node.parent
        while parent is not None and parent is not root:
            depth += 1
            parent = parent.parent
        return depth

    def is_expanded(self, row: int) -> bool:
        owner = self.rows[row]
        return type(owner) is Node and owner in self.expanded

    def parent_row(self, row: int) -> int:
        """The row of the node above ``row`` in the tree, or -1 at the top level."""
        owner = self.rows[row]
        node = owner.node if type(owner) is not Node else owner
        if node is not owner:
            return self.row(node)
        parent = node.parent
        if parent is None or parent is self._root():
            return -1
        return self.row(parent)

    def subtree(self, node: Node) -> list[Owner]:
        """The rows below an expanded ``node``, depth first (empty when it is collapsed)."""
        out: list[Owner] = []
        if node is self._root() or node in self.expanded:
            self._collect(node, out)
        return out

    def _collect(self, node: Node, out: list[Owner]) -> None:
        order = self._order()
        if not any(open_node.parent is node for open_node in self.expanded):
            # The common case, nothing below is expanded: no copy of a million rows first.
            out.extend(order.shown_nodes(node))
            if node.status_shown:
                out.append(self._status_owner(node))
            return
        for child in order.shown_children(node):
            out.append(child)
            if type(child) is Node and child in self.expanded:
                self._collect(child, out)

    def subtree_end(self, owner: Owner) -> int:
        """One past the last row of ``owner``'s shown subtree (``owner`` must be shown)."""
        order = self._order()
        while type(owner) is Node and owner in self.expanded:
            shown = order.last_shown_child(owner)
            if shown is None:
                break
            owner = shown
        return self.row(owner) + 1

    def is_open(self, node: Node) -> bool:
        """Whether ``node``'s children are rows here: it is expanded and shown (or the root)."""
        if node is self._root():
            return True
        return node in self.expanded and self.row(node) >= 0

    def end_below(self, top: Node, first: int) -> int:
        """Where the rows of ``top``'s subtree end, read from the rows from ``first`` on (not
        from the order's caches, which may describe a new order already)."""
        end, rows = first, self.rows
        while end < len(rows) and self._is_below(rows[end], top):
            end += 1
        return end

    @staticmethod
    def _is_below(owner: Owner, top: Node) -> bool:
        """Whether ``owner`` (a node or a status row) sits in ``top``'s subtree, below it."""
        node = owner.parent if type(owner) is Node else owner.node
        while node is not None:
            if node is top:
                return True
            node = node.parent
        return False
