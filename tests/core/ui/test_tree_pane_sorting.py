"""LoadedItemsProxy: unsorted by default, sorts on demand, status rows stay last either way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.ui.tree.tree_pane import TreePane


class PagedNames(LazyTreeModel):
    """A two-level tree over fixed in-memory pages: exercises the base contract only."""

    def column_titles(self) -> Sequence[str]:
        return ["Name", "Size"]

    def is_lazy(self, record: Any) -> bool:
        return record == "root"

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        start = int(continuation or 0)
        names = ["delta", "alpha", "charlie", "bravo", "echo", "foxtrot"][start:start + 4]
        nxt = str(start + 4) if start + 4 < 6 else None
        return Page(tuple(names), nxt, None)

    def display(self, record: Any, column: int) -> Any:
        return record if column == 0 else len(record)


def test_unsorted_until_asked_and_status_rows_last(qloop: Any, qtbot: Any) -> None:
    model = PagedNames()
    pane = TreePane(model, "Names")
    qtbot.addWidget(pane)
    root = model.add_root("root")

    async def first_page() -> None:
        pane.view.expand(pane.proxy.mapFromSource(root))  # expanding fetches the first page
        await model.wait_idle()

    qloop.run_until_complete(first_page())
    table = pane.proxy

    def shown() -> list[Any]:  # the rows under the root, in the table's order
        return [table.index(r, 0).data() for r in range(1, table.rowCount())]

    def last_is_more() -> bool:
        return table.index(table.rowCount() - 1, 0).data(STATUS_ROLE) is RowStatus.MORE

    assert table.index(0, 0).data() == "root"
    assert shown()[:4] == ["delta", "alpha", "charlie", "bravo"]  # the service's order
    assert last_is_more()
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        pane.view.sortByColumn(0, order)
        expected = sorted(["delta", "alpha", "charlie", "bravo"],
                          reverse=order == Qt.SortOrder.DescendingOrder)
        assert shown()[:4] == expected
        assert last_is_more()
    pane.filter_edit.setText("ha")
    assert shown()[:-1] == ["charlie", "alpha"]  # still sorted descending; status row last
    assert "loaded items only" in pane.summary.text()
    assert last_is_more()

    async def next_page() -> None:  # a page landing under a sort and a filter merges in
        model.fetchMore(root)
        await model.wait_idle()

    qloop.run_until_complete(next_page())
    assert shown() == ["charlie", "alpha"]  # complete: no status row any more
    pane.filter_edit.setText("")
    assert shown() == ["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]
    pane.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert shown() == ["delta", "alpha", "charlie", "bravo", "echo", "foxtrot"]
