"""ColumnFit while a listing pages: the status row's count changing page after page is no
reason to size a column again (each refit measured up to 1,000 rows); a value arriving in a
column the first page left empty still is."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from tests.core.models.test_lazy_tree import PAGE, PAGES, Numbers
from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.ui.tree.column_fit import ColumnFit
from vaultbrowser.core.ui.tree.tree_table import TreeTable


class NumbersWithNotes(Numbers):
    """Numbers with a second column that every page leaves empty, until ``notes`` fills it."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay=delay)
        self.notes: dict[int, str] = {}

    def column_titles(self) -> Sequence[str]:
        return ["Number", "Note"]

    def display(self, record: Any, column: int) -> Any:
        return self.notes.get(record, "") if column == 1 else str(record)


def test_paging_does_not_refit_an_empty_column_but_its_first_values_do(
        qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    source, flat, view = NumbersWithNotes(delay=0.02), FlatTreeModel(), TreeTable()
    flat.setSourceModel(source)
    qtbot.addWidget(view)
    view.setModel(flat)
    view.resize(600, 400)
    view.show()
    fit = ColumnFit(view, source)
    source.page_loaded.connect(fit.fit_to_page)
    resized: list[int] = []
    real = view.resizeColumnToContents
    view.resizeColumnToContents = lambda column: (resized.append(column), real(column))

    async def body() -> None:
        root = source.add_root("root")
        flat.set_expanded(flat.index(0, 0), True)
        source.load_all(root)
        await source.wait_idle()
        await asyncio.sleep(0.3)  # past the late fit's delay
        assert source.rowCount(root) == PAGES * PAGE
        assert resized == [1]  # the first page's fit, nothing per page after it
        source.notes[3] = "a note long enough to widen its column"
        source.update_record(source.index(3, 0, root), 3)
        await asyncio.sleep(0.3)
        assert resized == [1, 1]

    qloop.run_until_complete(asyncio.wait_for(body(), 30))
