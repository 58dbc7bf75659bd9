"""Sorting and filtering many rows in slices (issue 21): the same rows in the same order as a
plain ``sorted``, the rows on screen unchanged until the new order is ready, a newer sort
cancelling an older, rows landing meanwhile, the selection kept; and the pieces beneath
(``sorted_in_steps``, ``RowHints``)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, Qt

from vaultbrowser.core.models.flat.child_order import ChildOrder, drain, sorted_in_steps
from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.flat.row_hints import RowHints
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.records import Page

PAGE = 6000
SIZES = random.Random(21).choices(range(500), k=3 * PAGE)  # many ties: stability shows
RECORDS = [(f"blob-{n:05d}", size) for n, size in enumerate(SIZES)]


class Blobs(LazyTreeModel):
    """One container of ``RECORDS`` (name, size), listed in pages of ``PAGE``."""

    def column_titles(self) -> Sequence[str]:
        return ["Name", "Size"]

    def is_lazy(self, record: Any) -> bool:
        return record == "container"

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        await asyncio.sleep(0)
        start = int(continuation or 0)
        nxt = str(start + PAGE) if start + PAGE < len(RECORDS) else None
        return Page(tuple(RECORDS[start:start + PAGE]), nxt, None)

    def display(self, record: Any, column: int) -> Any:
        if record == "container":
            return record if column == 0 else ""
        return record[column]


def names(flat: FlatTreeModel) -> list[str]:
    """The item rows under the container, in the table's order (status rows left out)."""
    return [flat.index(row, 0).data() for row in range(1, flat.rowCount())
            if flat.index(row, 0).data(STATUS_ROLE) is None]


def loaded(qloop: asyncio.AbstractEventLoop, pages: int) -> tuple[Blobs, FlatTreeModel]:
    source = Blobs()
    flat = FlatTreeModel()
    flat.setSourceModel(source)
    flat.sync_limit = 0  # every sort and filter in slices

    async def body() -> None:
        source.add_root("container")
        flat.set_expanded(flat.index(0, 0), True)
        await source.wait_idle()
        for _ in range(pages - 1):
            source.fetchMore(flat.mapToSource(flat.index(0, 0)))
            await source.wait_idle()

    qloop.run_until_complete(body())
    return source, flat


def settle(qloop: asyncio.AbstractEventLoop, flat: FlatTreeModel) -> None:
    async def until_applied() -> None:
        while flat.pending:
            await asyncio.sleep(0.001)

    qloop.run_until_complete(asyncio.wait_for(until_applied(), 30))


def test_sorting_and_filtering_in_slices_match_a_plain_sort(
        qloop: asyncio.AbstractEventLoop) -> None:
    _source, flat = loaded(qloop, pages=2)
    records = RECORDS[:2 * PAGE]
    before = names(flat)
    flat.sort(1, Qt.SortOrder.DescendingOrder)
    assert flat.pending and flat.sort_column() == 1  # the header shows it at once
    assert names(flat) == before  # the order on screen stays until the new one is ready
    settle(qloop, flat)
    assert names(flat) == [name for name, _ in sorted(records, key=lambda r: r[1],
                                                      reverse=True)]
    flat.setFilterFixedString("BLOB-001")
    assert flat.filter_text() == "blob-001" and flat.pending
    settle(qloop, flat)
    assert names(flat) == [name for name, _ in sorted(records, key=lambda r: r[1], reverse=True)
                           if "blob-001" in name]
    flat.setFilterFixedString("")
    flat.sort(0, Qt.SortOrder.AscendingOrder)  # asked while the filter is still computed
    settle(qloop, flat)
    assert names(flat) == sorted(name for name, _ in records)
    assert flat.index(flat.rowCount() - 1, 0).data(STATUS_ROLE) is not None  # "more" stays last


