"""BlobService writes (the BlobWrites mixin and sas.py) against real Azurite, through the real
async SDK client and our recording transport: validation before any request, no silent
overwrite, exact deletes, metadata/tags, SAS (account key and user delegation), hostile names."""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient

from tests.blob.services.blob_seed import container_sas, open_blob_service
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import validate_container_name
from vaultbrowser.blob.services.transfers.plans import plan_download
from vaultbrowser.blob.services.transfers.runs import download_many
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ReadOnlyRefused,
    ServiceError,
)
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_NAME, Azurite, AzuriteUnavailable

# Names that must survive upload, listing, download and delete unchanged.
HOSTILE = [
    "ünïcödé/日本語 ファイル.txt",
    "with space/and  double  space .txt",
    "percent%20encoded%2Fnot-a-slash",
    "100% sure",
    "hash#fragment",
    "question?mark=1&x=2",
    "plus+sign",
    "trailing-slash/",
    "long/" + "x" * 1000,
]
DOT_SEGMENTS = ["a/../b.txt", "./leading-dot", "mid/./dot", ".."]


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


_counter = iter(range(10_000))


@pytest.fixture
def container(sync_client: SyncBlobServiceClient) -> str:
    """A fresh, empty container for one test."""
    name = f"writes-{next(_counter):04d}"
    sync_client.create_container(name)
    return name


def with_service(azurite: Any, run: Callable[..., Any], body: Callable[..., Any],
                 **options: Any) -> Any:
    async def main() -> Any:
        async with open_blob_service(azurite, **options) as (service, journal):
            return await body(service, journal)

    return run(main())


def blob_names(sync_client: SyncBlobServiceClient, container: str) -> list[str]:
    return sorted(b.name for b in sync_client.get_container_client(container).list_blobs())


def content(sync_client: SyncBlobServiceClient, container: str, name: str) -> bytes:
    return sync_client.get_blob_client(container, name).download_blob().readall()


def methods(journal: Any) -> list[str]:
    return [record.method for record in journal.records()]


# --- containers -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "ab", "a" * 64, "Upper", "double--hyphen", "-leading", "trailing-", "under_score",
    "dot.name", "spa ce", "ünï", "",
])
def test_invalid_container_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_container_name(name)
    if name == "double--hyphen":
        assert "two hyphens in a row" in refused.value.message


@pytest.mark.parametrize("name", ["abc", "a" * 63, "a-b-c", "0day", "x9-9x"])
def test_valid_container_names_pass(name: str) -> None:
    validate_container_name(name)


def test_special_containers_only_where_allowed() -> None:
    with pytest.raises(InvalidInput):
        validate_container_name("$root")
    validate_container_name("$root", allow_special=True)
    validate_container_name("$web", allow_special=True)


def test_create_container_validates_before_any_request(azurite: Any, run: Any) -> None:
    async def body(service: BlobService, journal: Any) -> None:
        for bad in ("Bad_Name", "x", "a--b"):
            with pytest.raises(InvalidInput):
                await service.containers.create_container(bad)
        with pytest.raises(InvalidInput):
            await service.containers.create_container("fine-name", public_access="everyone")
        with pytest.raises(InvalidInput):
            await service.containers.create_container("fine-name", metadata={"1bad": "x"})
        assert journal.records() == []

    with_service(azurite, run, body)


def test_create_container_then_conflict(azurite: Any, run: Any,
                                        sync_client: SyncBlobServiceClient) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        created = await service.containers.create_container(
            "made-here", public_access="blob", metadata={"owner": "team_a"})
        with pytest.raises(Conflict) as second:
            await service.containers.create_container("made-here")
        return created, second.value

    created, error = with_service(azurite, run, body)
    assert created.value.name == "made-here"
    assert created.value.public_access == "blob"
    assert dict(created.value.metadata) == {"owner": "team_a"}
    assert created.value.etag and created.value.last_modified is not None
    assert created.response is not None and created.response.status == 201
    assert error.error_code == "ContainerAlreadyExists"
    props = sync_client.get_container_client("made-here").get_container_properties()
    assert props.metadata == {"owner": "team_a"} and props.public_access == "blob"


