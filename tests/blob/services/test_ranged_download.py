"""Parallel ranged downloads (transfers/ranged_download.py) against Azurite: whole and equal to
the source at every size around the range boundaries, a blob changed mid-download fails typed
and leaves nothing, cancel leaves nothing, progress reaches the total, every range goes
through the pipeline (journal, read-only guard), and no more ranges are held than asked."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient
from azure.storage.blob.aio import BlobServiceClient

from tests.blob.services.blob_seed import open_blob_service
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.transfers.plans import TransferProgress, plan_download
from vaultbrowser.blob.services.transfers.ranged_download import (
    BlobChangedDuringDownload,
    download_ranges,
)
from vaultbrowser.blob.services.transfers.runs import download_many
from vaultbrowser.core.services.errors import Conflict
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.readonly import read_only_guard
from vaultbrowser.core.services.http.transport import RecordingTransport

RANGE = 64 * 1024


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


_counter = iter(range(10_000))


@pytest.fixture
def container(sync_client: SyncBlobServiceClient) -> str:
    name = f"ranged-{next(_counter):04d}"
    sync_client.create_container(name)
    return name


def put(sync_client: SyncBlobServiceClient, container: str, name: str, data: bytes) -> None:
    sync_client.get_container_client(container).upload_blob(name, data, overwrite=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def download(service: BlobService, container: str, name: str, size: int, folder: Path,
                   **options: Any) -> Any:
    return await download_many(service, container, [BlobRecord(container, name, size=size)],
                               folder, **options)


@pytest.mark.parametrize("size", [0, 1, RANGE - 1, RANGE, RANGE + 1, 7 * RANGE + 3])
def test_download_equals_the_source_around_range_boundaries(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
        tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    put(sync_client, container, "blob.bin", data)
    events: list[TransferProgress] = []

    async def body() -> Any:
        async with open_blob_service(azurite, download_chunk_size=RANGE) as (service, journal):
            report = await download(service, container, "blob.bin", size, tmp_path,
                                    on_progress=events.append)
            return report, journal.records()

    report, records = run(body())
    assert not report.failed and report.done == [str(tmp_path / "blob.bin")]
    assert sha256((tmp_path / "blob.bin").read_bytes()) == sha256(data)
    assert [p.name for p in tmp_path.iterdir()] == ["blob.bin"]  # no temporary file left
    assert events[-1].bytes_done == events[-1].bytes_total == size
    done = [event.bytes_done for event in events]
    assert done == sorted(done)
    # One GET per range (an empty blob: the one range GET answered 416), all journalled.
    gets = [r for r in records if r.method == "GET"]
    assert len(gets) == max(1, -(-size // RANGE))
    assert all(r.response is not None for r in gets)


def test_a_blob_changed_mid_download_fails_typed_and_leaves_no_file(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
        tmp_path: Path) -> None:
    put(sync_client, container, "changing.bin", os.urandom(20 * RANGE))
    changed = False

    def on_progress(progress: TransferProgress) -> None:
        nonlocal changed
        if progress.current_bytes and not changed:
            changed = True  # after the first range: every later range asks If-Match
            put(sync_client, container, "changing.bin", os.urandom(20 * RANGE))

    async def body() -> Any:
        async with open_blob_service(azurite, download_chunk_size=RANGE) as (service, _):
            return await download(service, container, "changing.bin", 20 * RANGE, tmp_path,
                                  on_progress=on_progress)

    report = run(body())
    assert changed and not report.done and not report.cancelled
    [(name, error)] = report.failed
    assert name == "changing.bin"
    assert isinstance(error, BlobChangedDuringDownload) and isinstance(error, Conflict)
    assert error.status == 412
    assert list(tmp_path.iterdir()) == []


def test_cancel_mid_download_leaves_no_file(azurite: Any, run: Any, container: str,
                                            sync_client: SyncBlobServiceClient,
                                            tmp_path: Path) -> None:
    size = 40 * RANGE
    put(sync_client, container, "big.bin", os.urandom(size))

    async def body() -> Any:
        task: asyncio.Task[Any] | None = None

        def on_progress(progress: TransferProgress) -> None:
            if 0 < progress.current_bytes < progress.current_total and task is not None:
                task.cancel()

        async with open_blob_service(azurite, download_chunk_size=RANGE) as (service, _):
            task = asyncio.ensure_future(download(service, container, "big.bin", size,
                                                  tmp_path, on_progress=on_progress))
            return await task

    report = run(body())
    assert report.cancelled and report.done == []
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_session_downloads(azurite: Any, run: Any, container: str,
                                       sync_client: SyncBlobServiceClient,
                                       tmp_path: Path) -> None:
    data = os.urandom(3 * RANGE + 5)
    put(sync_client, container, "a.bin", data)

    async def body() -> Any:
        journal = HttpJournal()
        transport = RecordingTransport(AioHttpTransport(), journal=journal,
                                       guard=read_only_guard("read-only"))
        client = BlobServiceClient.from_connection_string(azurite.connection_string,
                                                          transport=transport)
        service = BlobService(client, download_chunk_size=RANGE)
        try:
            blobs = (await service.list_blobs_flat(container, page_size=10)).items
            report = await download_many(service, container, plan_download(blobs), tmp_path)
        finally:
            await service.close()
            await transport.aclose()
        return report, journal.records()

    report, records = run(body())
    assert not report.failed and (tmp_path / "a.bin").read_bytes() == data
    assert not any(r.refused for r in records)


class _SlowTarget:
    """A slow ``RangeTarget`` that keeps the bytes and counts the writes in progress."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.busy = self.most_busy = 0

    async def write_at(self, offset: int, data: bytes) -> None:
        self.busy += 1
        self.most_busy = max(self.most_busy, self.busy)
        await asyncio.sleep(0.01)
        self.data[len(self.data):] = bytes(max(0, offset + len(data) - len(self.data)))
        self.data[offset:offset + len(data)] = data
        self.busy -= 1


def test_no_more_ranges_in_flight_than_asked(azurite: Any, run: Any, container: str,
                                             sync_client: SyncBlobServiceClient) -> None:
    data = os.urandom(12 * RANGE + 1)
    put(sync_client, container, "many.bin", data)
    target = _SlowTarget()
    seen: list[tuple[int, int | None]] = []

    async def body() -> tuple[int, list[Any]]:
        async with open_blob_service(azurite) as (service, journal):
            written = await download_ranges(
                service.client, container, "many.bin", target, range_size=RANGE,
                concurrency=3, progress=lambda done, total: seen.append((done, total)))
            return written, journal.records()

    written, records = run(body())
    assert written == len(data) and bytes(target.data) == data
    assert target.most_busy == 1  # one write at a time
    # The GETs overlapped, never more than 3 at once (each waits for a slot: bounded memory).
    edges = sorted([(r.started_at.timestamp(), 1) for r in records]
                   + [(r.started_at.timestamp() + r.elapsed, -1) for r in records])
    at_once = most = 0
    for _, step in edges:
        at_once += step
        most = max(most, at_once)
    assert 1 < most <= 3
    assert seen[-1] == (len(data), len(data))
