"""``OrderSwitch``: the sort and filter on screen, and the one asked last until it is ready.

Sorting or filtering up to ``sync_limit`` loaded rows (under open nodes) happens at once, in
about 20 ms. Beyond, the new order is computed in slices on the event loop (``SlicedWork``)
while the current one stays on screen, then swapped in with one layout change; asking again
cancels the one in progress, and rows that land meanwhile are placed by computing the order
once more right after (issue 21: sorting a million rows froze the window 4.3 s).

``SlicedWork`` runs a generator's work a few milliseconds at a time, each slice a zero-timer's
turn of the loop, so whatever else is ready (painting, input, network) runs between. Off the
loop it would not help much: the work holds the GIL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

from vaultbrowser.core.models.flat.child_order import END_SLICE, ChildOrder, Steps
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node

log = logging.getLogger(__name__)


class SlicedWork(QObject):
    """One generator's work at a time, in slices of about ``budget`` seconds: starting
    another cancels the one in progress."""

    def __init__(self, parent: QObject | None = None, budget: float = 0.008) -> None:
        super().__init__(parent)
        self.budget = budget
        self._steps: Steps | None = None
        self._done: Callable[[Any], None] | None = None
        self._failed: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._slice)

    @property
    def busy(self) -> bool:
        return self._steps is not None

    def start(self, steps: Steps, done: Callable[[Any], None],
              failed: Callable[[], None] | None = None) -> None:
        """Run ``steps`` in slices; ``done(answer)`` in the slice that finishes them,
        ``failed()`` if they raise (logged)."""
        self.cancel()
        self._steps, self._done, self._failed = steps, done, failed
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()
        if self._steps is not None:
            self._steps.close()
        self._steps = self._done = self._failed = None

    def _slice(self) -> None:
        steps, done, failed = self._steps, self._done, self._failed
        if steps is None or done is None:
            return
        deadline = time.perf_counter() + self.budget
        try:
            while time.perf_counter() < deadline:
                if next(steps) is END_SLICE:
                    break
        except StopIteration as finished:
            answer = finished.value
        except Exception:  # a slot must not raise: the work is dropped, the rows stay as shown
            log.exception("sliced work failed")
            self._steps = self._done = self._failed = None
            if failed is not None:
                failed()
            return
        else:
            self._timer.start()
            return
        self._steps = self._done = self._failed = None
        try:
            done(answer)
        except Exception:  # as above: logged, never out of a timer's slot
            log.exception("applying sliced work failed")


class OrderSwitch:
    """``shown``: the order of the rows on screen; ``wanted``: the one being computed."""

    def __init__(self, owner: QObject, source: Callable[[], LazyTreeModel],
                 show: Callable[[], None], open_nodes: Callable[[], list[Node]],
                 pending_changed: Callable[[bool], None]) -> None:
        self.shown = ChildOrder(source)
        self.wanted: ChildOrder | None = None
        self.again = False  # the source changed while ``wanted`` was computed
        self.sync_limit = 10_000
        self._source = source
        self._show = show  # lays the rows out under ``shown`` (one layout change)
        self._open_nodes = open_nodes
        self._pending_changed = pending_changed
        self._work = SlicedWork(owner)

    @property
    def pending(self) -> bool:
        return self.wanted is not None

    def asked(self) -> ChildOrder:
        """The order asked last, computed or not yet (the header and filter box show it)."""
        return self.wanted or self.shown

    def fresh(self, order: ChildOrder) -> ChildOrder:
        """The same sort and filter, nothing computed yet."""
        return ChildOrder(self._source, *order.settings())

    def ask(self, sort_column: int, sort_order: Qt.SortOrder, filter_text: str) -> None:
        self.order_by(ChildOrder(self._source, sort_column, sort_order, filter_text))

    def order_by(self, wanted: ChildOrder) -> None:
        """Show the rows under ``wanted``: at once when the work is small, else in slices."""
        if sum(len(node.children) for node in self._open_nodes()) <= self.sync_limit:
            self.drop()
            self.shown = wanted
            self._show()
            return
        was_pending = self.pending
        self.wanted, self.again = wanted, False
        self._work.start(wanted.prepare_steps(self._open_nodes), self._apply, self.drop)
        if not was_pending:
            self._pending_changed(True)

    def again_later(self) -> None:
        """Compute the order on screen again, in slices (after the one in progress)."""
        if self.wanted is not None:
            self.again = True
        else:
            self.order_by(self.fresh(self.shown))

    def drop(self) -> None:
        """Stop computing ``wanted``; the order on screen stays."""
        self._work.cancel()
        if self.wanted is not None:
            self.wanted = None
            self._pending_changed(False)

    def take_wanted(self) -> None:
        """Make the order asked last the one on screen, uncomputed (a reset lays it out)."""
        if self.wanted is not None:
            self.shown = self.fresh(self.wanted)
            self.drop()

    def _apply(self, _answer: object = None) -> None:
        wanted, self.wanted = self.wanted, None
        if wanted is None:
            return
        self.shown = wanted
        self._show()
        if self.again:  # rows landed meanwhile: their place is computed now
            self.order_by(self.fresh(wanted))
        if not self.pending:
            self._pending_changed(False)
