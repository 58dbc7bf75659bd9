"""The Blob Storage kind's audit collector: every container of an account, and with
``scan_blobs`` their blob counts and sizes (paged to the end, nothing kept)."""

from __future__ import annotations

import asyncio

from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import ContainerEntry
from vaultbrowser.core.services.connections import Connection

CONTAINER_PAGE = 1_000
BLOB_PAGE = 5_000


async def audit_storage(collector: InventoryCollector, connection: Connection) -> None:
    """Inventory one storage account's containers (and, with ``scan_blobs``, their blobs)."""
    source = connection.display_name
    async with collector.opened_service(source, "open storage account", lambda: open_storage(
            collector.session, connection)) as service:
        if service is None:
            return
        records = await collector.attempt(
            source, "list containers",
            lambda: collector.page_all(lambda token: service.list_containers(
                page_size=CONTAINER_PAGE, continuation=token), f"{source}: containers"),
        )
        if not records:
            return
        counts: list[tuple[int | None, int | None]] = [(None, None)] * len(records)
        if collector.scan_blobs:
            done = 0
            what = f"{source}: blob scan"
            collector.tell(what, 0, len(records))

            async def scan(index: int, container: str) -> None:
                nonlocal done
                async with collector.limit:
                    totals = await collector.attempt(
                        source, "list blobs", lambda: _blob_totals(service, container),
                        subject=container)
                if totals is not None:
                    counts[index] = totals
                done += 1
                collector.tell(what, done, len(records))

            async with asyncio.TaskGroup() as group:
                for index, record in enumerate(records):
                    group.create_task(scan(index, record.name))
        for record, (count, size) in zip(records, counts, strict=True):
            collector.containers.append(ContainerEntry(
                source=source, account_url=record.account_url, name=record.name,
                public_access=record.public_access, metadata=dict(record.metadata),
                has_immutability_policy=record.has_immutability_policy,
                has_legal_hold=record.has_legal_hold,
                immutable_storage_with_versioning=record.immutable_storage_with_versioning,
                last_modified=record.last_modified, blob_count=count, total_size=size,
            ))


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
