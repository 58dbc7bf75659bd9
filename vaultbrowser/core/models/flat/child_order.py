"""Which loaded children of a tree node show, in which order, under a sort and a filter.

Sorting and filtering cover loaded rows only, as the pane says. Both apply per parent,
recursively: a node shows when its name matches or one of its loaded descendants does; status
rows always show, last; top-level rows always show. The answers are cached per node: forget a
node's order when its children change; a new sort or filter is a new ``ChildOrder``.

Every answer is computed by a generator that yields every few thousand rows (``steps``), so a
million rows can be sorted and filtered a slice at a time on the event loop
(``FlatTreeModel`` drives it with ``SlicedWork``); the synchronous answers drain the same
generators, so both give the same rows in the same order.
"""

from __future__ import annotations

import heapq
import itertools
import weakref
from collections.abc import Callable, Generator, Iterable
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node

Owner = Any  # a source Node, or the marker object of a node's status row
Steps = Generator[Any, None, Any]  # yields between steps of work, returns the answer
END_SLICE = True  # yielded by a step after which the slice ends (whatever time is left)
STEP = 1024  # rows per step: a few milliseconds of Python work at most (a busy machine)


def drain(steps: Steps) -> Any:
    """Run ``steps`` to the end at once; its answer."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def sorted_in_steps(items: list[Any], key: Callable[[Any], Any], reverse: bool) -> Steps:
    """``sorted(items, key=key, reverse=reverse)``, a slice at a time: runs of ``2 * STEP``
    sorted apart, then merged (``heapq.merge`` is stable across runs, as ``sorted`` is). Keys
    are computed when needed, not kept: a million keys held at once would cost tens of MB."""
    run = 2 * STEP
    if len(items) <= run:
        return sorted(items, key=key, reverse=reverse)
    runs = []
    for start in range(0, len(items), run):
        runs.append(sorted(items[start:start + run], key=key, reverse=reverse))
        yield
    merged = heapq.merge(*runs, key=key, reverse=reverse)
    out: list[Any] = []
    while True:
        before = len(out)
        out.extend(itertools.islice(merged, STEP))
        if len(out) - before < STEP:
            return out
        yield


class ChildOrder:
    """The shown children of each node of one source tree under one sort and one filter."""

    def __init__(self, source: Callable[[], LazyTreeModel], sort_column: int = -1,
                 sort_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder,
                 filter_text: str = "") -> None:
        self._source = source
        self.sort_column = sort_column
        self.sort_order = sort_order
        self.filter = filter_text.casefold()
        # Children only (status rows are appended when asked): a status row that comes or
        # goes never sorts again.
        self._order: weakref.WeakKeyDictionary[Node, list[Node]] = weakref.WeakKeyDictionary()
        # Verdicts of nodes with children only: a leaf's is its name, asked again when needed
        # (a million cached verdicts would cost ~100 MB).
        self._accepted: weakref.WeakKeyDictionary[Node, bool] = weakref.WeakKeyDictionary()

    def settings(self) -> tuple[int, Qt.SortOrder, str]:
        return self.sort_column, self.sort_order, self.filter

    @property
    def plain(self) -> bool:
        """Neither sorted nor filtered: shown children are the source's, in its order."""
        return self.sort_column < 0 and not self.filter

    def shown_children(self, node: Node) -> list[Owner]:
        """The rows under ``node``, status row last (do not change the list returned)."""
        shown: list[Owner] = self.shown_nodes(node)
        if node.status_shown:
            return [*shown, self._source().owner_at(node, len(node.children))]
        return list(shown) if self.plain else shown

    def shown_nodes(self, node: Node) -> list[Node]:
        """The children of ``node`` shown, without its status row (do not change it)."""
        if self.plain:
            return node.children
        order = self._order.get(node)
        return order if order is not None else drain(self.order_steps(node))

    def last_shown_child(self, node: Node) -> Owner | None:
        if node.status_shown:
            return self._source().owner_at(node, len(node.children))
        shown = self.shown_nodes(node)
        return shown[-1] if shown else None

    def has_order(self, node: Node) -> bool:
        return self.plain or node in self._order

    def order_steps(self, node: Node) -> Steps:
        """Compute (and cache) the shown children of ``node``; returns them."""
        source = self._source()
        children: list[Node] = list(node.children)  # a snapshot: pages may land meanwhile
        if self.filter and node is not source.root_node:  # top-level rows always show
            children = yield from self._accepted_steps(children)
        if self.sort_column >= 0:
            children = yield from self._sorted_steps(children)
        self._order[node] = children
        return children

    def prepare_steps(self, nodes: Callable[[], Iterable[Node]]) -> Steps:
        """Compute the order of every node ``nodes()`` names, until none is missing (nodes
        may be expanded meanwhile). Once all are computed it yields ``END_SLICE``: the swap
        that follows gets a slice of its own (with a million rows it takes ~20 ms); the last
        check and the return share that slice."""
        ready = False
        while True:
            missing = [node for node in nodes() if not self.has_order(node)]
            if not missing and ready:
                return None
            ready = not missing
            if ready:
                yield END_SLICE
            for node in missing:
                yield from self.order_steps(node)

    def accepts(self, node: Node) -> bool:
        """The filter's verdict: the name matches, or a loaded descendant's does."""
        if not node.children:
            return self._name_matches(node)
        return bool(drain(self._accepts_steps(node)))

    def forget_order(self, node: Node) -> None:
        self._order.pop(node, None)

    def forget_verdict(self, node: Node) -> bool:
        """Drop ``node``'s cached filter verdict; return it (a node without one had the
        verdict of its name alone, as a leaf has)."""
        before = self._accepted.pop(node, None)
        return self._name_matches(node) if before is None else before

    # --- the work, in slices ------------------------------------------------------------------

    def _name_matches(self, node: Node) -> bool:
        name = self._source().node_data(node, 0, Qt.ItemDataRole.DisplayRole) or ""
        return self.filter in name.casefold()

    def _accepts_steps(self, node: Node) -> Steps:
        verdict = self._accepted.get(node)
        if verdict is None:
            verdict = self._name_matches(node)
            if not verdict and node.children:
                found = yield from self._accepted_steps(list(node.children), first_only=True)
                verdict = bool(found)
            self._accepted[node] = verdict
        return verdict

    def _accepted_steps(self, nodes: list[Node], first_only: bool = False) -> Steps:
        """The nodes the filter accepts, in their order (only the first with ``first_only``)."""
        matches = self._name_matches
        out: list[Node] = []
        for start in range(0, len(nodes), STEP):
            for node in nodes[start:start + STEP]:
                if node.children:
                    keep = yield from self._accepts_steps(node)
                else:
                    keep = matches(node)
                if keep:
                    out.append(node)
                    if first_only:
                        return out
            yield
        return out

    def _sorted_steps(self, nodes: list[Node]) -> Steps:
        sort_key = self._source().sort_key
        column = self.sort_column
        descending = self.sort_order == Qt.SortOrder.DescendingOrder

        def key(node: Node) -> Any:
            return sort_key(node, column)

        try:
            return (yield from sorted_in_steps(nodes, key, descending))
        except TypeError:  # mixed kinds in one column: compare their text
            return (yield from sorted_in_steps(nodes, lambda node: str(key(node)), descending))
