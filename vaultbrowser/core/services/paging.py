"""Fetch exactly one page of an azure-core pager as our ``Page`` record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vaultbrowser.core.services.http.limits import page_items_exceeded, page_request
from vaultbrowser.core.services.http.transport import ResponseCapture
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.translate import translated

T = TypeVar("T")


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
            max_items = request.limits.max_page_items
            items: list[T] = []
            async for item in page:
                if len(items) >= max_items:
                    raise page_items_exceeded(max_items)
                items.append(convert(item))
            request.items = len(items)
        return Page(tuple(items), pages.continuation_token or None, capture.take())
