"""``Listing``: the paging rules of one node's children, with plain pytest (no Qt, no loop)."""

from __future__ import annotations

import pytest

from vaultbrowser.core.models.listing import Listing, RowStatus
from vaultbrowser.core.services.errors import LimitExceeded, NetworkError
from vaultbrowser.core.services.records import Page


def page(count: int, token: str | None) -> Page[int]:
    return Page(tuple(range(count)), token, None)


def test_a_new_listing_wants_its_first_page_and_shows_no_status_yet() -> None:
    listing = Listing()
    assert listing.has_more and listing.can_fetch and not listing.listed
    assert listing.status(has_rows=False) is None


def test_pages_move_it_on_until_the_last_one() -> None:
    listing = Listing()
    listing.accept(page(25, "t1"), None, max_empty_pages=3)
    assert listing.listed and listing.next_token == "t1" and listing.pages_loaded == 1
    assert listing.status(has_rows=True) is RowStatus.MORE and listing.can_fetch
    listing.accept(page(10, None), None, max_empty_pages=3)
    assert not listing.has_more and not listing.can_fetch and listing.pages_loaded == 2
    assert listing.status(has_rows=True) is None


def test_an_empty_listing_says_so() -> None:
    listing = Listing()
    listing.accept(page(0, None), None, max_empty_pages=3)
    assert listing.status(has_rows=False) is RowStatus.EMPTY


def test_a_page_in_flight_shows_loading_and_blocks_another() -> None:
    listing = Listing()
    listing.task = object()  # type: ignore[assignment]  # any task: only its presence counts
    assert listing.status(has_rows=False) is RowStatus.LOADING and not listing.can_fetch


def test_an_error_stops_it_until_retry_clears_it() -> None:
    listing = Listing()
    listing.task = object()  # type: ignore[assignment]
    error = NetworkError("connection reset")
    assert listing.finish(error) is False
    assert listing.task is None and listing.status(has_rows=False) is RowStatus.ERROR
    assert not listing.can_fetch
    listing.error = None  # what Retry does
    assert listing.can_fetch


def test_load_all_continues_while_there_is_a_next_page_and_reports_when_it_ends() -> None:
    listing = Listing()
    assert listing.start_load_all() is True  # nothing in flight: a task must start
    listing.accept(page(100, "t1"), None, max_empty_pages=3)
    assert listing.continues
    listing.accept(page(100, None), None, max_empty_pages=3)
    assert not listing.continues
    assert listing.finish(None) is True and listing.load_all is False


def test_load_all_joins_a_page_already_in_flight() -> None:
    listing = Listing()
    listing.task = object()  # type: ignore[assignment]
    assert listing.start_load_all() is False and listing.load_all


def test_a_repeated_continuation_is_refused() -> None:
    listing = Listing()
    listing.accept(page(5, "same"), None, max_empty_pages=3)
    with pytest.raises(LimitExceeded):
        listing.accept(page(5, "same"), None, max_empty_pages=3)


def test_endless_empty_pages_are_refused_counting_what_the_service_sent() -> None:
    listing = Listing()
    # A model may filter a page down to nothing: the items the service sent are what count.
    listing.accept(page(0, "a"), 30, max_empty_pages=2)
    listing.accept(page(0, "b"), 0, max_empty_pages=2)
    with pytest.raises(LimitExceeded):
        listing.accept(page(0, "c"), 0, max_empty_pages=2)


def test_reset_starts_over_with_new_tokens() -> None:
    listing = Listing()
    listing.accept(page(5, "same"), None, max_empty_pages=3)
    listing.reset()
    assert not listing.listed and listing.next_token is None and listing.pages_loaded == 0
    listing.accept(page(5, "same"), None, max_empty_pages=3)  # the same token is new again
    assert listing.next_token == "same"


def test_the_summary_says_how_far_the_listing_is() -> None:
    listing = Listing()
    assert listing.summary(0) == "not loaded"
    listing.accept(page(250, "next"), None, max_empty_pages=3)
    assert listing.summary(1250) == "1,250 loaded · more available"
    listing.accept(page(4, None), None, max_empty_pages=3)
    assert listing.summary(1254) == "1,254 (complete)"
