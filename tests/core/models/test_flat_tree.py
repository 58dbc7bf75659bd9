"""FlatTreeModel and TreeTable: the tree's visible rows as a table, kept exact through paging,
expanding, sorting, filtering, refreshes and removals."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtTest import QTest

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.ui.tree.tree_table import TreeTable

# Folders end with "/"; each folder lists its children in pages of 3.
TREE: dict[str, list[str]] = {
    "root-a": ["delta/", "alpha", "charlie/", "bravo", "echo"],
    "root-b": ["zulu", "yankee/"],
    "delta/": ["d3", "d1", "d2", "d4"],
    "charlie/": ["c-ha", "c-2"],
    "yankee/": [],
}


class Folders(LazyTreeModel):
    def column_titles(self) -> Sequence[str]:
        return ["Name", "Length"]

    def is_lazy(self, record: Any) -> bool:
        return record in TREE

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        await asyncio.sleep(0)
        start = int(continuation or 0)
        names = TREE[node.record]
        nxt = str(start + 3) if start + 3 < len(names) else None
        return Page(tuple(names[start:start + 3]), nxt, None)

    def display(self, record: Any, column: int) -> Any:
        return record if column == 0 else len(record)


def expected(flat: FlatTreeModel) -> list[str]:
    """The rows a tree view would show, walked through the source's public API."""
    source = flat.sourceModel()
    out: list[str] = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(source.rowCount(parent)):
            index = source.index(row, 0, parent)
            status = index.data(STATUS_ROLE)
            out.append(f"{'  ' * depth}{'[' + status.name + ']' if status else index.data()}")
            mapped = flat.mapFromSource(index)
            if status is None and mapped.isValid() and flat.is_expanded(mapped.row()):
                walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return out


def shown(flat: FlatTreeModel) -> list[str]:
    out = []
    for row in range(flat.rowCount()):
        index = flat.index(row, 0)
        status = index.data(STATUS_ROLE)
        text = f"[{status.name}]" if status else index.data()
        out.append(f"{'  ' * flat.depth(row)}{text}")
    return out


@pytest.fixture
def tree(qloop: asyncio.AbstractEventLoop, qtmodeltester: Any) -> tuple[Folders, FlatTreeModel]:
    source = Folders()
    flat = FlatTreeModel()
    flat.setSourceModel(source)
    qtmodeltester.check(flat, force_py=True)
    return source, flat


def row_of(flat: FlatTreeModel, text: str) -> QModelIndex:
    for row in range(flat.rowCount()):
        if flat.index(row, 0).data() == text:
            return flat.index(row, 0)
    raise AssertionError(f"{text!r} is not shown")


