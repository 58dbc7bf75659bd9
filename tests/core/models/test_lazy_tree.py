"""LazyTreeModel's paging loop: Load all asks for the next page before it inserts the current
one, and a cancelled or failed Load all leaves no page request behind."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any

from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import ServiceUnavailable
from vaultbrowser.core.services.records import Page

PAGES = 6
PAGE = 4


class Numbers(LazyTreeModel):
    """One root listing PAGES pages of PAGE numbers; each page takes ``delay`` seconds."""

    def __init__(self, delay: float = 0.0, fail_at: int | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.fail_at = fail_at
        self.asked: list[int] = []  # page numbers, in the order their requests were made
        self.cancelled: list[int] = []

    def column_titles(self) -> Sequence[str]:
        return ["Number"]

    def is_lazy(self, record: Any) -> bool:
        return record == "root"

    def fetch_page(self, node: Node, continuation: str | None, page_size: int
                   ) -> Coroutine[Any, Any, Page[Any]]:
        number = int(continuation or 0)
        self.asked.append(number)  # when the model asks, not when the coroutine first runs
        return self._page(number)

    async def _page(self, number: int) -> Page[Any]:
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled.append(number)
            raise
        if number == self.fail_at:
            raise ServiceUnavailable("page failed")
        items = tuple(number * PAGE + i for i in range(PAGE))
        return Page(items, str(number + 1) if number + 1 < PAGES else None, None)

    def display(self, record: Any, column: int) -> Any:
        return str(record)


def test_load_all_asks_for_the_next_page_before_inserting_this_one(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = Numbers()
    asked_at_insert: list[list[int]] = []
    model.rowsInserted.connect(
        lambda parent, first, last: parent.isValid() and last - first + 1 == PAGE
        and asked_at_insert.append(list(model.asked)))

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        assert model.rowCount(root) == PAGES * PAGE
        assert [model.index(r, 0, root).data() for r in range(model.rowCount(root))] == [
            str(n) for n in range(PAGES * PAGE)]
        # Each page's rows went in once the following page had been asked for (the last
        # page has none to ask for), and no page was asked twice.
        assert [asked[-1] for asked in asked_at_insert] == [1, 2, 3, 4, 5, 5]
        assert model.asked == list(range(PAGES))

    qloop.run_until_complete(body())


def test_cancelled_load_all_cancels_the_page_asked_ahead(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = Numbers(delay=0.05)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        while model.rowCount(root) < 2 * PAGE:  # two pages in, the third asked ahead
            await asyncio.sleep(0.005)
        model.cancel(root)
        await model.wait_idle()
        await asyncio.sleep(0.1)
        assert model.cancelled == [2]
        node = model.node_of(root)
        listing = node.listing
        assert listing.task is None and listing.next_token == "2" and listing.error is None
        assert model.rowCount(root) == 2 * PAGE + 1  # and the "more available" row
        model.fetchMore(root)  # paging on from where it stopped
        await model.wait_idle()
        assert model.asked[-1] == 2 and model.rowCount(root) == 3 * PAGE + 1

    qloop.run_until_complete(body())


def test_failed_page_asked_ahead_marks_the_node_after_the_pages_before_it(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = Numbers(fail_at=3)
    errors: list[Any] = []
    model.load_failed.connect(errors.append)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        assert model.rowCount(root) == 3 * PAGE + 1  # pages 0-2, then the error row
        assert isinstance(model.node_of(root).listing.error, ServiceUnavailable)
        assert len(errors) == 1 and model.asked == [0, 1, 2, 3]

    qloop.run_until_complete(body())
