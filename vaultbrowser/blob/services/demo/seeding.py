"""Uploads the demo plan (:mod:`.plan`) to Azurite with the official async SDK.

Seeding is idempotent: existing containers are reused and blobs already present are skipped, so a
second run only fills gaps. Names with ``.`` / ``..`` path segments cannot be sent through the
SDK's aiohttp transport (the URL is normalised and the segments vanish), so those few go as raw
PUTs with a container SAS and a pre-encoded URL; without an account key in the connection string
they are skipped and listed in :attr:`DemoBlobSummary.unsendable`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from urllib.parse import quote

import aiohttp
import yarl
from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import (
    ContainerSasPermissions,
    ContentSettings,
    StandardBlobTier,
    generate_container_sas,
)
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from vaultbrowser.blob.services.demo.plan import (
    DemoBlob,
    DemoBlobSummary,
    DemoContainer,
    demo_blob_plan,
    has_dot_segment,
)

_CONCURRENCY = 16
_RAW_API_VERSION = "2025-01-05"


async def _ensure_container(service: BlobServiceClient, spec: DemoContainer) -> bool:
    """Create the container; True if it was created, False if it already existed."""
    try:
        await service.create_container(spec.name, metadata=dict(spec.metadata),
                                       public_access=spec.public_access)
    except ResourceExistsError:
        return False
    return True


async def _existing_names(container: ContainerClient) -> set[str]:
    return {name async for name in container.list_blob_names()}


async def _upload_sdk(container: ContainerClient, blob: DemoBlob) -> bool:
    """Upload one blob; False when it appeared meanwhile."""
    settings = ContentSettings(content_type=blob.content_type, cache_control=blob.cache_control,
                               content_encoding=blob.content_encoding)
    try:
        await container.upload_blob(
            blob.name, blob.data, overwrite=False, content_settings=settings,
            metadata=dict(blob.metadata) if blob.metadata else None,
            tags=dict(blob.tags) if blob.tags else None,
            standard_blob_tier=StandardBlobTier(blob.tier) if blob.tier else None,
            max_concurrency=2,
        )
    except ResourceExistsError:
        return False
    return True


async def _upload_raw(session: aiohttp.ClientSession, container_url: str, sas: str,
                      blob: DemoBlob) -> None:
    """PUT a blob whose name has dot segments with a pre-encoded URL (kept verbatim)."""
    headers = {"x-ms-blob-type": "BlockBlob", "x-ms-version": _RAW_API_VERSION,
               "x-ms-blob-content-type": blob.content_type}
    for key, value in (blob.metadata or {}).items():
        headers[f"x-ms-meta-{key}"] = value
    url = yarl.URL(f"{container_url}/{quote(blob.name, safe='/~')}?{sas}", encoded=True)
    async with session.put(url, data=blob.data, headers=headers) as response:
        if response.status != 201:
            text = await response.text()
            raise RuntimeError(f"PUT {blob.name!r}: HTTP {response.status} {text[:200]}")


def _container_sas(service: BlobServiceClient, container: str) -> str | None:
    credential = service.credential
    key = getattr(credential, "account_key", None)
    if not key or not service.account_name:
        return None
    return generate_container_sas(
        service.account_name, container, account_key=key,
        permission=ContainerSasPermissions(read=True, create=True, write=True),
        expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )


async def seed_azurite_demo(
    blob_endpoint_connection_string: str,
    *,
    container_prefix: str = "",
    now: dt.datetime | None = None,
    concurrency: int = _CONCURRENCY,
) -> DemoBlobSummary:
    """Create the demo containers and blobs (:func:`demo_blob_plan`) in the account.

    ``container_prefix`` is prepended to every container name (tests use it to stay apart
    from other tests' containers). Idempotent: existing containers are reused and existing
    blobs skipped. Uploads run ``concurrency`` at a time on one SDK client.

    Raises:
        azure.core.exceptions.HttpResponseError: the account refused a request.
        RuntimeError: a raw PUT (dot-segment names) failed.
    """
    started = time.perf_counter()
    plan = demo_blob_plan(now)
    semaphore = asyncio.Semaphore(concurrency)
    counts: dict[str, int] = {}
    created: list[str] = []
    unsendable: list[str] = []
    uploaded = skipped = nbytes = 0
    service = BlobServiceClient.from_connection_string(blob_endpoint_connection_string)
    session: aiohttp.ClientSession | None = None
    try:
        async with service:

            async def one(container: ContainerClient, blob: DemoBlob,
                          raw: tuple[str, str] | None) -> None:
                nonlocal uploaded, skipped, nbytes, session
                async with semaphore:
                    if raw is not None:
                        if session is None:
                            session = aiohttp.ClientSession()
                        await _upload_raw(session, raw[0], raw[1], blob)
                        done = True
                    else:
                        done = await _upload_sdk(container, blob)
                if done:
                    uploaded += 1
                    nbytes += len(blob.data)
                else:
                    skipped += 1

            async def fill(spec: DemoContainer) -> None:
                nonlocal skipped
                name = container_prefix + spec.name
                if await _ensure_container(service, _renamed(spec, name)):
                    created.append(name)
                container = service.get_container_client(name)
                existing = await _existing_names(container)
                sas = _container_sas(service, name)
                jobs = []
                present = 0
                for blob in spec.blobs:
                    if blob.name in existing:
                        skipped += 1
                        present += 1
                        continue
                    raw = None
                    if has_dot_segment(blob.name):
                        if sas is None:
                            unsendable.append(blob.name)
                            continue
                        raw = (container.url, sas)
                    jobs.append(one(container, blob, raw))
                    present += 1
                await asyncio.gather(*jobs)
                counts[name] = present

            await asyncio.gather(*(fill(spec) for spec in plan))
    finally:
        if session is not None:
            await session.close()
    return DemoBlobSummary(
        containers={container_prefix + spec.name: counts[container_prefix + spec.name]
                    for spec in plan},
        uploaded=uploaded, skipped_existing=skipped, bytes_uploaded=nbytes,
        elapsed=time.perf_counter() - started, unsendable=tuple(unsendable),
        created_containers=tuple(sorted(created)),
    )


def _renamed(spec: DemoContainer, name: str) -> DemoContainer:
    return DemoContainer(name, spec.blobs, spec.public_access, spec.metadata)
