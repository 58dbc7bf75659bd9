"""Collecting the inventory: ``InventoryCollector`` is what every kind's audit collector fills
(``<kind>/services/audit.py``: secrets, certificates and keys; containers), with the shared
steps — paging to the end, bounded concurrency, progress, errors.

Concurrency: at most ``connections_at_once`` connections (vaults, accounts) are audited at a
time, and inside each at most ``concurrency`` per-item calls (``collector.limit`` is the
semaphore of the connection being audited): Key Vault throttles per vault, so a vault sees no
more than it did when connections were audited one after another. A call still throttled
after the SDK's own retries (which wait each 429's Retry-After) waits its Retry-After and is
asked again (``patiently``), a listing from the same continuation.

A failure of one listing or call becomes a ``ReportError`` and the collection goes on;
cancellation (``asyncio.CancelledError``) always propagates. Only properties are read: no
collector asks for a secret value.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from vaultbrowser.core.audit.model import (
    AzureResourceEntry,
    ContainerEntry,
    Finding,
    ReportError,
    VaultItemEntry,
)
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import Cancelled, Throttled, VaultBrowserError
from vaultbrowser.core.services.kinds import ServiceKind, kind_of
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.session import ServiceSession

T = TypeVar("T")
Progress = Callable[[str, int, int | None], None]

DEFAULT_CONCURRENCY = 8  # per-item calls in flight per connection
DEFAULT_CONNECTIONS_AT_ONCE = 4
THROTTLED_ATTEMPTS = 3  # waits of a call still throttled after the SDK's retries
MAX_THROTTLE_WAIT = 60.0  # seconds; a longer Retry-After is cut to this
WAIT_WITHOUT_RETRY_AFTER = 5.0

# The per-item semaphore of the connection the current task audits (see ``limit``).
_connection_limit: contextvars.ContextVar[asyncio.Semaphore | None] = contextvars.ContextVar(
    "audit_connection_limit", default=None)


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
                 concurrency: int = DEFAULT_CONCURRENCY,
                 connections_at_once: int = DEFAULT_CONNECTIONS_AT_ONCE) -> None:
        self.session = session
        self.scan_blobs = scan_blobs
        self._progress = progress
        self.concurrency = concurrency
        self._shared_limit = asyncio.Semaphore(concurrency)  # outside ``each_connection``
        self.connections_at_once = connections_at_once
        self.errors = ErrorLog()
        self.items: list[VaultItemEntry] = []
        self.containers: list[ContainerEntry] = []
        # Findings a kind evaluated itself, over what it does not keep as inventory (a sample
        # of a Redis database's keys): merged with the rules' (``findings.merged``).
        self.findings: list[Finding] = []
        # What a discovering kind found (Azure Resource Manager's view of each resource).
        self.resources: list[AzureResourceEntry] = []
        # The registry, by name: a kind that finds other kinds' resources (Azure discovery)
        # hands each to its own kind's collector.
        self.kinds: Mapping[str, ServiceKind] = {}
        # The audit command's arguments (empty in the window): a kind reads its own audit
        # options from them (those its ``add_arguments`` added), with its defaults when absent.
        self.options = argparse.Namespace()

    @property
    def limit(self) -> asyncio.Semaphore:
        """The per-item calls in flight at once, for the connection being audited."""
        return _connection_limit.get() or self._shared_limit

    async def each_connection(self, audits: Sequence[Callable[[], Awaitable[None]]]) -> None:
        """Run every ``audit()`` (one connection each), ``connections_at_once`` at a time, each
        with per-item calls of its own (``limit``). Errors a kind did not record (bugs)
        cancel the others and propagate, as they did one after another. A call inside an
        audit (discovery's resources) has its own bound: it never waits for its caller."""
        at_once = asyncio.Semaphore(self.connections_at_once)

        async def one(audit: Callable[[], Awaitable[None]]) -> None:
            async with at_once:
                _connection_limit.set(asyncio.Semaphore(self.concurrency))
                await audit()

        async with asyncio.TaskGroup() as group:
            for audit in audits:
                group.create_task(one(audit))  # each task runs in a copy of the context

    def tell(self, what: str, done: int, total: int | None) -> None:
        if self._progress is not None:
            self._progress(what, done, total)

    async def attempt(self, source: str, operation: str, call: Callable[[], Awaitable[T]],
                       subject: str | None = None) -> T | None:
        """``await patiently(call)``; a ``VaultBrowserError`` is recorded and gives None."""
        try:
            return await patiently(call)
        except Cancelled:
            raise asyncio.CancelledError() from None
        except VaultBrowserError as error:
            self.errors.add(source, operation, error, subject)
            return None

    @contextlib.asynccontextmanager
    async def opened_service(self, source: str, operation: str,
                             opening: Callable[[], T | Awaitable[T]]) -> AsyncIterator[T | None]:
        """The service ``opening()`` returns (awaited when it must be) for the block, closed
        after it; None when it did not open (the ``VaultBrowserError`` recorded under
        ``operation``: the audit of that connection goes on without it)."""
        try:
            opened = opening()
            service = await opened if inspect.isawaitable(opened) else opened
        except VaultBrowserError as error:
            self.errors.add(source, operation, error)
            service = None
        if service is None:
            yield None
            return
        try:
            yield service
        finally:
            await self.session.close_service(service)

    async def page_all(self, fetch: Callable[[str | None], Awaitable[Page[T]]],
                        what: str | None = None) -> list[T]:
        """Every item of a listing, page by page to the end.

        Raises:
            VaultBrowserError: a page failed (the items before it are lost to the caller).
        """
        items: list[T] = []
        token: str | None = None
        while True:
            page = await patiently(functools.partial(fetch, token))
            items.extend(page.items)
            if what is not None:
                self.tell(what, len(items), None)
            token = page.next_token
            if not token:
                return items


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """``await call()``; while it ends ``Throttled`` (the SDK's retries spent), wait its
    Retry-After (at most ``MAX_THROTTLE_WAIT``) and call again, ``THROTTLED_ATTEMPTS`` times.

    A ``call`` that is itself patient (a listing's pages) and gave up is not repeated: the
    waits are spent, and a listing is never started again from scratch.

    Raises:
        Throttled: still throttled after the last wait.
    """
    for attempt in range(THROTTLED_ATTEMPTS + 1):
        try:
            return await call()
        except Throttled as error:
            if attempt == THROTTLED_ATTEMPTS or getattr(error, "patience_spent", False):
                error.patience_spent = True  # type: ignore[attr-defined]
                raise
            await asyncio.sleep(min(error.retry_after or WAIT_WITHOUT_RETRY_AFTER,
                                    MAX_THROTTLE_WAIT))
    raise AssertionError("unreachable")


async def collect_inventory(collector: InventoryCollector, connections: Sequence[Connection],
                            kinds: Mapping[str, ServiceKind]) -> None:
    """Run ``collector`` over every connection, ``connections_at_once`` at a time: each kind's
    ``audit`` collects its own (a connection of an unknown kind becomes a report error)."""
    collector.kinds = kinds
    audits: list[Callable[[], Awaitable[None]]] = []
    for connection in connections:
        try:
            kind = kind_of(kinds, connection)
        except VaultBrowserError as error:
            collector.errors.add(connection.display_name, "open", error)
            continue
        audits.append(lambda kind=kind, connection=connection: kind.audit(collector, connection))
    await collector.each_connection(audits)
