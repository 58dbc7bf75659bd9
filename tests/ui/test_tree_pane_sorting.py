"""LoadedItemsProxy: unsorted by default, sorts on demand, status rows stay last either way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.models.lazy_tree import STATUS_ROLE, LazyTreeModel, Node, RowStatus
from vaultbrowser.services.records import Page
from vaultbrowser.ui.tree_pane import TreePane


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
        model.fetchMore(root)
        await model.wait_idle()

    qloop.run_until_complete(first_page())
    proxy_root = pane.proxy.mapFromSource(root)
    def shown() -> list[Any]:
        return [pane.proxy.index(r, 0, proxy_root).data()
                for r in range(pane.proxy.rowCount(proxy_root))]

    rows = shown()
    assert rows[:4] == ["delta", "alpha", "charlie", "bravo"]  # the service's order, unsorted
    assert pane.proxy.index(4, 0, proxy_root).data(STATUS_ROLE) is RowStatus.MORE
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        pane.view.sortByColumn(0, order)
        names = [pane.proxy.index(r, 0, proxy_root).data() for r in range(4)]
        expected = sorted(["delta", "alpha", "charlie", "bravo"],
                          reverse=order == Qt.SortOrder.DescendingOrder)
        assert names == expected
        assert pane.proxy.index(4, 0, proxy_root).data(STATUS_ROLE) is RowStatus.MORE
    pane.filter_edit.setText("ha")
    kept = shown()
    assert kept[:-1] == ["charlie", "alpha"]  # still sorted descending; status row last
    assert "loaded items only" in pane.summary.text()
    assert pane.proxy.index(pane.proxy.rowCount(proxy_root) - 1, 0, proxy_root).data(
        STATUS_ROLE) is RowStatus.MORE