def test_a_newer_sort_cancels_the_one_in_progress(qloop: asyncio.AbstractEventLoop) -> None:
    _source, flat = loaded(qloop, pages=2)
    told: list[bool] = []
    layouts: list[str] = []
    flat.order_pending_changed.connect(told.append)
    flat.layoutChanged.connect(lambda *_: layouts.append("layout"))
    flat.sort(1, Qt.SortOrder.AscendingOrder)
    flat.sort(1, Qt.SortOrder.DescendingOrder)
    settle(qloop, flat)
    assert told == [True, False]
    assert layouts == ["layout"]  # only the newer order was swapped in
    expected = sorted(RECORDS[:2 * PAGE], key=lambda r: r[1], reverse=True)
    assert names(flat) == [name for name, _ in expected]


def test_rows_landing_during_a_sort_are_placed_and_the_selection_survives(
        qloop: asyncio.AbstractEventLoop) -> None:
    source, flat = loaded(qloop, pages=2)
    selected = QPersistentModelIndex(flat.index(10, 0))
    name = selected.data()
    flat.sort(1, Qt.SortOrder.AscendingOrder)
    assert flat.pending

    async def a_page_lands() -> None:
        source.fetchMore(flat.mapToSource(flat.index(0, 0)))
        await source.wait_idle()

    qloop.run_until_complete(a_page_lands())
    settle(qloop, flat)
    assert names(flat) == [n for n, _ in sorted(RECORDS, key=lambda r: r[1])]
    assert selected.isValid() and selected.data() == name
    assert flat.index(selected.row(), 0).data() == name


def test_a_page_under_a_big_sorted_listing_sorts_in_slices(
        qloop: asyncio.AbstractEventLoop) -> None:
    """Under an order already shown, a landing page is placed by computing the order again
    in slices (no synchronous re-sort of every row)."""
    source, flat = loaded(qloop, pages=1)
    flat.sort(1, Qt.SortOrder.DescendingOrder)
    settle(qloop, flat)

    async def the_rest_lands() -> None:
        source.load_all(flat.mapToSource(flat.index(0, 0)))
        await source.wait_idle()

    qloop.run_until_complete(the_rest_lands())
    settle(qloop, flat)
    assert names(flat) == [n for n, _ in sorted(RECORDS, key=lambda r: r[1], reverse=True)]
    assert flat.index(flat.rowCount() - 1, 0).data() == names(flat)[-1]  # no status row left


def test_sorted_in_steps_is_sorted() -> None:
    items = [(n % 7, n) for n in range(30_000)]
    random.Random(1).shuffle(items)
    for reverse in (False, True):
        steps = sorted_in_steps(items, lambda item: item[0], reverse)
        assert drain(steps) == sorted(items, key=lambda item: item[0], reverse=reverse)


def test_row_hints_find_rows_that_moved() -> None:
    rows = [object() for _ in range(100)]
    hints = RowHints(limit=8)
    owner = rows[50]
    assert hints.row(rows, owner) == 50
    rows[0:0] = [object(), object()]  # inserted above
    assert hints.row(rows, owner) == 52
    del rows[0:10]  # removed above
    assert hints.row(rows, owner) == 42
    assert hints.row(rows, object()) == -1
    for row in rows[:20]:
        hints.row(rows, row)  # more than the limit: the hints start over, answers stay right
    assert hints.row(rows, owner) == 42



def test_mixed_kinds_in_one_column_sort_by_their_text() -> None:
    class Mixed(Blobs):
        def display(self, record: Any, column: int) -> Any:
            return record if column == 0 else (len(record) if record < "m" else record)

    source = Mixed()
    order = ChildOrder(lambda: source, 1, Qt.SortOrder.AscendingOrder)
    root = source.root_node
    names = ["zz", "a", "bb", "yy", "c"] * 1000  # past one run: the merge falls back too
    root.children = [Node(name, parent=root) for name in names]
    assert [node.record for node in order.shown_nodes(root)] == sorted(
        names, key=lambda name: str(len(name) if name < "m" else name))