def test_delete_container_needs_the_typed_name(azurite: Any, run: Any,
                                               sync_client: SyncBlobServiceClient) -> None:
    sync_client.create_container("doomed")

    async def body(service: BlobService, journal: Any) -> Any:
        for typed in ("", "Doomed", "doomed ", "other"):
            with pytest.raises(InvalidInput):
                await service.containers.delete_container("doomed", typed_name=typed)
        assert journal.records() == []  # nothing was sent
        assert sync_client.get_container_client("doomed").exists()
        deleted = await service.containers.delete_container("doomed", typed_name="doomed")
        with pytest.raises(NotFound):
            await service.containers.delete_container("doomed", typed_name="doomed")
        return deleted

    deleted = with_service(azurite, run, body)
    assert deleted.response is not None and deleted.response.status == 202
    assert not sync_client.get_container_client("doomed").exists()


def test_container_metadata_round_trip(azurite: Any, run: Any, container: str) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        result = await service.containers.set_container_metadata(
            container, {"Stage": "qa", "n_1": "2"})
        read = await service.get_container_properties(container)
        return result, read

    result, read = with_service(azurite, run, body)
    assert dict(result.value.metadata) == {"Stage": "qa", "n_1": "2"}
    assert dict(read.value.metadata) == {"Stage": "qa", "n_1": "2"}
    assert result.response is not None and result.response.method == "PUT"


# --- uploads ----------------------------------------------------------------------------------


