"""A removed root lists nothing more. The random UI test caught the Redis tree inserting a removed
connection's first page at the top level (a removed node's index is the invisible root's): a
view (here the model tester) asked the root for a page while its rows were being removed, and
that new page task outlived the removal. An index kept from before the removal must not start,
load all or refresh anything either."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QModelIndex

from tests.core.ui.test_tree_pane_sorting import PagedNames


def test_a_removed_roots_old_index_lists_nothing(qloop: asyncio.AbstractEventLoop,
                                                 qtmodeltester: Any) -> None:
    model = PagedNames()
    model.is_lazy = lambda record: record in ("root", "other")  # type: ignore[method-assign]
    qtmodeltester.check(model)
    model.add_root("root")
    model.add_root("other")
    kept = model.index(0, 0)  # a plain index, as a deferred call or a view may hold one
    assert model.remove_root("root")
    assert model.rowCount(QModelIndex()) == 1

    async def scenario() -> None:
        model.fetchMore(kept)
        model.load_all(kept)
        model.refresh(kept)
        await model.wait_idle()
        await asyncio.sleep(0.05)

    qloop.run_until_complete(scenario())
    # Only "other" is at the top level: nothing of the removed root came back, nothing removed.
    assert model.rowCount(QModelIndex()) == 1
    assert model.index(0, 0).data() == "other"
    assert not model.pages_in_flight() or all(t.done() for t in model.pages_in_flight())
