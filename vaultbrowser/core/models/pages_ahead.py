"""``PagesAhead``: the pages Load all has asked for before it needs them, by continuation token.

A listing is sequential (each page names the next), but the next request need not wait for
the current page's work: it leaves as soon as its token is known, either when the page is back
or earlier, when the service's answer has been read and its items are still being converted
(``paging.on_next_token``). Qt-free; ``LazyTreeModel._run`` owns one per Load all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from vaultbrowser.core.models.listing import Listing
from vaultbrowser.core.services.http.limits import PageRequest, page_request
from vaultbrowser.core.services.records import Page


class PagesAhead:
    """Page requests started ahead, each with what the service sent for it (``PageRequest``)."""

    __slots__ = ("_asked", "_fetch")

    def __init__(self, fetch: Callable[[str], Awaitable[Page[Any]]]) -> None:
        self._fetch = fetch
        self._asked: dict[str, tuple[asyncio.Future[Page[Any]], PageRequest]] = {}

    def ask(self, token: str) -> None:
        """Start the page ``token`` names, unless it is asked already."""
        if token in self._asked:
            return
        with page_request() as wire:  # the task keeps it (a copy of this context)
            self._asked[token] = (asyncio.ensure_future(self._fetch(token)), wire)

    def ask_early(self, token: str | None, listing: Listing, running: bool) -> bool:
        """Ask for ``token``'s page as soon as a fetch tells it (``paging.on_next_token``):
        one page ahead at most, only for Load all, only while the asking task owns
        ``listing`` (``running``), never a token the listing has handed out (its repeat is
        refused when its page is accepted). True when asked."""
        if (token is None or self._asked or not listing.load_all or not running
                or (listing.guard is not None and listing.guard.handed_out(token))):
            return False
        self.ask(token)
        return True

    def __len__(self) -> int:
        return len(self._asked)

    def has(self, token: str | None) -> bool:
        return token is not None and token in self._asked

    async def take(self, token: str) -> tuple[Page[Any], PageRequest]:
        """The page ``token`` names (asked before), once it is back.

        Raises:
            Exception: whatever its fetch raised.
        """
        future, wire = self._asked.pop(token)
        return await future, wire

    def cancel(self) -> None:
        """Cancel every page asked and not taken (cancel, error, Load all turned off)."""
        for future, _wire in self._asked.values():
            future.cancel()
        self._asked.clear()