def test_paging_expanding_and_collapsing_keep_the_rows_exact(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        source.add_root("root-b")
        assert shown(flat) == ["root-a", "root-b"]
        flat.set_expanded(row_of(flat, "root-a"), True)  # expanding fetches the first page
        await source.wait_idle()
        assert shown(flat) == ["root-a", "  delta/", "  alpha", "  charlie/", "  [MORE]",
                               "root-b"]
        flat.set_expanded(row_of(flat, "delta/"), True)
        await source.wait_idle()
        assert shown(flat) == expected(flat)
        assert shown(flat)[1:6] == ["  delta/", "    d3", "    d1", "    d2", "    [MORE]"]
        source.fetchMore(flat.mapToSource(row_of(flat, "root-a")))  # lands after delta's rows
        await source.wait_idle()
        assert shown(flat) == expected(flat)
        assert shown(flat) == ["root-a", "  delta/", "    d3", "    d1", "    d2",
                               "    [MORE]", "  alpha", "  charlie/", "  bravo", "  echo",
                               "root-b"]
        flat.set_expanded(row_of(flat, "root-a"), False)  # collapsing keeps delta's state
        assert shown(flat) == ["root-a", "root-b"]
        flat.set_expanded(row_of(flat, "root-a"), True)
        assert shown(flat) == expected(flat)
        assert shown(flat)[2] == "    d3"
        flat.set_expanded(row_of(flat, "root-b"), True)
        flat.set_expanded(row_of(flat, "charlie/"), True)
        await source.wait_idle()
        assert shown(flat) == expected(flat)
        assert shown(flat)[-3:] == ["root-b", "  zulu", "  yankee/"]
        flat.set_expanded(row_of(flat, "yankee/"), True)
        await source.wait_idle()
        assert shown(flat)[-1] == "    [EMPTY]"

    qloop.run_until_complete(body())


def test_refresh_removal_and_reset_follow_the_source(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        source.add_root("root-b")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        flat.set_expanded(row_of(flat, "delta/"), True)
        flat.set_expanded(row_of(flat, "root-b"), True)
        await source.wait_idle()
        source.refresh(flat.mapToSource(row_of(flat, "root-a")))  # the children go
        assert shown(flat) == ["root-a", "root-b", "  zulu", "  yankee/"] == expected(flat)
        await asyncio.sleep(0)  # the refetch's first step shows "Loading…"
        assert shown(flat)[:2] == ["root-a", "  [LOADING]"]
        await source.wait_idle()
        assert shown(flat) == expected(flat)
        assert shown(flat)[1] == "  delta/"  # a new node: not expanded any more
        source.remove_root("root-a")
        assert shown(flat) == ["root-b", "  zulu", "  yankee/"] == expected(flat)
        source.cancel_all()  # a model reset
        assert shown(flat) == expected(flat)

    qloop.run_until_complete(body())


def test_sorting_and_filtering_cover_loaded_rows_and_keep_the_selection(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        flat.set_expanded(row_of(flat, "delta/"), True)
        await source.wait_idle()
        selected = row_of(flat, "d1")
        kept = QPersistentModelIndex(selected)
        flat.sort(0, Qt.SortOrder.AscendingOrder)
        assert shown(flat) == ["root-a", "  alpha", "  charlie/", "  delta/", "    d1",
                               "    d2", "    d3", "    [MORE]", "  [MORE]"]
        assert kept.data() == "d1" and kept.row() == 4
        source.fetchMore(flat.mapToSource(row_of(flat, "root-a")))  # a page merges in sorted
        await source.wait_idle()
        assert shown(flat)[1:5] == ["  alpha", "  bravo", "  charlie/", "  delta/"]
        assert shown(flat)[-1] == "  echo"  # complete: no status row
        flat.sort(0, Qt.SortOrder.DescendingOrder)
        assert shown(flat)[1:3] == ["  echo", "  delta/"]
        flat.setFilterFixedString("HA")  # case-insensitive; parents of matches stay
        assert shown(flat) == ["root-a", "  charlie/", "  alpha"]
        flat.set_expanded(row_of(flat, "charlie/"), True)
        await source.wait_idle()
        assert shown(flat) == ["root-a", "  charlie/", "    c-ha", "  alpha"]
        assert not kept.isValid()  # d1 is filtered out
        flat.setFilterFixedString("d")
        assert shown(flat) == ["root-a", "  delta/", "    d3", "    d2", "    d1", "    [MORE]"]
        flat.setFilterFixedString("")
        flat.sort(-1)
        assert shown(flat) == expected(flat)

    qloop.run_until_complete(body())


def test_a_page_under_a_long_listing_inserts_only_its_rows(
        qloop: asyncio.AbstractEventLoop) -> None:
    """The point of the flat model: a landing page is one insert of that page's rows, however
    many rows are already shown (no layout change, no reset)."""
    names = [f"blob-{n:05d}" for n in range(6000)]

    class Big(Folders):
        async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                             ) -> Page[Any]:
            start = int(continuation or 0)
            nxt = str(start + 2000) if start + 2000 < len(names) else None
            return Page(tuple(names[start:start + 2000]), nxt, None)

        def is_lazy(self, record: Any) -> bool:
            return record == "root-a"

    source = Big()
    flat = FlatTreeModel()
    flat.setSourceModel(source)
    inserted: list[int] = []
    relayouts: list[str] = []
    flat.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))
    flat.layoutChanged.connect(lambda *_: relayouts.append("layout"))
    flat.modelReset.connect(lambda: relayouts.append("reset"))

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(flat.index(0, 0), True)
        await source.wait_idle()
        inserted.clear()
        source.load_all(flat.mapToSource(flat.index(0, 0)))
        await source.wait_idle()

    qloop.run_until_complete(body())
    assert flat.rowCount() == 6001
    assert inserted == [2000, 2000]  # the pages; the status row only changed its text
    assert relayouts == []


def test_tree_table_expands_by_arrow_and_keys(
        qloop: asyncio.AbstractEventLoop, qtbot: Any,
        tree: tuple[Folders, FlatTreeModel]) -> None:
    source, flat = tree
    view = TreeTable()
    qtbot.addWidget(view)
    view.setModel(flat)
    view.resize(400, 300)
    view.show()
    expanded: list[Any] = []
    view.expanded.connect(lambda index: expanded.append(index.data()))

    async def body() -> None:
        source.add_root("root-a")
        first = flat.index(0, 0)
        rect = view.visualRect(first)
        arrow = QPoint(rect.x() + view.indentation() // 2, rect.center().y())
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=arrow)
        await source.wait_idle()
        assert view.isExpanded(first) and expanded == ["root-a"]
        delta = row_of(flat, "delta/")
        view.setCurrentIndex(delta)
        QTest.keyClick(view, Qt.Key.Key_Right)  # expand
        await source.wait_idle()
        assert view.isExpanded(delta)
        QTest.keyClick(view, Qt.Key.Key_Right)  # into the first child
        assert view.currentIndex().data() == "d3"
        QTest.keyClick(view, Qt.Key.Key_Left)  # up to the parent
        assert view.currentIndex().data() == "delta/"
        QTest.keyClick(view, Qt.Key.Key_Left)  # collapse
        assert not view.isExpanded(delta)
        # A click on the text (not the arrow) selects without toggling.
        rect = view.visualRect(delta)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(rect.right() - 5, rect.center().y()))
        assert not view.isExpanded(delta)
        assert view.selectionModel().selectedRows(0)[0].data() == "delta/"
        assert view.indexBelow(delta).data() == "alpha"
        assert view.header() is view.horizontalHeader()
        status = flat.index(flat.rowCount() - 1, 0)
        assert status.data(STATUS_ROLE) is RowStatus.MORE

    qloop.run_until_complete(body())


