"""``CrossVaultSearch``: one query over many vaults, matches streamed as each vault answers.

- Vaults are searched concurrently but at most ``vaults_at_once`` at a time; inside a vault one
  listing runs at a time (secrets, then certificates, then keys), page after page.
- Listings carry no certificate subject or issuer: only when such a filter is set, each
  certificate passing the other filters is read (GET), at most ``gets_per_vault`` at once.
- Throttling: azure-core's retry policy already retries a 429 honouring its Retry-After (given
  the session's ``journal``, each 429 answer shows at once as "throttled, waiting N s"). When a
  call still ends ``Throttled``, the vault waits the Retry-After (at most ``max_throttle_wait``
  seconds, cancellable, shown as "throttled, waiting N s") and repeats the same call: a
  listing goes on from its continuation token, never from scratch. Other vaults go on.
- A vault's failure (403, network) is its own state and error; the others go on. A kind the
  identity may not list (403 on certificates) is a problem of the vault, its other kinds are
  still searched.
- Cancelling the task running ``run()`` stops every request at its next await.

Only the latest version of each live item is searched (what listings hold); values are never
read.
"""

from __future__ import annotations

import asyncio
import enum
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from vaultbrowser.core.services.errors import (
    AuthenticationRequired,
    NetworkError,
    NotFound,
    Throttled,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal
from vaultbrowser.core.services.records import Page
from vaultbrowser.keyvault.services.across.search_filters import (
    CompiledQuery,
    ItemKind,
    VaultQuery,
)
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.inputs import MAX_KEY_VAULT_PAGE
from vaultbrowser.keyvault.services.records import VaultItemRecord

if TYPE_CHECKING:  # the services open a vault later, off the first paint's path
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService

T = TypeVar("T")


class VaultState(enum.Enum):
    QUEUED = "queued"
    SEARCHING = "searching"
    THROTTLED = "throttled"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (VaultState.DONE, VaultState.FAILED, VaultState.CANCELLED)


@dataclass(frozen=True, slots=True)
class SearchLimits:
    vaults_at_once: int = 4
    gets_per_vault: int = 4
    page_size: int = MAX_KEY_VAULT_PAGE
    max_throttle_wait: float = 60.0  # seconds; a longer Retry-After is cut to this
    max_throttle_waits: int = 20  # in a row for one call; then the vault fails Throttled
    wait_without_retry_after: float = 2.0  # doubled for each wait in a row


@dataclass(frozen=True, slots=True)
class VaultProgress:
    """Where one vault's search is: "prod: 1,240 scanned, 3 matches — throttled, waiting 4 s"."""

    label: str
    url: str
    state: VaultState = VaultState.QUEUED
    scanned: int = 0  # listed items tested
    pages: int = 0
    matches: int = 0
    read: int = 0  # certificates read (GET) for a subject or issuer filter
    kind: ItemKind | None = None  # the listing in progress
    wait_seconds: int = 0  # throttled: seconds left
    throttled_waits: int = 0  # over the whole search of this vault
    problems: tuple[str, ...] = ()  # "certificates: You are not allowed…"
    error: VaultBrowserError | None = field(default=None, compare=False)

    def text(self) -> str:
        counts = (f"{self.scanned:,} scanned, {self.matches:,} match"
                  + ("" if self.matches == 1 else "es"))
        if self.read:
            counts += f", {self.read:,} read"
        state = self.state
        if state is VaultState.QUEUED:
            return f"{self.label}: waiting for its turn"
        if state is VaultState.SEARCHING:
            doing = f" — {self.kind.value}" if self.kind is not None else ""
            return f"{self.label}: {counts}{doing}"
        if state is VaultState.THROTTLED:
            wait = f"waiting {self.wait_seconds} s" if self.wait_seconds else "retrying"
            return f"{self.label}: {counts} — throttled, {wait}"
        if state is VaultState.FAILED:
            return f"{self.label}: {counts} — failed: {'; '.join(self.problems)}"
        return f"{self.label}: {counts} — {state.value}"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match: the vault it is in, its kind and its record (latest version)."""

    vault: Vault
    kind: ItemKind
    record: VaultItemRecord


Found = Callable[[VaultProgress, Sequence[SearchHit]], None]


@dataclass(frozen=True, slots=True)
class _KindParts:
    """How a kind is listed and read: the service's own part, handed over (no name look-up)."""

    kind: ItemKind
    list_page: Callable[[KeyVaultService, str | None, int], Awaitable[Page[Any]]]
    read: Callable[[KeyVaultService, str], Awaitable[VaultItemRecord]] | None = None


async def _read_certificate(service: KeyVaultService, name: str) -> VaultItemRecord:
    return (await service.certificates.get(name)).value.properties


_PARTS = (
    _KindParts(ItemKind.SECRETS, lambda service, token, size: service.secrets.list(
        page_size=size, continuation=token)),
    _KindParts(ItemKind.CERTIFICATES, lambda service, token, size: service.certificates.list(
        page_size=size, continuation=token), _read_certificate),
    _KindParts(ItemKind.KEYS, lambda service, token, size: service.keys.list(
        page_size=size, continuation=token)),
)


class CrossVaultSearch:
    """One search over ``vaults`` (see the module docstring).

    Raises (constructor):
        QueryError: the query is invalid (``VaultQuery.compile``); nothing has been sent.
    """

    def __init__(self, vaults: Sequence[Vault], query: VaultQuery,
                 limits: SearchLimits = SearchLimits(),
                 journal: HttpJournal | None = None) -> None:
        self._query: CompiledQuery = query.compile()
        self.vaults = list(vaults)
        self.query = query
        self.limits = limits
        self._journal = journal  # where the SDK's own retries of a 429 can be seen

    async def run(self, found: Found) -> list[VaultProgress]:
        """Search every vault; ``found(progress, hits)`` on every change of a vault's progress
        (after each page, at each throttled second, at the end), ``hits`` being the new
        matches (often none). Returns each vault's final progress, in the vaults' order.

        A vault's failure does not raise: it is its progress's ``state``/``error``.
        Raises:
            asyncio.CancelledError: the task was cancelled (each vault reports CANCELLED first).
        """
        slots = asyncio.Semaphore(max(1, self.limits.vaults_at_once))
        runs = [_VaultRun(vault, found) for vault in self.vaults]
        for vault_run in runs:
            vault_run.report()
        by_url = {vault_run.vault.url.rstrip("/").lower() + "/": vault_run for vault_run in runs}

        def on_exchange(record: ExchangeRecord) -> None:
            """A 429 the SDK is about to retry: show the vault throttled while it waits."""
            response = record.response
            if response is None or response.status != 429:
                return
            url = record.url.lower()
            vault_run = next((run for prefix, run in by_url.items()
                              if url.startswith(prefix)), None)
            if vault_run is not None and not vault_run.progress.state.finished:
                vault_run.retried(_seconds(response.header("Retry-After")))

        if self._journal is not None:
            self._journal.add_listener(on_exchange)
        try:
            async with asyncio.TaskGroup() as group:
                for vault_run in runs:
                    group.create_task(self._search_vault(vault_run, slots))
        finally:
            if self._journal is not None:
                self._journal.remove_listener(on_exchange)
        return [vault_run.progress for vault_run in runs]

    async def _search_vault(self, vault_run: _VaultRun, slots: asyncio.Semaphore) -> None:
        try:
            async with slots:
                vault_run.update(state=VaultState.SEARCHING)
                for parts in _PARTS:
                    if parts.kind not in self._query.kinds:
                        continue
                    try:
                        await self._search_kind(vault_run, parts)
                    except VaultBrowserError as error:
                        vault_run.failed(parts.kind, error)
                        if isinstance(error, NetworkError | AuthenticationRequired):
                            break  # the next kind would only fail the same way, slowly
                state = VaultState.FAILED if vault_run.progress.problems else VaultState.DONE
                vault_run.update(state=state, kind=None)
        except asyncio.CancelledError:
            vault_run.update(state=VaultState.CANCELLED, wait_seconds=0)
            raise

    async def _search_kind(self, vault_run: _VaultRun, parts: _KindParts) -> None:
        service = vault_run.vault.service
        listing_test, details_test = self._query.listing_test, self._query.details_test
        token: str | None = None
        vault_run.update(kind=parts.kind)
        while True:
            page = await self._patiently(
                vault_run, partial(parts.list_page, service, token, self.limits.page_size))
            candidates = [record for record in page.items if listing_test(record)]
            read = 0
            if details_test is not None and parts.read is not None and candidates:
                read = len(candidates)
                candidates = await self._read_all(vault_run, parts.read, candidates,
                                                  details_test)
            hits = [SearchHit(vault_run.vault, parts.kind, record) for record in candidates]
            progress = vault_run.progress
            vault_run.update(hits, state=VaultState.SEARCHING, wait_seconds=0,
                             scanned=progress.scanned + len(page.items),
                             pages=progress.pages + 1, matches=progress.matches + len(hits),
                             read=progress.read + read)
            token = page.next_token
            if token is None:
                return

    async def _read_all(self, vault_run: _VaultRun,
                        read: Callable[[KeyVaultService, str], Awaitable[VaultItemRecord]],
                        candidates: list[VaultItemRecord],
                        test: Callable[[VaultItemRecord], bool]) -> list[VaultItemRecord]:
        """The full records of ``candidates`` that pass ``test``, in listing order."""
        gets = asyncio.Semaphore(max(1, self.limits.gets_per_vault))
        service = vault_run.vault.service

        async def one(name: str) -> VaultItemRecord | None:
            async with gets:
                try:
                    return await self._patiently(vault_run, lambda: read(service, name))
                except NotFound:
                    return None  # deleted since it was listed

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(record.name)) for record in candidates]
        records = (task.result() for task in tasks)
        return [record for record in records if record is not None and test(record)]

    async def _patiently(self, vault_run: _VaultRun, call: Callable[[], Awaitable[T]]) -> T:
        """``call()``, repeated after the service's Retry-After while it ends ``Throttled``."""
        waits = 0
        while True:
            await vault_run.throttle_gate()
            try:
                return await call()
            except Throttled as error:
                waits += 1
                if waits > self.limits.max_throttle_waits:
                    raise
                limits = self.limits
                seconds = error.retry_after
                if seconds is None or seconds < 0:
                    seconds = limits.wait_without_retry_after * 2 ** (waits - 1)
                vault_run.throttled(min(seconds, limits.max_throttle_wait))


