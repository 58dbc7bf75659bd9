"""Which loaded children of a tree node show, in which order, under a sort and a filter.

Sorting and filtering cover loaded rows only, as the pane says. Both apply per parent,
recursively: a node shows when its name matches or one of its loaded descendants does; status
rows always show, last; top-level rows always show. The answers are cached per node: forget a
node's order when its children change, everything when the sort or the filter changes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node

Owner = Any  # a source Node, or the marker object of a node's status row


class ChildOrder:
    """The shown children of each node of one source tree (``FlatTreeModel`` has one)."""

    def __init__(self, source: Callable[[], LazyTreeModel]) -> None:
        self._source = source
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.filter = ""  # casefolded
        self._order: weakref.WeakKeyDictionary[Node, list[Owner]] = weakref.WeakKeyDictionary()
        self._accepted: weakref.WeakKeyDictionary[Node, bool] = weakref.WeakKeyDictionary()

    @property
    def plain(self) -> bool:
        """Neither sorted nor filtered: shown children are the source's, in its order."""
        return self.sort_column < 0 and not self.filter

    def shown_children(self, node: Node) -> list[Owner]:
        source = self._source()
        if self.plain:
            shown: list[Owner] = list(node.children)
            if node.status_shown:
                shown.append(source.owner_at(node, len(node.children)))
            return shown
        order = self._order.get(node)
        if order is None:
            children = node.children
            if self.filter and node is not source.root_node:  # top-level rows always show
                children = [child for child in children if self.accepts(child)]
            if self.sort_column >= 0:
                children = self._sorted(children)
            order = list(children)
            if node.status_shown:
                order.append(source.owner_at(node, len(node.children)))
            self._order[node] = order
        return order

    def last_shown_child(self, node: Node) -> Owner | None:
        if self.plain:
            if node.status_shown:
                return self._source().owner_at(node, len(node.children))
            return node.children[-1] if node.children else None
        shown = self.shown_children(node)
        return shown[-1] if shown else None

    def accepts(self, node: Node) -> bool:
        """The filter's verdict: the name matches, or a loaded descendant's does."""
        verdict = self._accepted.get(node)
        if verdict is None:
            name = self._source().node_data(node, 0, Qt.ItemDataRole.DisplayRole) or ""
            verdict = self.filter in name.casefold() or any(
                self.accepts(child) for child in node.children)
            self._accepted[node] = verdict
        return verdict

    def forget_order(self, node: Node) -> None:
        self._order.pop(node, None)

    def forget_verdict(self, node: Node) -> bool | None:
        """Drop ``node``'s cached filter verdict; return it (None when there was none)."""
        return self._accepted.pop(node, None)

    def forget_all(self) -> None:
        self._order.clear()
        self._accepted.clear()

    def _sorted(self, nodes: list[Node]) -> list[Node]:
        source = self._source()
        column = self.sort_column
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        key: Callable[[Node], Any] = lambda node: source.sort_key(node, column)  # noqa: E731
        try:
            return sorted(nodes, key=key, reverse=descending)
        except TypeError:  # mixed kinds in one column: compare their text
            return sorted(nodes, key=lambda node: str(key(node)), reverse=descending)
