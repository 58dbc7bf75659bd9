"""Collecting the inventory: every secret, certificate, key and container, through the services.

Listings page to the end with the services' paging methods. Per-item calls (a versions listing
each; a certificate GET for its X.509 and policy; a key GET and its rotation policy) run with
bounded concurrency. A failure of one listing or call becomes a ``ReportError`` and the
collection goes on; cancellation (``asyncio.CancelledError``) always propagates. Only
properties are read: no call here returns a secret value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from vaultbrowser.audit.model import (
    ContainerEntry,
    ItemKind,
    ReportError,
    VaultItemEntry,
)
from vaultbrowser.core.services.connections import Connection, ServiceKind
from vaultbrowser.core.services.errors import Cancelled, VaultBrowserError
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificateRecord,
    KeyRecord,
    KeyRotationPolicyRecord,
    SecretRecord,
    VaultItemRecord,
)
from vaultbrowser.keyvault.services.vault_service import MAX_KEY_VAULT_PAGE, KeyVaultService

if TYPE_CHECKING:
    from vaultbrowser.blob.services.blob_service import BlobService

T = TypeVar("T")
Progress = Callable[[str, int, int | None], None]

DEFAULT_CONCURRENCY = 8
CONTAINER_PAGE = 1_000
BLOB_PAGE = 5_000


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


def vault_item_entry(record: VaultItemRecord, kind: ItemKind, source: str, *,
                     versions: int | None = None,
                     certificate: CertificateDetails | None = None,
                     key: KeyRecord | None = None,
                     rotation: KeyRotationPolicyRecord | None = None) -> VaultItemEntry:
    """An inventory entry from a listing record plus what the per-item calls returned.

    A certificate's key type and RSA size come from its X.509 (what was issued), else its
    policy, and its curve name from the policy (Key Vault's names);
    ``auto_renew`` is None without a policy. A key's ``rotation`` is None without a policy.
    """
    content_type = record.content_type if isinstance(record, SecretRecord) else None
    key_type = key_size = curve = None
    auto_renew: bool | None = None
    actions: tuple[str, ...] = ()
    if certificate is not None:
        policy, x509 = certificate.policy, certificate.x509
        if x509 is not None:
            key_type, curve = x509.key_type, x509.curve
            # an EC key's "size" is its curve's; only an RSA modulus size means anything here
            key_size = x509.key_size if x509.key_type.upper().startswith("RSA") else None
        if policy is not None:
            key_type = key_type or policy.key_type
            key_size = key_size if key_size is not None else policy.key_size
            curve = policy.curve or curve  # Key Vault's curve names (P-256), not secp256r1
            content_type = policy.content_type
            actions = policy.lifetime_actions
            auto_renew = any(a.lower().startswith("autorenew") for a in actions)
    if key is not None:
        key_type, key_size, curve = key.key_type, key.key_size, key.curve
    if rotation is not None:
        actions = tuple(action.text for action in rotation.lifetime_actions)
    return VaultItemEntry(
        kind=kind, source=source, vault_url=record.vault_url, name=record.name,
        enabled=record.enabled, content_type=content_type, created_on=record.created_on,
        updated_on=record.updated_on, not_before=record.not_before,
        expires_on=record.expires_on, tags=dict(record.tags), versions=versions,
        managed=record.managed, recovery_level=record.recovery_level, key_type=key_type,
        key_size=key_size, curve=curve, auto_renew=auto_renew, lifetime_actions=actions,
        rotation=None if rotation is None else rotation.rotates,
        invalid_dates=dict(record.invalid_dates),
        certificate_problems=certificate.certificate_problems if certificate else (),
    )


class InventoryCollector:
    """Collects one report's inventory; ``errors`` holds what failed on the way."""

    def __init__(self, session: ServiceSession, *, scan_blobs: bool = False,
                 progress: Progress | None = None,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self._session = session
        self._scan_blobs = scan_blobs
        self._progress = progress
        self._limit = asyncio.Semaphore(concurrency)
        self.errors = ErrorLog()
        self.items: list[VaultItemEntry] = []
        self.containers: list[ContainerEntry] = []

    def _tell(self, what: str, done: int, total: int | None) -> None:
        if self._progress is not None:
            self._progress(what, done, total)

    async def _attempt(self, source: str, operation: str, call: Callable[[], Awaitable[T]],
                       subject: str | None = None) -> T | None:
        """``await call()``; a ``VaultBrowserError`` is recorded and gives None."""
        try:
            return await call()
        except Cancelled:
            raise asyncio.CancelledError() from None
        except VaultBrowserError as error:
            self.errors.add(source, operation, error, subject)
            return None

    async def _page_all(self, fetch: Callable[[str | None], Awaitable[Page[T]]],
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
                self._tell(what, len(items), None)
            token = page.next_token
            if not token:
                return items

    # --- Key Vault --------------------------------------------------------------------------

    async def vault(self, connection: Connection) -> None:
        """Inventory one vault; failures become report errors."""
        source = connection.display_name
        try:
            service = self._session.open_vault(connection)
        except VaultBrowserError as error:
            self.errors.add(source, "open vault", error)
            return
        try:
            await self._vault_kind(service, source, ItemKind.SECRET)
            await self._vault_kind(service, source, ItemKind.CERTIFICATE)
            await self._vault_kind(service, source, ItemKind.KEY)
        finally:
            await self._session.close_service(service)

    async def _vault_kind(self, service: KeyVaultService, source: str, kind: ItemKind) -> None:
        listers: dict[ItemKind, Callable[..., Awaitable[Page[Any]]]] = {
            ItemKind.SECRET: service.list_secrets,
            ItemKind.CERTIFICATE: service.list_certificates,
            ItemKind.KEY: service.list_keys,
        }
        lister = listers[kind]
        records = await self._attempt(
            source, f"list {kind}s",
            lambda: self._page_all(
                lambda token: lister(page_size=MAX_KEY_VAULT_PAGE, continuation=token),
                f"{source}: {kind}s"),
        )
        if not records:
            return
        done = 0
        what = f"{source}: {kind} details"
        self._tell(what, 0, len(records))

        async def one(record: VaultItemRecord) -> VaultItemEntry:
            nonlocal done
            async with self._limit:
                entry = await self._item(service, source, kind, record)
            done += 1
            self._tell(what, done, len(records))
            return entry

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(record)) for record in records]
        self.items.extend(task.result() for task in tasks)

    async def _item(self, service: KeyVaultService, source: str, kind: ItemKind,
                    record: VaultItemRecord) -> VaultItemEntry:
        name = record.name
        version_listers: dict[ItemKind, Callable[..., Awaitable[Page[Any]]]] = {
            ItemKind.SECRET: service.list_secret_versions,
            ItemKind.CERTIFICATE: service.list_certificate_versions,
            ItemKind.KEY: service.list_key_versions,
        }
        list_versions = version_listers[kind]
        versions = await self._attempt(
            source, f"list {kind} versions",
            lambda: self._page_all(lambda token: list_versions(
                name, page_size=MAX_KEY_VAULT_PAGE, continuation=token)),
            subject=name,
        )
        certificate = key = rotation = None
        if isinstance(record, CertificateRecord):
            result = await self._attempt(source, "get certificate",
                                         lambda: service.get_certificate(name), subject=name)
            certificate = result.value if result else None
        elif isinstance(record, KeyRecord):
            got = await self._attempt(source, "get key", lambda: service.get_key(name),
                                      subject=name)
            key = got.value if got else None
            if not record.managed:  # a certificate's key follows the certificate's policy
                policy = await self._attempt(
                    source, "get key rotation policy",
                    lambda: service.get_key_rotation_policy(name), subject=name)
                rotation = policy.value if policy else None
        return vault_item_entry(record, kind, source,
                                versions=None if versions is None else len(versions),
                                certificate=certificate, key=key, rotation=rotation)

    # --- Blob Storage ---------------------------------------------------------------------

    async def storage(self, connection: Connection) -> None:
        """Inventory one storage account's containers (and, with ``scan_blobs``, their blobs)."""
        source = connection.display_name
        try:
            service = self._session.open_storage(connection)
        except VaultBrowserError as error:
            self.errors.add(source, "open storage account", error)
            return
        try:
            records = await self._attempt(
                source, "list containers",
                lambda: self._page_all(lambda token: service.list_containers(
                    page_size=CONTAINER_PAGE, continuation=token), f"{source}: containers"),
            )
            if not records:
                return
            counts: list[tuple[int | None, int | None]] = [(None, None)] * len(records)
            if self._scan_blobs:
                done = 0
                what = f"{source}: blob scan"
                self._tell(what, 0, len(records))

                async def scan(index: int, container: str) -> None:
                    nonlocal done
                    async with self._limit:
                        totals = await self._attempt(
                            source, "list blobs", lambda: _blob_totals(service, container),
                            subject=container)
                    if totals is not None:
                        counts[index] = totals
                    done += 1
                    self._tell(what, done, len(records))

                async with asyncio.TaskGroup() as group:
                    for index, record in enumerate(records):
                        group.create_task(scan(index, record.name))
            for record, (count, size) in zip(records, counts, strict=True):
                self.containers.append(ContainerEntry(
                    source=source, account_url=record.account_url, name=record.name,
                    public_access=record.public_access, metadata=dict(record.metadata),
                    has_immutability_policy=record.has_immutability_policy,
                    has_legal_hold=record.has_legal_hold,
                    immutable_storage_with_versioning=record.immutable_storage_with_versioning,
                    last_modified=record.last_modified, blob_count=count, total_size=size,
                ))
        finally:
            await self._session.close_service(service)


async def _blob_totals(service: BlobService, container: str) -> tuple[int, int]:
    """(blob count, total bytes) of a container, paged to the end without keeping the pages.

    Raises:
        VaultBrowserError: a page failed.
    """
    count = size = 0
    token: str | None = None
    while True:
        page = await service.list_blobs_flat(container, page_size=BLOB_PAGE,
                                             continuation=token)
        count += len(page.items)
        size += sum(blob.size or 0 for blob in page.items)
        token = page.next_token
        if not token:
            return count, size


async def collect_inventory(collector: InventoryCollector,
                            connections: Sequence[Connection]) -> None:
    """Run ``collector`` over every connection, one connection after another."""
    for connection in connections:
        if connection.kind is ServiceKind.KEY_VAULT:
            await collector.vault(connection)
        else:
            await collector.storage(connection)