def _seconds(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


class _VaultRun:
    """One vault's progress while it is searched, reported through ``found``; and its throttle
    gate: once a call is throttled, no call of this vault starts before the wait is over."""

    def __init__(self, vault: Vault, found: Found) -> None:
        self.vault = vault
        self._found = found
        self.progress = VaultProgress(vault.label, vault.url)
        self._resume_at = 0.0  # loop time before which no call starts

    def report(self, hits: Sequence[SearchHit] = ()) -> None:
        self._found(self.progress, hits)

    def update(self, hits: Sequence[SearchHit] = (), **changes: Any) -> None:
        self.progress = replace(self.progress, **changes)
        self.report(hits)

    def failed(self, kind: ItemKind, error: VaultBrowserError) -> None:
        progress = self.progress
        # One line in a progress row: the first line of the message (403s hold many).
        first = (error.message.strip().splitlines() or [type(error).__name__])[0]
        first = first if len(first) <= 160 else first[:159] + "…"
        self.update(problems=(*progress.problems, f"{kind.value}: {first}"),
                    error=progress.error or error, wait_seconds=0)

    def retried(self, seconds: float | None) -> None:
        self.update(state=VaultState.THROTTLED, wait_seconds=math.ceil(seconds or 0))

    def throttled(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._resume_at = max(self._resume_at, loop.time() + seconds)
        self.update(throttled_waits=self.progress.throttled_waits + 1)

    async def throttle_gate(self) -> None:
        loop = asyncio.get_running_loop()
        left = self._resume_at - loop.time()
        if left <= 0:
            return
        while left > 0:
            self.update(state=VaultState.THROTTLED, wait_seconds=math.ceil(left))
            await asyncio.sleep(min(1.0, left))
            left = self._resume_at - loop.time()
        if self.progress.state is VaultState.THROTTLED:
            self.update(state=VaultState.SEARCHING, wait_seconds=0)
