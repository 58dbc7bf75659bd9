"""Fetch exactly one page of an azure-core pager as our ``Page`` record."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.limits import page_items_exceeded, page_request
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.translate import translated

T = TypeVar("T")

# Who pages on (Load all) hears the next page's token as soon as the service sent it, before
# this page's items are converted: the next request can leave first (``on_next_token``).
_NEXT_TOKEN_HEARD: ContextVar[Callable[[str | None], bool] | None] = ContextVar(
    "next_token_heard", default=None)


@contextlib.contextmanager
def on_next_token(heard: Callable[[str | None], bool]) -> Iterator[None]:
    """Within the block (and the tasks started in it), every page fetched tells ``heard``
    its next token (None: the last page) as soon as it is known; ``heard`` returns True when
    it asked for that page."""
    reset = _NEXT_TOKEN_HEARD.set(heard)
    try:
        yield
    finally:
        _NEXT_TOKEN_HEARD.reset(reset)


async def tell_next_token(token: str | None) -> None:
    """A page's fetcher: the next token is known (see ``on_next_token``). When that page was
    asked for, its request is given a turn of the event loop to leave before this page's work
    goes on (a task's first step runs only at the loop's next turn)."""
    heard = _NEXT_TOKEN_HEARD.get()
    if heard is not None and heard(token):
        await asyncio.sleep(0)


async def fetch_page(
    make_pager: Callable[[dict[str, Any]], Any],
    continuation: str | None,
    convert: Callable[[Any], T],
) -> Page[T]:
    """Request one page and convert its items.

    ``make_pager(hooks)`` must return an ``AsyncItemPaged`` created with ``**hooks`` so the page's
    HTTP response is captured. ``continuation`` is the ``next_token`` of the previous page (None
    for the first). The SDK pages lazily: only one request is made here. The request is a
    listing page's: its body is held to ``max_page_bytes`` and its items to ``max_page_items``.

    Raises:
        VaultBrowserError: the typed error of whatever failed (``LimitExceeded`` past a limit).
    """
    capture = ResponseCapture()
    async with translated():
        with page_request() as request:
            pages = make_pager(capture.hooks).by_page(continuation_token=continuation)
            try:
                page = await pages.__anext__()
            except StopAsyncIteration:
                request.items = 0
                return Page((), None, capture.take())
            await tell_next_token(pages.continuation_token or None)
            max_items = request.limits.max_page_items
            items: list[T] = []
            async for item in page:
                if len(items) >= max_items:
                    raise page_items_exceeded(max_items)
                items.append(convert(item))
            request.items = len(items)
        return Page(tuple(items), pages.continuation_token or None, capture.take())
