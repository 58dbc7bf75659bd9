"""Collecting the inventory: ``InventoryCollector`` is what every kind's audit collector fills
(``<kind>/services/audit.py``: secrets, certificates and keys; containers), with the shared
steps — paging to the end, bounded concurrency, progress, errors.

A failure of one listing or call becomes a ``ReportError`` and the collection goes on;
cancellation (``asyncio.CancelledError``) always propagates. Only properties are read: no
collector asks for a secret value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from vaultbrowser.core.audit.model import (
    AzureResourceEntry,
    ContainerEntry,
    ReportError,
    VaultItemEntry,
)
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import Cancelled, VaultBrowserError
from vaultbrowser.core.services.kinds import ServiceKind, kind_of
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.session import ServiceSession

T = TypeVar("T")
Progress = Callable[[str, int, int | None], None]

DEFAULT_CONCURRENCY = 8


class ErrorLog:
    """Report errors, merged when the same operation fails the same way for many items."""

    def __init__(self) -> None:
        self._errors: dict[tuple[str, str, str, str | None], ReportError] = {}

    def add(self, source: str, operation: str, error: VaultBrowserError,
            subject: str | None = None) -> None:
        key = (source, operation, type(error).__name__, error.error_code)
        known = self._errors.get(key)
        if known is not None:
            self._errors[key] = ReportError(**{**_fields(known), "count": known.count + 1})
            return
        self._errors[key] = ReportError(
            source=source, operation=operation, error_type=type(error).__name__,
            title=error.title, message=error.message, request_id=error.request_id,
            status=error.status, error_code=error.error_code, subject=subject,
        )

    def errors(self) -> tuple[ReportError, ...]:
        return tuple(self._errors.values())


def _fields(error: ReportError) -> dict[str, Any]:
    return {name: getattr(error, name) for name in ReportError.__slots__}


class InventoryCollector:
    """Collects one report's inventory; ``errors`` holds what failed on the way."""

    def __init__(self, session: ServiceSession, *, scan_blobs: bool = False,
                 progress: Progress | None = None,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self.session = session
        self.scan_blobs = scan_blobs
        self._progress = progress
        self.limit = asyncio.Semaphore(concurrency)  # per-item calls in flight at once
        self.errors = ErrorLog()
        self.items: list[VaultItemEntry] = []
        self.containers: list[ContainerEntry] = []
        # What a discovering kind found (Azure Resource Manager's view of each resource).
        self.resources: list[AzureResourceEntry] = []
        # The registry, by name: a kind that finds other kinds' resources (Azure discovery)
        # hands each to its own kind's collector.
        self.kinds: Mapping[str, ServiceKind] = {}

    def tell(self, what: str, done: int, total: int | None) -> None:
        if self._progress is not None:
            self._progress(what, done, total)

    async def attempt(self, source: str, operation: str, call: Callable[[], Awaitable[T]],
                       subject: str | None = None) -> T | None:
        """``await call()``; a ``VaultBrowserError`` is recorded and gives None."""
        try:
            return await call()
        except Cancelled:
            raise asyncio.CancelledError() from None
        except VaultBrowserError as error:
            self.errors.add(source, operation, error, subject)
            return None

    async def page_all(self, fetch: Callable[[str | None], Awaitable[Page[T]]],
                        what: str | None = None) -> list[T]:
        """Every item of a listing, page by page to the end.

        Raises:
            VaultBrowserError: a page failed (the items before it are lost to the caller).
        """
        items: list[T] = []
        token: str | None = None
        while True:
            page = await fetch(token)
            items.extend(page.items)
            if what is not None:
                self.tell(what, len(items), None)
            token = page.next_token
            if not token:
                return items


async def collect_inventory(collector: InventoryCollector, connections: Sequence[Connection],
                            kinds: Mapping[str, ServiceKind]) -> None:
    """Run ``collector`` over every connection, one connection after another: each kind's
    ``audit`` collects its own (a connection of an unknown kind becomes a report error)."""
    collector.kinds = kinds
    for connection in connections:
        try:
            kind = kind_of(kinds, connection)
        except VaultBrowserError as error:
            collector.errors.add(connection.display_name, "open", error)
            continue
        await kind.audit(collector, connection)
