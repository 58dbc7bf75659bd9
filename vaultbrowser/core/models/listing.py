"""``Listing``: the paging state of one node's children — where the listing is (continuation
token, pages landed, the last response), the task fetching a page, the error that stopped it,
whether "Load all" runs — and the rules between them. Qt-free: ``LazyTreeModel`` wraps one per
lazy node and turns its changes into rows; the rules are tested with plain pytest.
"""

from __future__ import annotations

import asyncio
from enum import Enum, auto
from typing import Any

from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.http.limits import ContinuationGuard
from vaultbrowser.core.services.records import Page, ResponseInfo


class RowStatus(Enum):
    """What the trailing status row of a listing says."""

    LOADING = auto()
    MORE = auto()
    ERROR = auto()
    EMPTY = auto()


class Listing:
    """The paging state of one listing (see the module docstring)."""

    __slots__ = ("error", "guard", "last_response", "listed", "load_all", "next_token",
                 "pages_loaded", "task")

    def __init__(self) -> None:
        self.next_token: str | None = None
        self.listed = False  # at least one page has landed
        self.task: asyncio.Task[None] | None = None  # the page (or Load all) in flight
        self.error: VaultBrowserError | None = None  # what stopped it; Retry clears it
        self.load_all = False
        self.last_response: ResponseInfo | None = None
        self.pages_loaded = 0
        self.guard: ContinuationGuard | None = None  # this listing's tokens and empty pages

    @property
    def has_more(self) -> bool:
        """Unlisted, or the service said there is a next page."""
        return not self.listed or self.next_token is not None

    @property
    def started(self) -> bool:
        """Listed, or its first page is in flight: a mode change must list it again."""
        return self.listed or self.task is not None

    @property
    def can_fetch(self) -> bool:
        """A page may start: more to read, none in flight, no error waiting for Retry."""
        return self.has_more and self.task is None and self.error is None

    @property
    def continues(self) -> bool:
        """After a page: Load all goes on to the next one."""
        return self.load_all and self.next_token is not None

    def status(self, has_rows: bool) -> RowStatus | None:
        """What the trailing status row shows (None: no status row)."""
        if self.task is not None:
            return RowStatus.LOADING
        if self.error is not None:
            return RowStatus.ERROR
        if self.listed and self.next_token is not None:
            return RowStatus.MORE
        if self.listed and not has_rows:
            return RowStatus.EMPTY
        return None

    def accept(self, page: Page[Any], wire_items: int | None, max_empty_pages: int) -> None:
        """Take a landed page: check its token (a repeated continuation or endless empty pages
        raise ``LimitExceeded``), then move the listing on. ``wire_items``: how many items the
        service sent, before a model filtered them (None: the page's own count)."""
        if self.guard is None or not self.listed:  # a listing's first page
            self.guard = ContinuationGuard(max_empty_pages)
        self.guard.check(len(page.items) if wire_items is None else wire_items,
                         page.next_token)
        self.listed = True
        self.next_token = page.next_token
        self.last_response = page.response
        self.pages_loaded += 1

    def finish(self, error: VaultBrowserError | None) -> bool:
        """The task ended (``error`` when it failed). True when it ran Load all."""
        was_load_all = self.load_all
        self.task = None
        self.error = error
        self.load_all = False
        return was_load_all

    def start_load_all(self) -> bool:
        """Ask for every page; True when a task must start (none is in flight)."""
        self.error = None
        self.load_all = True
        return self.task is None

    def summary(self, rows: int) -> str:
        """"250 loaded · more available" / "1,204 (complete)" / "not loaded" (``rows``: the
        children loaded)."""
        if not self.listed:
            return "not loaded"
        return f"{rows:,} loaded · more available" if self.next_token else f"{rows:,} (complete)"

    def reset(self) -> None:
        """Forget every page (Refresh): the next page is the first, every token new."""
        self.listed, self.next_token, self.error, self.pages_loaded = False, None, None, 0
        self.guard = None
