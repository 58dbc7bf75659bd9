"""The bench's synthetic Blob service answers as Azurite does for the same names.

The official SDK's ``list_blobs`` / ``walk_blobs`` / ``list_blob_names`` (page boundaries via
the marker included) read both the same; the app's ``BlobService`` lists the synthetic
container completely, flat and by folder, its fast path giving the SDK path's records.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from bench.synthetic_blobs import BlobNames, SyntheticBlobServer, list_entries
from tests.blob.services.blob_seed import put_blobs
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME

COUNT = 2_000
CREDENTIAL = {"account_name": AZURITE_ACCOUNT_NAME, "account_key": AZURITE_ACCOUNT_KEY}
PREFIXES = ("", "logs/", "logs/2024/01/", "media/", "logs/2024/01/01/host-03/", "nothing/")


def _brute_force(names: list[str], prefix: str, delimiter: str) -> list[str]:
    """What a delimiter listing holds: each name, or its folder once, in order."""
    listed: list[str] = []
    for name in names:
        if not name.startswith(prefix):
            continue
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        entry = name if cut < 0 else name[:cut + len(delimiter)]
        if not listed or listed[-1] != entry:
            listed.append(entry)
    return listed


@pytest.mark.parametrize("count", [1, 2, 3, 57, COUNT, 30_000])
def test_names_are_sorted_and_pages_hold_what_a_listing_holds(count: int) -> None:
    names = BlobNames(count)
    every = list(names)
    assert every == sorted(every)  # the service's order: the names are ASCII
    assert len(set(every)) == count
    assert all(names.lower_bound(name) == k for k, name in enumerate(every[:50]))
    for prefix in PREFIXES:
        for delimiter, limit in (("/", 1), ("/", 7), ("/", 5000), ("", 333)):
            listed, start = [], ""
            while True:
                entries, resume = list_entries(names, prefix, delimiter, start, limit)
                assert len(entries) <= limit
                listed += [entry for entry, _k in entries]
                if resume is None:
                    break
                start = resume
            assert listed == _brute_force(every, prefix, delimiter), (prefix, delimiter, limit)


def test_a_million_names_cost_no_storage() -> None:
    names = BlobNames(10_000_000)
    assert len(names.blocks) < 20_000
    root, resume = list_entries(names, "", "/", "", 5000)
    assert [entry for entry, _k in root] == ["README.md", "backups/", "logs/", "manifest.json",
                                             "media/"]
    assert resume is None


@pytest.fixture(scope="module")
def synthetic() -> Iterator[SyntheticBlobServer]:
    with SyntheticBlobServer({"bench2k": COUNT, "other": 5}) as server:
        yield server


@asynccontextmanager
async def _container(url: str, container: str) -> AsyncIterator[ContainerClient]:
    async with BlobServiceClient(url, credential=CREDENTIAL) as service:
        yield service.get_container_client(container)


async def _what_the_sdk_reads(client: ContainerClient) -> dict[str, Any]:
    pages = []
    async for page in client.list_blob_names(results_per_page=300).by_page():
        pages.append([name async for name in page])
    flat = [(blob.name, blob.blob_type) async for blob in client.list_blobs(
        include=["metadata", "tags"], results_per_page=700)]
    walks = {}
    for prefix in PREFIXES:
        walks[prefix] = [(type(item).__name__, item.name) async for item in client.walk_blobs(
            name_starts_with=prefix or None, results_per_page=3)]
    return {"pages": pages, "flat": flat, "walks": walks}


def test_the_sdk_reads_the_synthetic_service_as_azurite(azurite: Any, run: Any,
                                                         synthetic: SyntheticBlobServer) -> None:
    container = f"synthetic-{uuid.uuid4().hex[:8]}"
    names = list(BlobNames(COUNT))

    async def seed() -> None:
        async with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
            await client.create_container(container)
        assert await put_blobs(azurite, container, ((name, b"x") for name in names)) == COUNT

    async def both() -> tuple[dict[str, Any], dict[str, Any]]:
        async with _container(azurite.blob_endpoint, container) as client:
            theirs = await _what_the_sdk_reads(client)
        async with _container(synthetic.blob_endpoint, "bench2k") as client:
            ours = await _what_the_sdk_reads(client)
            sizes = {blob.name: (blob.size, blob.content_settings.content_type, blob.blob_tier)
                     async for blob in client.list_blobs()}
        return theirs, {**ours, "sizes": sizes}

    run(seed())
    theirs, ours = run(both())
    assert [len(page) for page in ours["pages"]] == [300] * 6 + [200]
    assert ours["pages"] == theirs["pages"]
    assert ours["flat"] == theirs["flat"]
    assert [name for name, _type in ours["flat"]] == names
    assert ours["walks"] == theirs["walks"]
    # Pages of 3 (README.md, backups/, logs/ | manifest.json, media/): the SDK hands out each
    # page's prefixes first.
    assert ours["walks"][""] == [("BlobPrefix", "backups/"), ("BlobPrefix", "logs/"),
                                 ("BlobProperties", "README.md"), ("BlobPrefix", "media/"),
                                 ("BlobProperties", "manifest.json")]
    kinds = {name.rsplit(".", 1)[1]: content for name, (_s, content, _t) in ours["sizes"].items()}
    assert kinds == {"md": "text/markdown", "json": "application/json", "jpg": "image/jpeg",
                     "bak": "application/octet-stream"}
    assert all(size and size > 0 for size, _c, _t in ours["sizes"].values())
    assert {tier for _s, _c, tier in ours["sizes"].values()} >= {"Hot", "Cool"}
    assert not synthetic.service.unknown


@asynccontextmanager
async def _blob_service(url: str, lister: str) -> AsyncIterator[BlobService]:
    transport = RecordingTransport(AioHttpTransport(), journal=HttpJournal())
    service = BlobService(BlobServiceClient(url, credential=CREDENTIAL, transport=transport),
                          lister=lister)
    try:
        yield service
    finally:
        await service.close()
        await transport.aclose()


async def _app_listing(url: str, lister: str) -> dict[str, Any]:
    async with _blob_service(url, lister) as service:
        containers = await service.list_containers(page_size=100)
        flat: list[BlobRecord] = []
        token = None
        while True:
            page = await service.list_blobs_flat("bench2k", page_size=500, continuation=token)
            flat += page.items
            if not (token := page.next_token):
                break
        folders: dict[str, list[Any]] = {}
        for prefix in PREFIXES:
            items, token = [], None
            while True:
                page = await service.list_folder("bench2k", prefix, page_size=4,
                                                 continuation=token)
                items += page.items
                if not (token := page.next_token):
                    break
            folders[prefix] = items
        return {"containers": [item.name for item in containers.items], "flat": flat,
                "folders": folders}


def test_the_app_lists_the_synthetic_container_completely(run: Any,
                                                         synthetic: SyntheticBlobServer) -> None:
    fast = run(_app_listing(synthetic.blob_endpoint, "fast"))
    sdk = run(_app_listing(synthetic.blob_endpoint, "sdk"))
    names = list(BlobNames(COUNT))
    assert fast["containers"] == ["bench2k", "other"]
    assert [blob.name for blob in fast["flat"]] == names
    assert fast["flat"] == sdk["flat"]  # every field, as the SDK's deserializer reads it
    assert sum(1 for blob in fast["flat"] if blob.tags) == COUNT // 10
    assert sum(1 for blob in fast["flat"] if blob.metadata) == COUNT // 5
    for prefix in PREFIXES:
        listed = [item.prefix if isinstance(item, BlobPrefixRecord) else item.name
                  for item in fast["folders"][prefix]]
        assert sorted(listed) == sorted(_brute_force(names, prefix, "/")), prefix
    assert fast["folders"] == sdk["folders"]
    assert not synthetic.service.unknown
