"""Seeding the benchmark's data: block blobs in Azurite, secrets in the Key Vault emulator.

Blobs go in with raw HTTP/1.1 PUTs over a few keep-alive sockets (a request is a few bytes
built by hand): Azurite's own CPU is then the limit, not the client. ``tests/services/
blob_seed.put_blobs`` (aiohttp) spends as much CPU as Azurite does, which on 2 cores halves the
rate. Names are ASCII without characters that need quoting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from azure.storage.blob import ContainerSasPermissions, generate_container_sas

from vaultbrowser.emulator.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, Azurite

API_VERSION = "2025-01-05"


def container_sas(container: str, *, write: bool = False) -> str:
    """A two-hour SAS for ``container`` of the devstore account (list/read, and write)."""
    return generate_container_sas(
        AZURITE_ACCOUNT_NAME, container, account_key=AZURITE_ACCOUNT_KEY,
        permission=ContainerSasPermissions(read=True, list=True, add=write, create=write,
                                           write=write),
        expiry=datetime.now(UTC) + timedelta(hours=2))


def blob_names(count: int) -> Iterator[str]:
    """``count`` names spread over folders (``d/000/b-000000``…), as a log container has."""
    return (f"d/{i // 1000:03d}/b-{i:06d}" for i in range(count))


def vault_seed(count: int) -> dict[str, object]:
    """The emulator's seed document for ``count`` secrets (one version each)."""
    return {"secrets": {f"secret-{i:05d}": f"value-{i}" for i in range(count)}}


async def _create_container(azurite: Azurite, container: str) -> None:
    from azure.storage.blob.aio import BlobServiceClient

    async with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        await client.create_container(container)


async def put_blobs_fast(azurite: Azurite, container: str, names: Iterable[str], *,
                         connections: int = 12) -> int:
    """Create ``container`` and PUT a 1-byte block blob per name; returns how many.

    Raises:
        RuntimeError: Azurite answered a PUT with anything but 201.
    """
    await _create_container(azurite, container)
    sas = container_sas(container, write=True)
    head = (f"Host: 127.0.0.1:{azurite.port}\r\nx-ms-blob-type: BlockBlob\r\n"
            f"x-ms-version: {API_VERSION}\r\nContent-Length: 1\r\n\r\nx").encode()
    path = f"/{AZURITE_ACCOUNT_NAME}/{container}/"
    pending = iter(names)
    count = 0

    async def worker() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection("127.0.0.1", azurite.port)
        try:
            for name in pending:
                writer.write(f"PUT {path}{name}?{sas} HTTP/1.1\r\n".encode() + head)
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                if not status.startswith(b"HTTP/1.1 201"):
                    raise RuntimeError(f"PUT {name}: {status!r} {body[:300]!r}")
                count += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return count
