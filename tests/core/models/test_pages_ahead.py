"""Load all asks for the next page as soon as a fetch tells its token (``tell_next_token``,
before the page's items are converted); a cancel, a refresh or a failure leaves no request
asked that way behind; and a Key Vault tree's Load all inserts its pages in batches."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.core.models.test_lazy_tree import PAGE, PAGES, Numbers
from vaultbrowser.core.services.errors import ServiceUnavailable
from vaultbrowser.core.services.paging import tell_next_token
from vaultbrowser.core.services.records import Page


class EarlyNumbers(Numbers):
    """Numbers whose fetch tells the next token when the "answer" is in, then "converts" its
    items for ``convert`` seconds (as ``paging.fetch_page`` does)."""

    asks_next_page_early = True

    def __init__(self, delay: float = 0.0, convert: float = 0.0,
                 fail_at: int | None = None, blocking: bool = False) -> None:
        super().__init__(delay=delay, fail_at=fail_at)
        self.convert = convert
        self.blocking = blocking  # converting holds the loop (as converting items does)
        self.started: list[int] = []  # pages whose fetch has run its first step
        self.started_when_converted: dict[int, list[int]] = {}  # page → pages started by then

    async def _page(self, number: int) -> Page[Any]:
        self.started.append(number)
        try:
            await asyncio.sleep(self.delay)
            following = str(number + 1) if number + 1 < PAGES else None
            await tell_next_token(following)
            if self.blocking:
                time.sleep(self.convert)
            else:
                await asyncio.sleep(self.convert)
        except asyncio.CancelledError:
            self.cancelled.append(number)
            raise
        if number == self.fail_at:
            raise ServiceUnavailable("page failed")
        self.started_when_converted[number] = list(self.started)
        items = tuple(number * PAGE + i for i in range(PAGE))
        return Page(items, following, None)


def test_the_next_page_is_asked_before_this_page_is_converted(
        qloop: asyncio.AbstractEventLoop) -> None:
    # Converting (blocking the loop) is quicker than a round trip.
    model = EarlyNumbers(delay=0.03, convert=0.01, blocking=True)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        assert [model.index(r, 0, root).data() for r in range(model.rowCount(root))] == [
            str(n) for n in range(PAGES * PAGE)]
        assert model.asked == list(range(PAGES))  # every page once, in order
        # Before page n converted its items, page n + 1's fetch had started (its request out).
        assert all(model.started_when_converted[n][-1] == n + 1 for n in range(PAGES - 1))

    qloop.run_until_complete(body())


def test_without_load_all_nothing_is_asked_early(qloop: asyncio.AbstractEventLoop) -> None:
    model = EarlyNumbers()

    async def body() -> None:
        root = model.add_root("root")
        model.fetchMore(root)
        await model.wait_idle()
        await asyncio.sleep(0.02)
        assert model.asked == [0] and model.rowCount(root) == PAGE + 1  # and "more available"

    qloop.run_until_complete(body())


def test_a_cancelled_load_all_cancels_the_page_asked_early(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = EarlyNumbers(delay=0.01, convert=0.2)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        while model.asked != [0, 1]:  # page 0 converting, page 1 asked early
            await asyncio.sleep(0.002)
        model.cancel(root)
        await model.wait_idle()
        await asyncio.sleep(0.05)
        assert sorted(model.cancelled) == [0, 1]
        listing = model.node_of(root).listing
        assert listing.task is None and listing.error is None and not listing.listed
        model.fetchMore(root)  # listing again from where it stopped: the first page
        await model.wait_idle()
        assert model.asked[-1] == 0 and model.rowCount(root) == PAGE + 1

    qloop.run_until_complete(body())


def test_a_refresh_cancels_the_page_asked_early(qloop: asyncio.AbstractEventLoop) -> None:
    model = EarlyNumbers(delay=0.01, convert=0.2)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        while model.asked != [0, 1]:
            await asyncio.sleep(0.002)
        model.refresh(root)  # lists the first page again (no Load all)
        await model.wait_idle()
        await asyncio.sleep(0.05)
        assert sorted(model.cancelled) == [0, 1]
        assert model.asked == [0, 1, 0] and model.rowCount(root) == PAGE + 1

    qloop.run_until_complete(body())


def test_a_failed_page_asked_early_marks_the_node_after_the_pages_before_it(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = EarlyNumbers(delay=0.03, convert=0.005, fail_at=3)
    errors: list[Any] = []
    model.load_failed.connect(errors.append)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        await asyncio.sleep(0.02)
        assert model.rowCount(root) == 3 * PAGE + 1  # pages 0-2, then the error row
        listing = model.node_of(root).listing
        assert isinstance(listing.error, ServiceUnavailable) and listing.next_token == "3"
        assert len(errors) == 1 and model.asked == [0, 1, 2, 3, 4]  # 4: told by page 3
        assert model.cancelled == [4]

    qloop.run_until_complete(body())


class BatchedNumbers(Numbers):
    load_all_batch_seconds = 10.0  # every page but the first and the last waits


def test_batched_load_all_inserts_the_first_page_then_the_rest_with_the_last(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = BatchedNumbers(delay=0.005)
    inserted: list[int] = []
    progress: list[int] = []
    model.rowsInserted.connect(lambda parent, first, last: parent.isValid()
                               and model.node_of(parent).record == "root"
                               and first < PAGES * PAGE and inserted.append(last - first + 1))
    model.load_all_progress.connect(lambda _index, count: progress.append(count))

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        assert [model.index(r, 0, root).data() for r in range(model.rowCount(root))] == [
            str(n) for n in range(PAGES * PAGE)]
        # The status row's insert aside: the first page, then the other five in one insert.
        assert [n for n in inserted if n != 1] == [PAGE, (PAGES - 1) * PAGE]
        assert progress == [PAGE * n for n in range(1, PAGES + 1)]  # still told per page

    qloop.run_until_complete(body())


def test_a_cancelled_batched_load_all_shows_the_pages_it_accepted(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = BatchedNumbers(delay=0.03)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        while model.asked != [0, 1, 2, 3]:  # pages 1 and 2 held, page 3 asked ahead
            await asyncio.sleep(0.002)
        assert model.rowCount(root) == PAGE + 1
        model.cancel(root)
        await model.wait_idle()
        listing = model.node_of(root).listing
        assert listing.next_token == "3" and model.rowCount(root) == 3 * PAGE + 1
        assert model.cancelled == [3]

    qloop.run_until_complete(body())


class QuietNumbers(EarlyNumbers):
    asks_next_page_early = False  # its pages are not one listing call at its own token


def test_a_model_that_does_not_opt_in_asks_after_the_page_is_back(
        qloop: asyncio.AbstractEventLoop) -> None:
    model = QuietNumbers(delay=0.01, convert=0.005, blocking=True)

    async def body() -> None:
        root = model.add_root("root")
        model.load_all(root)
        await model.wait_idle()
        assert model.rowCount(root) == PAGES * PAGE and model.asked == list(range(PAGES))
        assert all(model.started_when_converted[n][-1] == n for n in range(PAGES))

    qloop.run_until_complete(body())