def test_upload_never_overwrites_silently(azurite: Any, run: Any, container: str,
                                          sync_client: SyncBlobServiceClient,
                                          tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_bytes(b'{"v": 1}')
    second.write_bytes(b'{"v": 2}')

    async def body(service: BlobService, journal: Any) -> Any:
        created = await service.uploads.upload_file(container, "doc.json", first)
        before = len(journal)
        with pytest.raises(Conflict) as refused:
            await service.uploads.upload_file(container, "doc.json", second)
        # The service refused the conditional PUT itself: no HEAD was needed.
        assert methods(journal)[before:] == ["PUT"]
        replaced = await service.uploads.upload_file(container, "doc.json", second, overwrite=True)
        return created, refused.value, replaced

    created, error, replaced = with_service(azurite, run, body)
    assert error.error_code == "BlobAlreadyExists"
    assert created.value.content_type == "application/json"
    assert created.value.size == 8 and created.value.etag
    assert replaced.value.etag != created.value.etag
    assert content(sync_client, container, "doc.json") == b'{"v": 2}'


def test_block_upload_round_trips_and_refuses_existing(azurite: Any, run: Any, container: str,
                                                       sync_client: SyncBlobServiceClient,
                                                       tmp_path: Path) -> None:
    data = os.urandom(5 * 256 * 1024 + 777)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    seen: list[tuple[int, int]] = []

    async def body(service: BlobService, journal: Any) -> Any:
        service.uploads.single_put_limit = service.uploads.upload_block_size = 256 * 1024
        uploaded = await service.uploads.upload_file(container, "dir/big.bin", source,
                                             progress=lambda s, t: seen.append((s, t)))
        before = len(journal)
        with pytest.raises(Conflict) as refused:
            await service.uploads.upload_file(container, "dir/big.bin", tmp_path / "big.bin")
        # Refused before a single block was sent.
        assert methods(journal)[before:] == ["HEAD"]
        return uploaded, refused.value

    uploaded, error = with_service(azurite, run, body)
    assert error.error_code == "BlobAlreadyExists"
    assert content(sync_client, container, "dir/big.bin") == data
    assert uploaded.value.size == len(data)
    assert uploaded.value.content_type == "application/octet-stream"
    assert seen[-1] == (len(data), len(data))
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    assert len(seen) == 6


def test_block_upload_commit_is_conditional(azurite: Any, run: Any, container: str,
                                            sync_client: SyncBlobServiceClient,
                                            tmp_path: Path) -> None:
    """A blob created after the early HEAD, while blocks are staged, is not replaced."""
    source = tmp_path / "late.bin"
    source.write_bytes(os.urandom(4 * 64 * 1024))
    created = False

    def progress(sent: int, total: int) -> None:
        nonlocal created
        if not created:
            # (Azurite counts our staged, uncommitted blocks as the blob: hence overwrite.)
            sync_client.get_blob_client(container, "late.bin").upload_blob(
                b"someone else", overwrite=True)
            created = True

    async def body(service: BlobService, journal: Any) -> Conflict:
        service.uploads.single_put_limit = service.uploads.upload_block_size = 64 * 1024
        service.uploads.upload_concurrency = 1
        with pytest.raises(Conflict) as refused:
            await service.uploads.upload_file(container, "late.bin", source, progress=progress)
        return refused.value

    error = with_service(azurite, run, body)
    assert error.error_code == "BlobAlreadyExists"
    assert content(sync_client, container, "late.bin") == b"someone else"


def test_upload_of_a_missing_file_is_a_local_error(azurite: Any, run: Any, container: str,
                                                   tmp_path: Path) -> None:
    from vaultbrowser.core.services.errors import LocalFileError

    async def body(service: BlobService, journal: Any) -> None:
        with pytest.raises(LocalFileError):
            await service.uploads.upload_file(container, "x", tmp_path / "missing.txt")
        with pytest.raises(LocalFileError):
            await service.uploads.upload_file(container, "x", tmp_path)  # a folder
        assert journal.records() == []

    with_service(azurite, run, body)


# --- deletes ----------------------------------------------------------------------------------

FOLDER_CASE = {
    "master": b"file named master",
    "master/": b"folder marker with content",
    "master/a.txt": b"a",
    "master/sub/b.txt": b"b",
    "master/sub/": b"",
    "master-2/c.txt": b"c",
    "master-2/": b"",
    "masterx": b"x",
    "other/master/d.txt": b"d",
}


def seed_folder_case(sync_client: SyncBlobServiceClient, container: str) -> None:
    client = sync_client.get_container_client(container)
    for name, data in FOLDER_CASE.items():
        client.upload_blob(name, data)


def test_deleting_a_blob_named_like_a_folder_deletes_only_it(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient) -> None:
    seed_folder_case(sync_client, container)

    async def body(service: BlobService, journal: Any) -> Any:
        return await service.deletes.delete_blob(container, "master/")

    result = with_service(azurite, run, body)
    assert result.response is not None and result.response.status == 202
    assert blob_names(sync_client, container) == sorted(set(FOLDER_CASE) - {"master/"})


def test_list_folder_contents_is_exact_across_pages(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
) -> None:
    seed_folder_case(sync_client, container)

    async def body(service: BlobService, journal: Any) -> Any:
        for bad in ("", "master", "master/sub"):
            with pytest.raises(InvalidInput):
                await service.deletes.list_folder_contents(container, bad)
        # pages of 2 for 4 blobs: two requests
        listed = await service.deletes.list_folder_contents(container, "master/", page_size=2)
        return listed, sum(1 for r in journal.records() if r.method == "GET")

    listed, gets = with_service(azurite, run, body)
    assert [b.name for b in listed] == ["master/", "master/a.txt", "master/sub/",
                                        "master/sub/b.txt"]
    assert gets == 2
    assert all(isinstance(b, BlobRecord) and b.etag for b in listed)


def test_folder_delete_removes_exactly_the_listed_blobs(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient) -> None:
    seed_folder_case(sync_client, container)
    progress: list[tuple[int, int]] = []

    async def body(service: BlobService, journal: Any) -> Any:
        listed = await service.deletes.list_folder_contents(container, "master/")
        return await service.deletes.delete_blobs(container, listed,
                                          on_progress=lambda d, t: progress.append((d, t)))

    report = with_service(azurite, run, body)
    assert sorted(report.deleted) == ["master/", "master/a.txt", "master/sub/",
                                      "master/sub/b.txt"]
    assert report.failed == () and not report.cancelled
    assert blob_names(sync_client, container) == [
        "master", "master-2/", "master-2/c.txt", "masterx", "other/master/d.txt"]
    assert progress[-1] == (4, 4)


def test_folder_delete_spares_a_blob_changed_since_listing(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient) -> None:
    seed_folder_case(sync_client, container)

    async def body(service: BlobService, journal: Any) -> Any:
        listed = await service.deletes.list_folder_contents(container, "master/")
        sync_client.get_blob_client(container, "master/a.txt").upload_blob(b"new", overwrite=True)
        return await service.deletes.delete_blobs(container, listed)

    report = with_service(azurite, run, body)
    assert sorted(report.deleted) == ["master/", "master/sub/", "master/sub/b.txt"]
    [(name, error)] = report.failed
    assert name == "master/a.txt" and isinstance(error, Conflict)
    assert content(sync_client, container, "master/a.txt") == b"new"


def test_delete_blobs_by_name_reports_each_failure(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient) -> None:
    seed_folder_case(sync_client, container)

    async def body(service: BlobService, journal: Any) -> Any:
        return await service.deletes.delete_blobs(container, ["masterx", "gone.txt", "a/../b"])

    report = with_service(azurite, run, body)
    assert report.deleted == ("masterx",)
    failures = dict(report.failed)
    assert isinstance(failures["gone.txt"], NotFound)
    assert isinstance(failures["a/../b"], InvalidInput)
    assert "masterx" not in blob_names(sync_client, container)


def test_delete_with_snapshots(azurite: Any, run: Any, container: str,
                               sync_client: SyncBlobServiceClient) -> None:
    blob = sync_client.get_blob_client(container, "snappy.txt")
    blob.upload_blob(b"v1")
    blob.create_snapshot()

    async def body(service: BlobService, journal: Any) -> Conflict:
        with pytest.raises(Conflict) as refused:
            await service.deletes.delete_blob(container, "snappy.txt")
        await service.deletes.delete_blob(container, "snappy.txt", include_snapshots=True)
        return refused.value

    error = with_service(azurite, run, body)
    assert error.error_code == "SnapshotsPresent"
    assert "snapshots" in error.advice
    left = list(sync_client.get_container_client(container).list_blobs(include=["snapshots"]))
    assert left == []


def test_soft_delete_calls_on_azurite(azurite: Any, run: Any, container: str,
                                      sync_client: SyncBlobServiceClient) -> None:
    """Azurite 3.37 does not implement soft delete: the listing asks include=deleted and gets
    no deleted blobs; undelete is a clear ServiceError (HTTP 501), not "try again"."""
    sync_client.get_blob_client(container, "kept.txt").upload_blob(b"k")

    async def body(service: BlobService, journal: Any) -> Any:
        page = await service.deletes.list_deleted_blobs(container, page_size=10)
        with pytest.raises(InvalidInput):
            await service.deletes.list_deleted_blobs(container, page_size=0)
        with pytest.raises(ServiceError) as refused:
            await service.deletes.undelete_blob(container, "kept.txt")
        return page, refused.value

    page, error = with_service(azurite, run, body)
    assert page.items == () and page.next_token is None
    assert page.response is not None and "include=deleted" in page.response.url
    assert error.status == 501 and "undelet" in error.message


# --- metadata and tags ------------------------------------------------------------------------


def test_metadata_and_tags_round_trip(azurite: Any, run: Any, container: str,
                                      sync_client: SyncBlobServiceClient) -> None:
    sync_client.get_blob_client(container, "m.txt").upload_blob(b"m")

    async def body(service: BlobService, journal: Any) -> Any:
        meta = await service.metadata.set_blob_metadata(container, "m.txt",
                                               {"Author": "ana", "rev_2": "two words"})
        tags = await service.metadata.set_blob_tags(container, "m.txt",
                                           {"project": "vault", "path": "a/b:c=d_e+f -.x"})
        read = await service.get_blob_properties(container, "m.txt")
        stale = meta.value.etag
        await service.metadata.set_blob_metadata(container, "m.txt", {"x": "1"})
        with pytest.raises(Conflict):
            await service.metadata.set_blob_metadata(container, "m.txt", {"x": "2"}, etag=stale)
        cleared = await service.metadata.set_blob_tags(container, "m.txt", {})
        return meta, tags, read, cleared, await service.get_blob_tags(container, "m.txt")

    meta, tags, read, cleared, tags_after = with_service(azurite, run, body)
    assert dict(meta.value.metadata) == {"Author": "ana", "rev_2": "two words"}
    assert meta.response is not None and meta.response.method == "PUT"
    assert tags.value == {"project": "vault", "path": "a/b:c=d_e+f -.x"}
    assert dict(read.value.metadata) == {"Author": "ana", "rev_2": "two words"}
    assert dict(read.value.tags) == tags.value
    assert cleared.value == {} and tags_after.value == {}
    assert sync_client.get_blob_client(container, "m.txt").get_blob_properties().metadata == {
        "x": "1"}


@pytest.mark.parametrize("metadata", [
    {"1starts_with_digit": "x"}, {"has-dash": "x"}, {"ok": "ünïcödé"}, {"ok": "line\nbreak"},
    {"ok": " padded"}, {"Same": "a", "same": "b"}, {"big": "x" * 9000},
])
def test_invalid_metadata_is_refused_before_any_request(azurite: Any, run: Any,
                                                        metadata: dict[str, str]) -> None:
    async def body(service: BlobService, journal: Any) -> None:
        with pytest.raises(InvalidInput):
            await service.metadata.set_blob_metadata("any-container", "b.txt", metadata)
        assert journal.records() == []

    with_service(azurite, run, body)


@pytest.mark.parametrize("tags", [
    {f"k{i}": "v" for i in range(11)}, {"": "v"}, {"k" * 129: "v"}, {"k": "v" * 257},
    {"bad!": "v"}, {"k": "ünï"}, {"k": "semi;colon"},
])
def test_invalid_tags_are_refused_before_any_request(azurite: Any, run: Any,
                                                     tags: dict[str, str]) -> None:
    async def body(service: BlobService, journal: Any) -> None:
        with pytest.raises(InvalidInput):
            await service.metadata.set_blob_tags("any-container", "b.txt", tags)
        assert journal.records() == []

    with_service(azurite, run, body)


# --- hostile names ----------------------------------------------------------------------------


def test_hostile_names_round_trip(azurite: Any, run: Any, container: str,
                                  sync_client: SyncBlobServiceClient, tmp_path: Path) -> None:
    sources = {}
    for index, name in enumerate(HOSTILE):
        sources[name] = tmp_path / f"src-{index}.bin"
        sources[name].write_bytes(name.encode() + b"\x00payload")
    destination = tmp_path / "down"
    destination.mkdir()

    async def body(service: BlobService, journal: Any) -> Any:
        for name, source in sources.items():
            await service.uploads.upload_file(container, name, source)
        listed: list[BlobRecord] = []
        token = None
        while True:
            page = await service.list_blobs_flat(container, page_size=100, continuation=token)
            listed.extend(page.items)
            token = page.next_token
            if not token:
                break
        report = await download_many(service, container, plan_download(listed), destination)
        urls = {name: service.urls.blob_url(container, name) for name in HOSTILE}
        deleted = await service.deletes.delete_blobs(container, [b.name for b in listed])
        return listed, report, urls, deleted

    listed, report, urls, deleted = with_service(azurite, run, body)
    assert sorted(b.name for b in listed) == sorted(HOSTILE)
    assert not report.failed and len(report.done) == len(HOSTILE)
    for path in report.done:
        data = Path(path).read_bytes()
        name = data.split(b"\x00")[0].decode()
        assert data == sources[name].read_bytes()
    saved = sorted(str(p.relative_to(destination)) for p in destination.rglob("*")
                   if p.is_file())
    assert "trailing-slash%2F" in saved and "hash#fragment" in saved
    assert "question?mark=1&x=2" in saved and "plus+sign" in saved
    assert not any(".part" in p for p in saved)
    for name, url in urls.items():
        assert url == sync_client.get_blob_client(container, name).url
    assert sorted(deleted.deleted) == sorted(HOSTILE) and not deleted.failed
    assert blob_names(sync_client, container) == []


@pytest.mark.parametrize("name", [*DOT_SEGMENTS, "", "y" * 1025])
def test_unaddressable_names_are_refused_before_any_request(
        azurite: Any, run: Any, container: str, name: str, tmp_path: Path) -> None:
    source = tmp_path / "f.txt"
    source.write_bytes(b"f")

    async def body(service: BlobService, journal: Any) -> None:
        calls = [
            service.uploads.upload_file(container, name, source),
            service.deletes.delete_blob(container, name),
            service.metadata.set_blob_metadata(container, name, {"a": "b"}),
            service.metadata.set_blob_tags(container, name, {"a": "b"}),
            service.deletes.undelete_blob(container, name),
            service.urls.generate_sas_url(container, name, permissions="r",
                                     expires_on=datetime.now(UTC) + timedelta(hours=1)),
        ]
        for call in calls:
            with pytest.raises(InvalidInput) as refused:
                await call
            assert name[:20] in refused.value.message or not name or len(name) > 1024
        assert journal.records() == []

    with_service(azurite, run, body)


# --- read-only mode ---------------------------------------------------------------------------


def test_writes_are_refused_in_read_only_mode(azurite: Any, run: Any, container: str,
                                              sync_client: SyncBlobServiceClient,
                                              tmp_path: Path) -> None:
    sync_client.get_blob_client(container, "keep.txt").upload_blob(b"keep")
    source = tmp_path / "new.txt"
    source.write_bytes(b"new")

    async def body() -> None:
        session = ServiceSession(read_only=True)
        try:
            service = open_storage(session, Connection(
                "blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR))
            for call in (service.uploads.upload_file(container, "new.txt", source),
                         service.deletes.delete_blob(container, "keep.txt"),
                         service.containers.create_container("never-made"),
                         service.metadata.set_blob_tags(container, "keep.txt", {"a": "b"})):
                with pytest.raises(ReadOnlyRefused):
                    await call
        finally:
            await session.aclose()

    run(body())
    assert blob_names(sync_client, container) == ["keep.txt"]
    assert not sync_client.get_container_client("never-made").exists()


# --- SAS --------------------------------------------------------------------------------------


def test_sas_url_reads_and_respects_permissions(azurite: Any, run: Any, container: str,
                                                sync_client: SyncBlobServiceClient) -> None:
    name = "sas dir/ünï #1?.txt"
    sync_client.get_blob_client(container, name).upload_blob(b"shared")
    expires = datetime.now(UTC) + timedelta(hours=1)

    async def body(service: BlobService, journal: Any) -> Any:
        read = await service.urls.generate_sas_url(container, name, permissions="r",
                                              expires_on=expires)
        listing = await service.urls.generate_sas_url(container, None, permissions="lr",
                                                 expires_on=expires)
        assert journal.records() == []  # account key SAS: signed locally
        url = read.value.reveal()
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                got = (response.status, await response.read())
            async with session.put(url, data=b"overwritten",
                                   headers={"x-ms-blob-type": "BlockBlob"}) as response:
                put_status = response.status
            async with session.delete(url) as response:
                delete_status = response.status
            tampered = url.replace("sp=r", "sp=rw")
            async with session.get(tampered) as response:
                tampered_status = response.status
            list_url = listing.value.reveal() + "&restype=container&comp=list"
            async with session.get(list_url) as response:
                listed = (response.status, await response.text())
        return read, got, put_status, delete_status, tampered_status, listed

    read, got, put_status, delete_status, tampered_status, listed = with_service(
        azurite, run, body)
    assert isinstance(read.value, SecretValue)
    assert "sig=" not in repr(read.value) and "sig=" in read.value.reveal()
    assert read.response is None
    assert got == (200, b"shared")
    assert put_status == 403 and delete_status == 403 and tampered_status == 403
    assert listed[0] == 200 and "ünï" in listed[1]
    assert content(sync_client, container, name) == b"shared"


def test_sas_sdk_client_with_generated_url(azurite: Any, run: Any, container: str,
                                           sync_client: SyncBlobServiceClient) -> None:
    sync_client.get_blob_client(container, "sdk.txt").upload_blob(b"via sdk")

    async def body(service: BlobService, journal: Any) -> SecretValue:
        result = await service.urls.generate_sas_url(
            container, "sdk.txt", permissions="rw",
            starts_on=datetime.now(UTC) - timedelta(minutes=1),
            expires_on=datetime.now(UTC) + timedelta(minutes=30))
        return result.value

    url = with_service(azurite, run, body)
    from azure.storage.blob import BlobClient

    with BlobClient.from_blob_url(url.reveal()) as blob:
        assert blob.download_blob().readall() == b"via sdk"
        blob.upload_blob(b"written with rw", overwrite=True)
    assert content(sync_client, container, "sdk.txt") == b"written with rw"


@pytest.mark.parametrize("options", [
    {"permissions": ""}, {"permissions": "rr"}, {"permissions": "l"}, {"permissions": "q"},
    {"expires_on": datetime(2001, 1, 1, tzinfo=UTC)},
    {"expires_on": datetime(2999, 1, 1)},  # naive
    {"starts_on": datetime.now(UTC) + timedelta(days=2)},
])
def test_sas_inputs_are_validated(azurite: Any, run: Any, options: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"permissions": "r",
                                 "expires_on": datetime.now(UTC) + timedelta(days=1)}
    arguments.update(options)

    async def body(service: BlobService, journal: Any) -> None:
        with pytest.raises(InvalidInput):
            await service.urls.generate_sas_url("c-name", "b.txt", **arguments)
        assert journal.records() == []

    with_service(azurite, run, body)


def test_sas_connection_cannot_make_a_sas(azurite: Any, run: Any, container: str) -> None:
    async def body() -> InvalidInput:
        session = ServiceSession()
        try:
            service = open_storage(session, Connection(
                "blob", azurite.blob_endpoint, AuthMethod.SAS,
                secret=SecretValue(container_sas(container))))
            with pytest.raises(InvalidInput) as refused:
                await service.urls.generate_sas_url(
                    container, "x.txt", permissions="r",
                    expires_on=datetime.now(UTC) + timedelta(hours=1))
            return refused.value
        finally:
            await session.aclose()

    error = run(body())
    assert "cannot sign" in error.message


# --- user delegation SAS: Azurite over HTTPS with OAuth ("basic": tokens are checked for
# issuer, audience and lifetime, not signature) ---------------------------------------------

TENANT = "ab1f708d-50f6-404c-a006-d71b2ac7a606"
OBJECT_ID = "11059fcc-5514-4800-b5f8-49808b9cfab6"


class OAuthAzurite(Azurite):
    """Azurite with ``--cert/--key --oauth basic``: bearer tokens and user delegation keys."""

    tls: Any = None

    def _command(self, executable: Path, port: int, workdir: Path) -> list[str]:
        return [*super()._command(executable, port, workdir),
                "--cert", str(self.tls.cert_path), "--key", str(self.tls.key_path),
                "--oauth", "basic"]

    def _answers(self, port: int) -> bool:  # type: ignore[override]
        context = ssl.create_default_context(cafile=str(self.tls.ca_path))
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=1.0,
                                                 context=context)
        try:
            connection.request("GET", f"/{AZURITE_ACCOUNT_NAME}?comp=list")
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()


def fake_entra_token() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"aud": "https://storage.azure.com", "iss": f"https://sts.windows.net/{TENANT}/",
              "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "oid": OBJECT_ID,
              "tid": TENANT}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def oauth_azurite(azurite: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault.tls import ensure_tls

    instance = OAuthAzurite(workdir=tmp_path_factory.mktemp("azurite-oauth"))
    instance.tls = ensure_tls(tmp_path_factory.mktemp("azurite-tls"))
    try:
        instance.start()
    except AzuriteUnavailable as exc:
        pytest.skip(f"Azurite with HTTPS/OAuth did not start: {exc}")
    try:
        yield instance
    finally:
        instance.stop()


def test_user_delegation_sas_with_a_token_credential(oauth_azurite: Any, run: Any) -> None:
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.core.services.http.transport import RecordingTransport, private_ca_transport
    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    ca = str(oauth_azurite.tls.ca_path)
    url = f"https://127.0.0.1:{oauth_azurite.port}/{AZURITE_ACCOUNT_NAME}"
    expires = datetime.now(UTC) + timedelta(hours=1)

    async def body() -> Any:
        transport = RecordingTransport(private_ca_transport(ca), journal=HttpJournal())
        client = BlobServiceClient(url, credential=StaticTokenCredential(fake_entra_token()),
                                   transport=transport)
        service = BlobService(client)
        try:
            await service.containers.create_container("delegated")
            source_name = "by entra/ünï.txt"
            await client.get_blob_client("delegated", source_name).upload_blob(b"entra")
            sas = await service.urls.generate_sas_url("delegated", source_name, permissions="r",
                                                 expires_on=expires)
            with pytest.raises(InvalidInput):  # a user delegation SAS lives 7 days at most
                await service.urls.generate_sas_url(
                    "delegated", source_name, permissions="r",
                    expires_on=datetime.now(UTC) + timedelta(days=8))
            context = ssl.create_default_context(cafile=ca)
            async with aiohttp.ClientSession() as session:
                async with session.get(sas.value.reveal(), ssl=context) as response:
                    got = (response.status, await response.read())
                async with session.put(sas.value.reveal(), ssl=context, data=b"no",
                                       headers={"x-ms-blob-type": "BlockBlob"}) as response:
                    put_status = response.status
                forged = sas.value.reveal().replace("sig=", "sig=AAAA")
                async with session.get(forged, ssl=context) as response:
                    forged_status = response.status
            return sas, got, put_status, forged_status
        finally:
            await service.close()
            await transport.aclose()

    sas, got, put_status, forged_status = run(body())
    url_text = sas.value.reveal()
    assert f"skoid={OBJECT_ID}" in url_text and f"sktid={TENANT}" in url_text
    assert sas.response is not None and sas.response.method == "POST"
    assert sas.response.status == 200
    assert got == (200, b"entra")
    assert put_status == 403 and forged_status == 403


def test_blob_url_has_no_credentials(azurite: Any, run: Any) -> None:
    async def body(service: BlobService, journal: Any) -> str:
        return service.urls.blob_url("c-name", "a b/c#d?e")

    url = with_service(azurite, run, body)
    assert url == f"{azurite.blob_endpoint}/c-name/a%20b/c%23d%3Fe"
    assert "sig=" not in url and "?" not in url

