"""Helpers for the blob tests: build a BlobService the way the app does, seed Azurite fast.

Seeding goes around the SDK on purpose: raw PUTs with a container SAS over one aiohttp session
(bounded concurrency) are several times faster than ``upload_blob`` (no per-request signing or
policy chain), and ``yarl.URL(..., encoded=True)`` keeps names with "." / ".." segments intact,
which the SDK's aiohttp transport cannot send.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import yarl
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob import ContainerSasPermissions, generate_container_sas
from azure.storage.blob.aio import BlobServiceClient

from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, Azurite

API_VERSION = "2025-01-05"
# The session's big container (fixture ``big_container`` in tests/conftest.py).
BIG_BLOB_CONTAINER = "big20k"
BIG_BLOB_COUNT = 20_000


@asynccontextmanager
async def open_blob_service(
    azurite: Azurite, **service_options: Any
) -> AsyncIterator[tuple[BlobService, HttpJournal]]:
    """A BlobService over a client with a RecordingTransport, as the session builds it."""
    journal = HttpJournal()
    transport = RecordingTransport(AioHttpTransport(), journal=journal)
    client = BlobServiceClient.from_connection_string(
        azurite.connection_string, transport=transport
    )
    service = BlobService(client, **service_options)
    try:
        yield service, journal
    finally:
        await service.close()
        await transport.aclose()


def container_sas(container: str) -> str:
    """A one-hour read/write/list SAS for ``container`` of the devstore account."""
    return generate_container_sas(
        AZURITE_ACCOUNT_NAME,
        container,
        account_key=AZURITE_ACCOUNT_KEY,
        permission=ContainerSasPermissions(
            read=True, add=True, create=True, write=True, list=True, tag=True
        ),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )


async def put_blobs(
    azurite: Azurite,
    container: str,
    blobs: Iterable[tuple[str, bytes]],
    *,
    concurrency: int = 48,
    metadata: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
) -> int:
    """Upload block blobs with raw PUTs; returns how many. The container must exist."""
    sas = container_sas(container)
    base = f"{azurite.blob_endpoint}/{container}/"
    headers = {"x-ms-blob-type": "BlockBlob", "x-ms-version": API_VERSION}
    for key, value in (metadata or {}).items():
        headers[f"x-ms-meta-{key}"] = value
    if tags:
        headers["x-ms-tags"] = urlencode(tags)
    semaphore = asyncio.Semaphore(concurrency)
    count = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def put(name: str, data: bytes) -> None:
            nonlocal count
            url = yarl.URL(f"{base}{quote(name, safe='/~')}?{sas}", encoded=True)
            async with semaphore, session.put(url, data=data, headers=headers) as response:
                if response.status != 201:
                    raise AssertionError(f"PUT {name!r}: {response.status} {await response.text()}")
                count += 1

        await asyncio.gather(*(put(name, data) for name, data in blobs))
    return count
