"""What expires across vaults: every secret, certificate and key with an expiry date.

Each vault's three listings are read page by page (a listing carries each item's current
version's attributes, so no per-item call is made), vaults at a bounded concurrency, and the
items stream out as each page lands (``VaultAnswer``s). A page still throttled after the
SDK's retries (which wait each 429's Retry-After) is asked again after its Retry-After. One
vault failing, or one of its listings, is an answer with the error; the others go on.
Cancelling the iteration (or the task driving it) cancels every listing in flight.

Certificate-backed keys and secrets (``managed``) share their certificate's dates and are left
out: the certificate stands for them, as in the audit report. Disabled items are included
(``enabled`` says so), and so are expired ones (``expired``): they are the most urgent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.services.config import LimitSettings
from vaultbrowser.core.services.errors import Cancelled, Throttled, VaultBrowserError
from vaultbrowser.core.services.http.limits import ContinuationGuard
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.translate import translate_error
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.inputs import MAX_KEY_VAULT_PAGE
from vaultbrowser.keyvault.services.records import VaultItemRecord

DEFAULT_CONCURRENCY = 4  # vaults listed at once; each lists its three kinds one after another
# A page still throttled after the SDK's own retries is asked again after its Retry-After (at
# most this long, this many times) before its listing counts as failed.
MAX_THROTTLE_WAIT, THROTTLE_ATTEMPTS = 60.0, 3


@dataclass(frozen=True, slots=True)
class ExpiringItem:
    """One item's current version with an expiry date (never a value)."""

    vault: str  # the vault's label
    vault_url: str
    kind: ItemKind  # secret, certificate or key
    name: str
    expires_on: datetime
    enabled: bool | None  # None: the service did not say
    id: str
    expired: bool  # already expired when it was listed


@dataclass(frozen=True, slots=True)
class VaultAnswer:
    """What one vault answered: some items, a failed listing, or that it is done."""

    vault: str
    items: tuple[ExpiringItem, ...] = ()
    error: VaultBrowserError | None = None
    failed: ItemKind | None = None  # the listing that failed (None: opening the vault did)
    finished: bool = False  # the vault's last answer


class _Listing(Protocol):
    async def list(self, *, page_size: int = ..., continuation: str | None = ...
                   ) -> Page[Any]: ...


def _parts(vault: Vault) -> tuple[tuple[ItemKind, _Listing], ...]:
    service = vault.service
    return ((ItemKind.CERTIFICATE, service.certificates), (ItemKind.SECRET, service.secrets),
            (ItemKind.KEY, service.keys))


def expiring_item(vault: Vault, kind: ItemKind, record: VaultItemRecord,
                  now: datetime) -> ExpiringItem | None:
    """The item a listing record shows; None without an expiry, when a certificate stands
    for it (managed) or when it is deleted."""
    if record.expires_on is None or record.managed or record.is_deleted:
        return None
    return ExpiringItem(vault.label, vault.url, kind, record.name, record.expires_on,
                        record.enabled, record.id, expired=record.expires_on <= now)


async def _page(part: _Listing, token: str | None) -> Page[Any]:
    """One page; a 429 that outlasted the SDK's retries waits its Retry-After and asks for the
    same page again (the listing goes on from where it was, never from the start)."""
    for attempt in range(THROTTLE_ATTEMPTS + 1):
        try:
            return await part.list(page_size=MAX_KEY_VAULT_PAGE, continuation=token)
        except Throttled as error:
            if attempt == THROTTLE_ATTEMPTS:
                raise
            await asyncio.sleep(min(error.retry_after or 5.0, MAX_THROTTLE_WAIT))
    raise AssertionError("unreachable")


async def _list_vault(vault: Vault, now: datetime, until: datetime | None,
                      emit: Callable[[VaultAnswer], None]) -> None:
    max_empty = LimitSettings().max_empty_pages
    for kind, part in _parts(vault):
        guard = ContinuationGuard(max_empty)
        token: str | None = None
        try:
            while True:
                page = await _page(part, token)
                guard.check(len(page.items), page.next_token)
                items = tuple(item for record in page.items
                              if (item := expiring_item(vault, kind, record, now)) is not None
                              and (until is None or item.expires_on <= until))
                if items:
                    emit(VaultAnswer(vault.label, items))
                token = page.next_token
                if not token:
                    break
        except Cancelled:
            raise asyncio.CancelledError() from None
        except VaultBrowserError as error:
            emit(VaultAnswer(vault.label, error=error, failed=kind))


async def expiring_items(vaults: Sequence[Vault], *, now: datetime | None = None,
                         until: datetime | None = None,
                         concurrency: int = DEFAULT_CONCURRENCY) -> AsyncIterator[VaultAnswer]:
    """Stream every expiring item of ``vaults`` (expiring after ``until`` left out), as the
    vaults answer; each vault ends with a ``finished`` answer.

    Raises nothing of a vault's: its errors are answers. Closing the iterator (or cancelling
    its consumer) cancels every listing still running.
    """
    now = now or datetime.now(UTC)
    queue: asyncio.Queue[VaultAnswer] = asyncio.Queue()
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(vault: Vault) -> None:
        try:
            async with limit:
                await _list_vault(vault, now, until, queue.put_nowait)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an untranslated failure: this vault's answer
            queue.put_nowait(VaultAnswer(vault.label, error=translate_error(exc)))
        finally:
            queue.put_nowait(VaultAnswer(vault.label, finished=True))

    tasks = [asyncio.create_task(one(vault)) for vault in vaults]
    try:
        finished = 0
        while finished < len(tasks):
            answer = await queue.get()
            finished += answer.finished
            yield answer
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
