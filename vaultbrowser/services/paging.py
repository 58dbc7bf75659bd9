"""Fetch exactly one page of an azure-core pager as our ``Page`` record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vaultbrowser.services.http import ResponseCapture
from vaultbrowser.services.records import Page
from vaultbrowser.services.translate import translated

T = TypeVar("T")


async def fetch_page(
    make_pager: Callable[[dict[str, Any]], Any],
    continuation: str | None,
    convert: Callable[[Any], T],
) -> Page[T]:
    """Request one page and convert its items.

    ``make_pager(hooks)`` must return an ``AsyncItemPaged`` created with ``**hooks`` so the page's
    HTTP response is captured. ``continuation`` is the ``next_token`` of the previous page (None
    for the first). The SDK pages lazily: only one request is made here.

    Raises:
        VaultBrowserError: the typed error of whatever failed.
    """
    capture = ResponseCapture()
    async with translated():
        pages = make_pager(capture.hooks).by_page(continuation_token=continuation)
        try:
            page = await pages.__anext__()
        except StopAsyncIteration:
            return Page((), None, capture.take())
        items = tuple([convert(item) async for item in page])
        return Page(items, pages.continuation_token or None, capture.take())
