"""``DeepSearch``: what a prefix cannot find (substring, glob, regex, size and date ranges),
found by streaming a container's flat listing and testing each blob as its page lands.

Memory stays bounded: a scanned blob that does not match is dropped with its page; only
matches are handed on (at most ``max_matches`` per run, plus the rest of that run's last
page). The position is the continuation token of the next unread page, moved on only once a
page is fully tested, so a cancelled search (asyncio cancellation, at any await) resumes with
``run()`` exactly where it stopped: no blob tested twice, none skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import MAX_PAGE_SIZE, check_page_size
from vaultbrowser.blob.services.search.criteria import DeepCriteria
from vaultbrowser.core.services.records import Page

__all__ = ["DEFAULT_MAX_MATCHES", "DeepSearch", "FlatLister", "SearchProgress"]

DEFAULT_MAX_MATCHES = 10_000


class FlatLister(Protocol):
    """What a deep search lists through (``BlobService.list_blobs_flat``)."""

    async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                              continuation: str | None = None) -> Page[BlobRecord]: ...


@dataclass(frozen=True, slots=True)
class SearchProgress:
    """Where a deep search is: ``"312,000 of ? scanned, 41 matches"``."""

    scanned: int
    matches: int
    pages: int
    position: str | None  # the next page's continuation token (None: from the start / done)
    finished: bool  # the listing ended: nothing left to scan
    at_limit: bool  # this run stopped at its match limit (``run()`` goes on)
    seconds: float  # time spent scanning, over every run

    def text(self) -> str:
        total = f"{self.scanned:,}" if self.finished else "?"
        matches = f"{self.matches:,} match" + ("" if self.matches == 1 else "es")
        state = ("done" if self.finished else f"stopped at {self.matches:,} matches"
                 if self.at_limit else "")
        tail = f" — {state}" if state else ""
        return f"{self.scanned:,} of {total} scanned, {matches}{tail}"

    @property
    def rate(self) -> float:
        """Names scanned per second."""
        return self.scanned / self.seconds if self.seconds > 0 else 0.0


Found = Callable[[Sequence[BlobRecord], SearchProgress], None]


class DeepSearch:
    """One deep search over one container (see the module docstring).

    Raises (constructor):
        InvalidInput: the criteria are invalid (``DeepCriteria.compile``) or a bad page size;
            nothing has been sent.
    """

    def __init__(self, lister: FlatLister, container: str, criteria: DeepCriteria, *,
                 page_size: int = MAX_PAGE_SIZE,
                 max_matches: int = DEFAULT_MAX_MATCHES) -> None:
        check_page_size(page_size)
        self._test = criteria.compile()
        self._lister = lister
        self.container = container
        self.criteria = criteria
        self._page_size = page_size
        self._max_matches = max_matches
        self.position: str | None = None
        self.scanned = 0
        self.matches = 0
        self.pages = 0
        self.finished = False
        self._at_limit = False
        self._seconds = 0.0

    def progress(self) -> SearchProgress:
        return SearchProgress(self.scanned, self.matches, self.pages, self.position,
                              self.finished, self._at_limit, self._seconds)

    async def run(self, found: Found | None = None) -> SearchProgress:
        """Scan from the kept position until the listing ends or this run has found
        ``max_matches``; ``found(matches, progress)`` after every page (matches may be empty,
        so progress shows while nothing matches).

        Raises:
            VaultBrowserError: the typed error of a page (the position stays before it, so
                ``run()`` retries it); ``asyncio.CancelledError`` likewise leaves it resumable.
        """
        self._at_limit = False
        found_here = 0
        while not self.finished:
            started = time.perf_counter()
            try:
                page = await self._lister.list_blobs_flat(
                    self.container, self.criteria.prefix, page_size=self._page_size,
                    continuation=self.position)
                test = self._test
                # No await from here on: the page is tested and the position moved as one step.
                hits = [blob for blob in page.items if test(blob)]
            finally:
                self._seconds += time.perf_counter() - started
            self.scanned += len(page.items)
            self.matches += len(hits)
            self.pages += 1
            self.position = page.next_token
            self.finished = page.next_token is None
            found_here += len(hits)
            self._at_limit = not self.finished and found_here >= self._max_matches
            if found is not None:
                found(hits, self.progress())
            if self._at_limit:
                break
        return self.progress()
