"""Statistics of a container or folder, streamed over its flat listing.

One page (at most 5,000 blobs) is held at a time; what is kept grows with the number of
distinct tiers and content types (capped: the rest are counted under "(other)"), never with
the number of blobs: the largest blobs are a heap of ``TOP``. Progress after every page;
cancelling the task stops it (the partial figures stay with the caller's last progress).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.rules import MAX_PAGE_SIZE, validate_container_name
from vaultbrowser.core.services.errors import InvalidInput

__all__ = ["FolderStatistics", "collect_statistics"]

TOP = 10
MAX_CONTENT_TYPES = 200
OTHER = "(other)"
NONE = "(none)"


@dataclass
class FolderStatistics:
    """The figures so far (``complete`` once the listing ended)."""

    container: str
    prefix: str
    blobs: int = 0
    total_bytes: int = 0
    pages: int = 0
    bytes_by_tier: Counter[str] = field(default_factory=Counter)
    blobs_by_tier: Counter[str] = field(default_factory=Counter)
    bytes_by_content_type: Counter[str] = field(default_factory=Counter)
    blobs_by_content_type: Counter[str] = field(default_factory=Counter)
    complete: bool = False
    _largest: list[tuple[int, str]] = field(default_factory=list)

    @property
    def largest(self) -> list[tuple[str, int]]:
        """The ``TOP`` largest blobs, largest first, as (name, size)."""
        return [(name, size) for size, name in sorted(self._largest, reverse=True)]

    def add(self, name: str, size: int, tier: str | None, content_type: str | None) -> None:
        self.blobs += 1
        self.total_bytes += size
        tier_key = tier or NONE
        self.bytes_by_tier[tier_key] += size
        self.blobs_by_tier[tier_key] += 1
        kind = content_type or NONE
        if kind not in self.bytes_by_content_type and (
                len(self.bytes_by_content_type) >= MAX_CONTENT_TYPES):
            kind = OTHER
        self.bytes_by_content_type[kind] += size
        self.blobs_by_content_type[kind] += 1
        entry = (size, name)
        if len(self._largest) < TOP:
            heapq.heappush(self._largest, entry)
        elif entry > self._largest[0]:
            heapq.heapreplace(self._largest, entry)


async def collect_statistics(
    account: BlobAccount, container: str, prefix: str = "", *,
    on_progress: Callable[[FolderStatistics], None] | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> FolderStatistics:
    """Count every blob under ``prefix`` ("" for the whole container, else a folder ending
    with "/"): blobs, bytes, bytes per tier and per content type, the largest.

    Raises:
        InvalidInput: a bad container name, or a prefix not ending with "/" (nothing sent).
        NotFound: no such container.
        VaultBrowserError: the typed error of a listing page.
    """
    validate_container_name(container, allow_special=True)
    if prefix and not prefix.endswith("/"):
        raise InvalidInput(f"A folder prefix ends with '/' (got {prefix!r}).")
    stats = FolderStatistics(container, prefix)
    token: str | None = None
    while True:
        page = await account.list_blobs_flat(container, prefix, page_size=page_size,
                                             continuation=token)
        for blob in page.items:
            stats.add(blob.name, blob.size or 0, blob.access_tier, blob.content_type)
        stats.pages += 1
        token = page.next_token
        if not token:
            stats.complete = True
        if on_progress is not None:
            on_progress(stats)
        if not token:
            return stats
