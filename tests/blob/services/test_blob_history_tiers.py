"""Snapshots (create, list, promote, delete) and access tiers (Hot/Cool/Cold/Archive, one blob
and a batch, BlobArchived on read) against Azurite; read-only refusals of these writes.

Versions and the rehydrate-pending state are not implemented by Azurite: they are tested with
the mock transport in ``test_blob_history_mock.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient

from tests.blob.services.blob_seed import open_blob_service
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.writes.versions import BlobHistory
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import Conflict, InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession

_counter = iter(range(10_000))


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


@pytest.fixture
def container(sync_client: SyncBlobServiceClient) -> str:
    name = f"history-{next(_counter):04d}"
    sync_client.create_container(name)
    return name


def with_service(azurite: Any, run: Any, body: Any) -> Any:
    async def main() -> Any:
        async with open_blob_service(azurite) as (service, journal):
            return await body(service, journal)

    return run(main())


def content(sync_client: SyncBlobServiceClient, container: str, name: str) -> bytes:
    return sync_client.get_blob_client(container, name).download_blob().readall()


# --- snapshots --------------------------------------------------------------------------------


def test_snapshots_create_list_promote_delete(azurite: Any, run: Any, container: str,
                                              sync_client: SyncBlobServiceClient) -> None:
    name = "dir/report ü.txt"
    blob = sync_client.get_blob_client(container, name)
    blob.upload_blob(b"first")
    # Neighbours sharing the prefix must not count as its history.
    sync_client.get_blob_client(container, name + ".bak").upload_blob(b"other")
    sync_client.get_blob_client(container, name + "/child").upload_blob(b"other")

    async def body(service: BlobService, journal: Any) -> BlobHistory:
        one = await service.versions.create_snapshot(container, name)
        assert one.value.snapshot and one.response and one.response.status == 201
        blob.upload_blob(b"second", overwrite=True)
        two = await service.versions.create_snapshot(container, name)
        blob.upload_blob(b"third, live", overwrite=True)
        history = await service.versions.list_history(container, name)
        assert [s.snapshot for s in history.snapshots] == sorted(
            [one.value.snapshot, two.value.snapshot])
        assert history.current is not None and history.current.size == len(b"third, live")
        assert {s.name for s in history.snapshots} == {name}
        assert not history.has_versions and history.versions == ()

        # The oldest snapshot's bytes, then promote it: the base blob holds them again.
        chunks: list[bytes] = []
        await service.download_blob(container, name, chunks.append,
                                    snapshot=history.snapshots[0].snapshot)
        assert b"".join(chunks) == b"first"
        head = await service.versions.read_entry_head(history, history.snapshots[0], 3)
        assert head.value == b"fir"
        promoted = await service.versions.promote(history, history.snapshots[0])
        assert promoted.response is not None and promoted.response.status == 202
        assert promoted.value.size == len(b"first")

        # The listing's base ETag is stale now: a second promote must not overwrite.
        with pytest.raises(Conflict) as stale:
            await service.versions.promote(history, history.snapshots[1])
        assert "changed since" in (stale.value.advice or "")

        await service.versions.delete_snapshot(history, history.snapshots[0].snapshot or "")
        with pytest.raises(InvalidInput):
            await service.versions.delete_snapshot(history, "2020-01-01T00:00:00.0000000Z")
        return await service.versions.list_history(container, name)

    after = with_service(azurite, run, body)
    assert content(sync_client, container, name) == b"first"
    assert len(after.snapshots) == 1
    assert sorted(b.name for b in sync_client.get_container_client(container).list_blobs()) \
        == sorted([name, name + ".bak", name + "/child"])


def test_no_version_ids_listed_means_nothing_sent_by_version(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient) -> None:
    """Azurite ignores ?versionid= (a delete by version id deletes the live blob there): with
    no version ids in the listing, deleting or promoting a 'version' sends nothing."""
    sync_client.get_blob_client(container, "live.txt").upload_blob(b"live")

    async def body(service: BlobService, journal: Any) -> None:
        history = await service.versions.list_history(container, "live.txt")
        assert history.current is not None and not history.has_versions
        before = len(journal.records())
        with pytest.raises(InvalidInput):
            await service.versions.delete_version(history, "2024-03-01T08:59:00.1111111Z")
        made_up = history.current.__class__(container, "live.txt",
                                            version_id="2024-03-01T08:59:00.1111111Z")
        with pytest.raises(InvalidInput):
            await service.versions.promote(history, made_up)
        assert len(journal.records()) == before

    with_service(azurite, run, body)
    assert content(sync_client, container, "live.txt") == b"live"


# --- tiers ------------------------------------------------------------------------------------


def test_tier_changes_cold_archive_and_archived_read(azurite: Any, run: Any, container: str,
                                                     sync_client: SyncBlobServiceClient) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        sync_client.get_blob_client(container, name).upload_blob(name.encode())

    async def body(service: BlobService, journal: Any) -> None:
        before = (await service.get_blob_properties(container, "a.txt")).value
        assert before.access_tier == "Hot" and before.access_tier_inferred is True
        cold = await service.tiers.set_tier(container, "a.txt", "Cold")
        assert cold.value.access_tier == "Cold" and not cold.value.access_tier_inferred
        report = await service.tiers.set_tiers(container, ["b.txt", "c.txt", "gone.txt"],
                                               "Archive")
        assert report.changed == ("b.txt", "c.txt")
        assert report.failed == (("gone.txt", "BlobNotFound"),)
        assert report.responses and report.responses[0].status == 202
        assert any(r.method == "POST" and "comp=batch" in r.url for r in journal.records())
        archived = (await service.get_blob_properties(container, "b.txt")).value
        assert archived.access_tier == "Archive"
        with pytest.raises(Conflict) as read:
            await service.download_blob(container, "b.txt", lambda _data: None)
        assert read.value.error_code == "BlobArchived"
        # Rehydrate (Azurite: at once; Azure: 202 and hours, see the mock tests).
        back = await service.tiers.set_tier(container, "b.txt", "Hot",
                                            rehydrate_priority="High")
        assert back.response is not None and back.response.status in (200, 202)

    with_service(azurite, run, body)
    assert content(sync_client, container, "b.txt") == b"b.txt"


@pytest.mark.parametrize(("tier", "priority"), [
    ("Premium", None), ("hot", None), ("Archive", "High"), ("Hot", "Urgent")])
def test_bad_tier_input_is_refused_before_any_request(azurite: Any, run: Any, container: str,
                                                      tier: str, priority: str | None) -> None:
    async def body(service: BlobService, journal: Any) -> None:
        with pytest.raises(InvalidInput):
            await service.tiers.set_tier(container, "x.txt", tier, rehydrate_priority=priority)
        with pytest.raises(InvalidInput):
            await service.tiers.set_tiers(container, ["x.txt"], tier,
                                          rehydrate_priority=priority)
        assert journal.records() == []

    with_service(azurite, run, body)


# --- read-only mode ---------------------------------------------------------------------------


def test_history_and_tier_writes_are_refused_in_read_only_mode(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
        tmp_path: Path) -> None:
    blob = sync_client.get_blob_client(container, "keep.txt")
    blob.upload_blob(b"keep")
    snapshot = blob.create_snapshot()["snapshot"]
    blob.upload_blob(b"keep, changed", overwrite=True)

    async def body() -> None:
        session = ServiceSession(read_only=True)
        try:
            service = open_storage(session, Connection(
                "blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR))
            history = await service.versions.list_history(container, "keep.txt")  # a GET
            assert [s.snapshot for s in history.snapshots] == [snapshot]
            for call in (service.versions.create_snapshot(container, "keep.txt"),
                         service.versions.promote(history, history.snapshots[0]),
                         service.versions.delete_snapshot(history, snapshot),
                         service.tiers.set_tier(container, "keep.txt", "Cool"),
                         service.tiers.set_tiers(container, ["keep.txt"], "Archive")):
                with pytest.raises(ReadOnlyRefused):
                    await call
        finally:
            await session.aclose()

    run(body())
    assert content(sync_client, container, "keep.txt") == b"keep, changed"
    props = blob.get_blob_properties()
    assert props.blob_tier == "Hot"
    listed = list(sync_client.get_container_client(container).list_blobs(include=["snapshots"]))
    assert len(listed) == 2
