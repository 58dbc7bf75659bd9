"""Helpers for the randomized UI-action test (tests/ui/test_random_actions.py).

- ``FailureRecorder``: a ``sys.excepthook`` and a loop exception handler that record instead of
  printing, plus an ``ErrorReporter`` that records every error it is handed (typed ones are fine,
  anything else is a bug).
- ``Heartbeat``: the longest time the loop could not run a ready callback, and during which
  action it happened (like bench/loop_monitor.py).
- ``check_tree`` / ``check_flat``: cheap invariants of a ``LazyTreeModel`` and of the
  ``FlatTreeModel`` over it, recomputed from scratch (an independent flattening, not the model's
  own caches).
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.ui.error_dialog import ErrorReporter, is_silent


class FailureRecorder:
    """Records unhandled exceptions (sys.excepthook, the loop's handler) and non-typed errors
    that reached the reporter. ``failures`` lists (what, text)."""

    def __init__(self) -> None:
        self.failures: list[tuple[str, str]] = []
        self.typed: list[VaultBrowserError] = []
        self.context: Callable[[], str] = lambda: ""
        self._previous_hook: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _hook(self, exc_type: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.failures.append((f"sys.excepthook during {self.context()}", text))

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        text = context.get("message", "")
        if exc is not None:
            text += "\n" + "".join(traceback.format_exception(type(exc), exc,
                                                              exc.__traceback__))
        self.failures.append((f"loop exception handler during {self.context()}", text))

    def record_report(self, error: BaseException) -> None:
        if is_silent(error):
            return
        if isinstance(error, VaultBrowserError):
            self.typed.append(error)
            return
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.failures.append((f"reporter (non-typed error) during {self.context()}", text))

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self._hook
        self._loop = loop
        loop.set_exception_handler(self._loop_handler)

    def uninstall(self) -> None:
        if sys.excepthook is self._hook:
            sys.excepthook = self._previous_hook
        if self._loop is not None:
            self._loop.set_exception_handler(None)


class RecordingReporter(ErrorReporter):
    """The window's reporter: shows dialogs as usual and tells the recorder about each error."""

    def __init__(self, recorder: FailureRecorder) -> None:
        super().__init__(modal=False)
        self.recorder = recorder

    def report(self, error: BaseException) -> None:
        self.recorder.record_report(error)
        super().report(error)


class Heartbeat:
    """A task that sleeps ``interval`` and records how late it wakes, and during what."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.max_stall = 0.0
        self.worst_during = ""
        self.context: Callable[[], str] = lambda: ""
        self.excluded = 0.0  # seconds the test's own checks held the loop (not the app's)
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        while True:
            start = time.perf_counter()
            excluded = self.excluded
            before = self.context()
            await asyncio.sleep(self.interval)
            stall = (time.perf_counter() - start - self.interval
                     - (self.excluded - excluded))
            if stall > self.max_stall:
                self.max_stall = stall
                self.worst_during = f"{before} … {self.context()}"

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._beat())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def timed_tester(model: Any, heartbeat: Heartbeat) -> Any:
    """Qt's model tester on ``model``, its time excluded from ``heartbeat``'s stalls.

    The tester re-walks the whole model on every change signal: test instrumentation whose
    cost grows with the loaded rows, not the app's. Slots connected just before and just after
    it (direct connections run in connection order) time it.
    """
    from PySide6.QtTest import QAbstractItemModelTester

    signals = [model.rowsAboutToBeInserted, model.rowsInserted, model.rowsAboutToBeRemoved,
               model.rowsRemoved, model.dataChanged, model.layoutAboutToBeChanged,
               model.layoutChanged, model.modelAboutToBeReset, model.modelReset,
               model.headerDataChanged]
    began = [0.0]

    def before(*_args: Any) -> None:
        began[0] = time.perf_counter()

    def after(*_args: Any) -> None:
        heartbeat.excluded += time.perf_counter() - began[0]

    for signal in signals:
        signal.connect(before)
    tester = QAbstractItemModelTester(model,
                                      QAbstractItemModelTester.FailureReportingMode.Warning)
    for signal in signals:
        signal.connect(after)
    return tester


# --- invariants -------------------------------------------------------------------------------

def check_tree(model: LazyTreeModel) -> None:
    """Structure of the loaded tree: parent links, status rows that match the node's state
    (once no page is starting), row counts, indexes that round-trip."""
    root = model.root_node
    stack = [root]
    while stack:
        node = stack.pop()
        assert model.rowCount(model.index_of(node)) == len(node.children) + (
            1 if node.status_shown else 0), f"rowCount of {node.record!r}"
        if node.listing is None or node.listing.task is None:
            wanted = node.status() is not None
            assert node.status_shown == wanted, (
                f"status row of {node.record!r}: shown={node.status_shown} "
                f"but status()={node.status()}")
            if wanted:
                assert node.status_label == model.status_text(node), (
                    f"status label {node.status_label!r} != {model.status_text(node)!r}")
        if not node.lazy and node is not root:
            assert not node.children and not node.status_shown, f"leaf {node.record!r}"
        for child in node.children:
            assert child.parent is node, f"parent link of {child.record!r}"
            stack.append(child)


def _expected_rows(flat: FlatTreeModel) -> list[Any]:
    """The rows the flat model should show, computed from the source alone."""
    source = flat.sourceModel()
    root = source.root_node
    needle = flat.filter_text()
    column = flat.sort_column()
    descending = flat.sortOrder() == Qt.SortOrder.DescendingOrder
    verdicts: dict[int, bool] = {}

    def accepts(node: Node) -> bool:
        verdict = verdicts.get(id(node))
        if verdict is None:
            name = source.node_data(node, 0, Qt.ItemDataRole.DisplayRole) or ""
            verdict = needle in name.casefold() or any(accepts(c) for c in node.children)
            verdicts[id(node)] = verdict
        return verdict

    def shown(node: Node) -> list[Any]:
        children = list(node.children)
        if needle and node is not root:
            children = [child for child in children if accepts(child)]
        if column >= 0:
            def key(child: Node) -> Any:
                return source.sort_value(child.record, column)
            try:
                children = sorted(children, key=key, reverse=descending)
            except TypeError:
                children = sorted(children, key=lambda c: str(key(c)), reverse=descending)
        rows: list[Any] = list(children)
        if node.status_shown:
            rows.append(source.owner_at(node, len(node.children)))
        return rows

    out: list[Any] = []

    def walk(node: Node) -> None:
        for child in shown(node):
            out.append(child)
            if type(child) is Node and child in flat._shown.expanded:
                walk(child)

    walk(root)
    return out


def _describe(source: LazyTreeModel, owner: Any) -> str:
    if type(owner) is Node:
        return repr(source.node_data(owner, 0, Qt.ItemDataRole.DisplayRole))
    return f"<status of {source.node_data(owner.node, 0, Qt.ItemDataRole.DisplayRole)!r}>"


def check_flat(flat: FlatTreeModel, *, deep: bool = False) -> None:
    """The flat rows are exactly the source's visible rows (order included), every row's owner
    is still in the source tree, and the row cache maps each owner back to its row."""
    source = flat.sourceModel()
    rows = [flat.owner(r) for r in range(flat.rowCount())]
    expected = _expected_rows(flat)
    if [id(o) for o in rows] != [id(o) for o in expected]:
        first = next((i for i, (a, b) in enumerate(zip(rows, expected, strict=False))
                      if a is not b), min(len(rows), len(expected)))
        got = [_describe(source, o) for o in rows[max(0, first - 2):first + 3]]
        want = [_describe(source, o) for o in expected[max(0, first - 2):first + 3]]
        raise AssertionError(
            f"flat rows differ from the source's visible rows at row {first} "
            f"({len(rows)} rows, expected {len(expected)}; filter={flat.filter_text()!r}, "
            f"sort={flat.sort_column()}): got {got}, expected {want}")
    for row, owner in enumerate(rows):
        assert flat._shown.row(owner) == row, f"row cache: {_describe(source, owner)} at {row}"
        if deep:
            index = flat.mapToSource(flat.index(row, 0))
            assert index.isValid(), f"row {row} maps to no source index"
            assert flat.mapFromSource(index).row() == row


def check_selection(view: Any) -> None:
    model = view.model()
    for index in view.selectionModel().selectedIndexes():
        assert index.isValid() and index.row() < model.rowCount(), "selection out of range"
    current = view.currentIndex()
    assert not current.isValid() or current.row() < model.rowCount(), "current row gone"