def test_removed_subtrees_are_freed_by_reference_counting(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    """Removed nodes break their own cycles once released (the GUI's collector freezes
    survivors of full collections, so cyclic garbage would linger)."""
    import gc
    import weakref

    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()

    qloop.run_until_complete(body())
    child = weakref.ref(source.root_nodes()[0].children[0])
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        source.remove_root("root-a")
        assert child() is not None  # the last removed batch stays alive a while (see _retire)
        source.add_root("root-b")
        source.remove_root("root-b")  # releases the previous batch
        assert child() is None
    finally:
        if was_enabled:
            gc.enable()


def test_a_write_updates_or_removes_one_row_in_place(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        flat.set_expanded(row_of(flat, "delta/"), True)
        await source.wait_idle()
        root = source.index(0, 0)
        alpha = source.find_child(root, lambda record: record == "alpha")
        assert alpha.isValid() and alpha.data() == "alpha"
        source.update_record(alpha, "alpha-2")
        assert shown(flat) == expected(flat)
        assert "  alpha-2" in shown(flat)
        delta = source.find_child(root, lambda record: record == "delta/")
        source.remove_record(delta)  # a row with an expanded, listed subtree
        assert shown(flat) == expected(flat)
        assert shown(flat) == ["root-a", "  alpha-2", "  charlie/", "  [MORE]"]
        assert not source.find_child(root, lambda record: record == "delta/").isValid()

    qloop.run_until_complete(body())


def test_a_filter_verdict_that_flips_rebuilds_exactly_the_rows_shown_before(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    """A folder shown only through a matching child stops matching when it is refreshed: its
    row goes too (found by tests/ui/test_random_actions.py, seed 1298670016)."""
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        source.fetchMore(flat.mapToSource(row_of(flat, "root-a")))  # complete: no status row
        await source.wait_idle()
        flat.set_expanded(row_of(flat, "charlie/"), True)
        await source.wait_idle()
        flat.setFilterFixedString("c-ha")
        assert shown(flat) == ["root-a", "  charlie/", "    c-ha"]
        source.refresh(flat.mapToSource(row_of(flat, "charlie/")))
        assert shown(flat) == ["root-a"]  # charlie/ no longer has a matching child
        await source.wait_idle()
        assert shown(flat) == ["root-a", "  charlie/", "    c-ha"]

    qloop.run_until_complete(body())


def test_a_changed_sort_key_moves_its_row(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    """A row whose sorted column changes (a GET filled it) moves, as in a sorting proxy
    (found by tests/ui/test_random_actions.py, seed 1)."""
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        flat.sort(1, Qt.SortOrder.AscendingOrder)  # by length
        assert shown(flat) == ["root-a", "  alpha", "  delta/", "  charlie/", "  [MORE]"]
        kept = QPersistentModelIndex(row_of(flat, "alpha"))
        source.update_record(flat.mapToSource(row_of(flat, "alpha")), "alpha-longest")
        assert shown(flat) == ["root-a", "  delta/", "  charlie/", "  alpha-longest",
                               "  [MORE]"]
        assert kept.row() == 3  # the selection follows its row

    qloop.run_until_complete(body())


def test_a_reset_that_drops_the_sorted_column_leaves_the_rows_unsorted(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel]) -> None:
    """A source whose reset takes the sorted column away (a Key Vault Deleted view has fewer
    columns) does not sort by a column that no longer exists (found by
    tests/ui/test_random_actions.py, seed 4022008262)."""
    source, flat = tree

    async def body() -> None:
        source.add_root("root-a")
        flat.set_expanded(row_of(flat, "root-a"), True)
        await source.wait_idle()
        flat.sort(1, Qt.SortOrder.DescendingOrder)
        source.beginResetModel()
        source.__dict__["_columns_cached"] = 1  # now only "Name"
        source.endResetModel()
        assert flat.sort_column() == -1
        assert shown(flat) == ["root-a", "  delta/", "  alpha", "  charlie/", "  [MORE]"]

    qloop.run_until_complete(body())
