"""The pane's summary line: a long listing name (a query's text) is cut in its middle so the count
after it stays readable; the whole line is the tooltip and the accessible name."""

from __future__ import annotations

from typing import Any

from tests.core.ui.test_tree_pane_sorting import PagedNames
from vaultbrowser.core.ui.tree.tree_pane import TreePane

LONG_NAME = "SELECT c.id, c.customerId, c.status, c.total FROM c WHERE c.status = @status " * 3


def summary_after_first_page(qloop: Any, qtbot: Any, root_name: str, width: int) -> TreePane:
    model = PagedNames()
    pane = TreePane(model, "Names")
    qtbot.addWidget(pane)
    pane.resize(width, 300)
    pane.show()
    model.is_lazy = lambda record: record == root_name  # type: ignore[method-assign]
    root = model.add_root(root_name)

    async def first_page() -> None:
        pane.view.expand(pane.proxy.mapFromSource(root))
        await model.wait_idle()

    qloop.run_until_complete(first_page())
    pane.view.setCurrentIndex(pane.proxy.index(0, 0))  # the root: its listing is summarised
    return pane


def test_a_long_name_is_cut_and_the_count_stays(qloop: Any, qtbot: Any) -> None:
    pane = summary_after_first_page(qloop, qtbot, LONG_NAME, 480)
    text = pane.summary.text()
    assert text.endswith("4 loaded · more available · sorting covers loaded items only"), text
    assert "…" in text and text.startswith("SELECT ")
    fits = pane.summary.fontMetrics().horizontalAdvance(text) <= pane.summary.width()
    assert fits, (text, pane.summary.width())
    full = f"{LONG_NAME}: 4 loaded · more available · sorting covers loaded items only"
    assert pane.summary.toolTip() == full
    assert pane.summary.accessibleName() == full

    pane.resize(3000, 300)  # wide enough again: the whole name comes back
    qtbot.waitUntil(lambda: pane.summary.text() == full)


def test_a_short_name_is_whole(qloop: Any, qtbot: Any) -> None:
    pane = summary_after_first_page(qloop, qtbot, "orders", 480)
    assert pane.summary.text() == (
        "orders: 4 loaded · more available · sorting covers loaded items only")
