"""A big sort in the pane: the summary says it is working until the new order is on screen,
and the selection stays on its row."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt

from tests.core.models.test_sliced_order import Blobs
from vaultbrowser.core.ui.tree.tree_pane import TreePane


def test_the_pane_says_it_is_sorting_and_keeps_the_selection(
        qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    model = Blobs()
    pane = TreePane(model, "Blobs")
    qtbot.addWidget(pane)
    pane.proxy.sync_limit = 0
    root = model.add_root("container")

    async def first_page() -> None:
        pane.view.expand(pane.proxy.mapFromSource(root))
        await model.wait_idle()

    qloop.run_until_complete(first_page())
    pane.view.setCurrentIndex(pane.proxy.index(5, 0))
    selected = pane.proxy.index(5, 0).data()
    pane.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert pane.proxy.pending
    assert "sorting and filtering the loaded items…" in pane.summary.text()

    async def applied() -> None:
        while pane.proxy.pending:
            await asyncio.sleep(0.001)

    qloop.run_until_complete(asyncio.wait_for(applied(), 30))
    assert "sorting covers loaded items only" in pane.summary.text()
    assert pane.view.currentIndex().data() == selected
    assert pane.proxy.mapToSource(pane.view.currentIndex()).data() == selected
    sizes = [pane.proxy.index(row, 1).data() for row in range(1, 50)]
    assert sizes == sorted(sizes, key=int, reverse=True)
