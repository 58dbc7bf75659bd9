"""BlobService against real Azurite, through the real async SDK client and our transport."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient
from azure.storage.blob import ContentSettings

from bench.loop_monitor import LoopStallMonitor
from tests.blob.services.blob_seed import (
    BIG_BLOB_CONTAINER,
    BIG_BLOB_COUNT,
    open_blob_service,
    put_blobs,
)
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.services.errors import Conflict, InvalidInput, NotFound
from vaultbrowser.core.services.records import Page, ResponseInfo

BIG_CONTAINER = BIG_BLOB_CONTAINER
BIG_COUNT = BIG_BLOB_COUNT

TREE = sorted(
    ["root.txt", "a/1.txt", "a/2.txt", "a/b/3.txt", "a/b/c/4.txt", "z/5.txt"]
    + [f"wide/f{i:03d}.bin" for i in range(25)]
    + [f"wide/sub{i:02d}/x.txt" for i in range(6)]
)

# Names that must survive listing, properties and download unchanged.
HOSTILE = [
    "ünïcödé/日本語 ファイル.txt",
    "emoji 🚀/rocket.txt",
    "with space/and  double  space .txt",
    "percent%20encoded%2Fnot-a-slash",
    "hash#fragment",
    "question?mark=1&x=2",
    "plus+sign",
    "semi;colon,comma'quote\"dq",
    "trailing-slash/",
    "dots.../name..",
    "tilde~and(paren)[bracket]{brace}",
    "deep/" + "/".join(f"level{i}" for i in range(30)) + "/leaf",
    "long/" + "x" * 1000,
]
# The SDK's aiohttp transport cannot address these ("." / ".." path segments are normalized
# away), so the service lists them but refuses to address them, truthfully.
DOT_SEGMENTS = ["a/../b.txt", "./leading-dot", "mid/./dot"]

PAYLOAD = os.urandom(3 * 1024 * 1024 + 12345)
CHUNK = 1024 * 1024


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


@pytest.fixture(scope="module")
def seeded(azurite: Any, sync_client: SyncBlobServiceClient) -> dict[str, Any]:
    """Containers and blobs shared by this module's tests (created once)."""
    for i in range(12):
        sync_client.create_container(f"page-{i:02d}", metadata={"index": str(i)})
    sync_client.create_container(
        "pub-container", public_access="container", metadata={"owner": "team-a", "env": "dev"}
    )
    sync_client.create_container("pub-blob", public_access="blob")
    sync_client.create_container("pub-private")

    sync_client.create_container("tree")
    asyncio.run(put_blobs(azurite, "tree", [(name, name.encode()) for name in TREE]))

    props = sync_client.create_container("props")
    props.upload_blob(
        "docs/report.json",
        b'{"hello": "world"}',
        metadata={"author": "ana", "purpose": "test"},
        tags={"project": "vault", "stage": "qa"},
        content_settings=ContentSettings(
            content_type="application/json", cache_control="no-cache", content_language="en"
        ),
    )
    props.upload_blob("big.bin", PAYLOAD)
    props.upload_blob("empty.bin", b"")
    props.upload_blob("untagged.txt", b"plain")

    sync_client.create_container("hostile")
    asyncio.run(
        put_blobs(azurite, "hostile", [(name, name.encode()) for name in HOSTILE + DOT_SEGMENTS])
    )
    return {"props_md5": base64.b64encode(hashlib.md5(b'{"hello": "world"}').digest()).decode()}


def with_service(azurite: Any, run: Callable[..., Any], body: Callable[[BlobService, Any], Any],
                 **options: Any) -> Any:
    async def main() -> Any:
        async with open_blob_service(azurite, **options) as (service, journal):
            return await body(service, journal)

    return run(main())


def assert_response(info: ResponseInfo | None, method: str = "GET", status: int = 200) -> None:
    assert info is not None
    assert info.status == status
    assert info.method == method
    assert info.request_id
    assert "sig=" not in info.url or "sig=REDACTED" in info.url
    assert info.started_at.tzinfo is not None


async def collect(fetch: Callable[[str | None], Any]) -> list[Page[Any]]:
    pages: list[Page[Any]] = []
    token: str | None = None
    while True:
        page = await fetch(token)
        pages.append(page)
        token = page.next_token
        if token is None:
            return pages


# --- containers -------------------------------------------------------------------------------


def test_list_containers_pages_with_continuation(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> list[Page[ContainerRecord]]:
        return await collect(
            lambda token: service.list_containers(page_size=5, continuation=token, prefix="page-")
        )

    pages = with_service(azurite, run, body)
    assert [len(page.items) for page in pages] == [5, 5, 2]
    names = [record.name for page in pages for record in page.items]
    assert names == [f"page-{i:02d}" for i in range(12)]
    assert all(page.next_token for page in pages[:-1])
    for page in pages:
        assert_response(page.response)
        assert "comp=list" in page.response.url
    assert len({page.response.request_id for page in pages}) == 3
    record = pages[0].items[3]
    assert record.metadata == {"index": "3"}
    assert record.account_url.endswith("/devstoreaccount1")
    assert record.last_modified is not None and record.last_modified.tzinfo == UTC
    assert record.etag


def test_container_public_access_lease_and_metadata(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        listed = await service.list_containers(page_size=100, prefix="pub-")
        got = await service.get_container_properties("pub-container")
        return listed, got

    listed, got = with_service(azurite, run, body)
    by_name = {record.name: record for record in listed.items}
    assert set(by_name) == {"pub-container", "pub-blob", "pub-private"}
    assert by_name["pub-container"].public_access == "container"
    assert by_name["pub-blob"].public_access == "blob"
    assert by_name["pub-private"].public_access is None
    assert by_name["pub-container"].metadata == {"owner": "team-a", "env": "dev"}
    assert by_name["pub-private"].lease_state == "available"
    assert by_name["pub-private"].lease_status == "unlocked"
    assert by_name["pub-private"].has_immutability_policy is False
    assert by_name["pub-private"].has_legal_hold is False

    record = got.value
    assert record.name == "pub-container"
    assert record.public_access == "container"
    assert record.metadata == {"owner": "team-a", "env": "dev"}
    assert record.last_modified is not None and record.last_modified.tzinfo == UTC
    assert_response(got.response)
    assert "restype=container" in got.response.url


# --- folder and flat listings ----------------------------------------------------------------


def test_list_folder_one_level(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        before = len(journal)
        root = await service.list_folder("tree", page_size=100)
        requests_for_root = len(journal) - before
        a = await service.list_folder("tree", "a/", page_size=100)
        ab = await service.list_folder("tree", "a/b/", page_size=100)
        abc = await service.list_folder("tree", "a/b/c/", page_size=100)
        return root, requests_for_root, a, ab, abc

    root, requests_for_root, a, ab, abc = with_service(azurite, run, body)
    # Prefixes are not expanded: one request for the whole level.
    assert requests_for_root == 1
    assert_response(root.response)
    assert "delimiter=%2F" in root.response.url or "delimiter=/" in root.response.url

    def split(page: Page[Any]) -> tuple[list[str], list[str]]:
        prefixes = [i.prefix for i in page.items if isinstance(i, BlobPrefixRecord)]
        blobs = [i.name for i in page.items if isinstance(i, BlobRecord)]
        assert len(prefixes) + len(blobs) == len(page.items)
        return prefixes, blobs

    assert split(root) == (["a/", "wide/", "z/"], ["root.txt"])
    assert split(a) == (["a/b/"], ["a/1.txt", "a/2.txt"])
    assert split(ab) == (["a/b/c/"], ["a/b/3.txt"])
    assert split(abc) == ([], ["a/b/c/4.txt"])
    assert root.next_token is None
    prefix = next(i for i in a.items if isinstance(i, BlobPrefixRecord))
    assert prefix.container == "tree" and prefix.display_name == "b/"
    blob = next(i for i in a.items if isinstance(i, BlobRecord))
    assert blob.container == "tree" and blob.display_name == "1.txt"
    assert blob.size == len(b"a/1.txt") and blob.blob_type == "BlockBlob"
    assert blob.last_modified is not None and blob.last_modified.tzinfo == UTC
    assert blob.created_on is not None and blob.created_on.tzinfo == UTC


def test_list_folder_continuation(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> list[Page[Any]]:
        # Small first page, larger later pages: the caller decides per call.
        sizes = iter([3, 7, 7, 7, 7, 7])
        return await collect(
            lambda token: service.list_folder(
                "tree", "wide/", page_size=next(sizes), continuation=token
            )
        )

    pages = with_service(azurite, run, body)
    assert [len(page.items) for page in pages][:2] == [3, 7]
    assert all(len(page.items) <= 7 for page in pages)
    items = [item for page in pages for item in page.items]
    prefixes = sorted(i.prefix for i in items if isinstance(i, BlobPrefixRecord))
    blobs = sorted(i.name for i in items if isinstance(i, BlobRecord))
    assert prefixes == [f"wide/sub{i:02d}/" for i in range(6)]
    assert blobs == [f"wide/f{i:03d}.bin" for i in range(25)]
    assert len(items) == 31  # no duplicates across pages
    for page in pages:
        assert_response(page.response)
    assert len({page.response.request_id for page in pages}) == len(pages)


def test_list_blobs_flat(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        everything = await collect(
            lambda token: service.list_blobs_flat("tree", page_size=10, continuation=token)
        )
        under_a = await service.list_blobs_flat("tree", "a/", page_size=100)
        props = await service.list_blobs_flat("props", "docs/", page_size=100)
        return everything, under_a, props

    everything, under_a, props = with_service(azurite, run, body)
    names = [b.name for page in everything for b in page.items]
    assert names == TREE
    assert [len(p.items) for p in everything] == [10, 10, 10, 7]
    assert [b.name for b in under_a.items] == ["a/1.txt", "a/2.txt", "a/b/3.txt", "a/b/c/4.txt"]
    assert under_a.next_token is None
    report = props.items[0]
    assert report.metadata == {"author": "ana", "purpose": "test"}
    # Azurite 3.37 lists tags with include=tags.
    assert report.tags == {"project": "vault", "stage": "qa"}
    assert report.tag_count == 2
    assert report.content_type == "application/json"


# --- properties, metadata, tags -----------------------------------------------------------------


def test_blob_properties_metadata_and_tags(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        before = len(journal)
        got = await service.get_blob_properties("props", "docs/report.json")
        calls = [r.response.method for r in journal.records()[before:]]
        untagged = await service.get_blob_properties("props", "untagged.txt")
        tags = await service.get_blob_tags("props", "docs/report.json")
        no_tags = await service.get_blob_tags("props", "untagged.txt")
        return got, calls, untagged, tags, no_tags

    got, calls, untagged, tags, no_tags = with_service(azurite, run, body)
    record = got.value
    assert record.name == "docs/report.json" and record.container == "props"
    assert record.size == len(b'{"hello": "world"}')
    assert record.content_type == "application/json"
    assert record.cache_control == "no-cache"
    assert record.content_language == "en"
    assert record.content_md5 == seeded["props_md5"]
    assert record.metadata == {"author": "ana", "purpose": "test"}
    assert record.tags == {"project": "vault", "stage": "qa"}
    assert record.tag_count == 2
    assert record.blob_type == "BlockBlob"
    assert record.lease_state == "available"
    assert record.etag
    for stamp in (record.last_modified, record.created_on):
        assert stamp is not None and stamp.tzinfo == UTC
    # The properties request (HEAD), then the tags request (GET ?comp=tags).
    assert calls == ["HEAD", "GET"]
    assert_response(got.response, method="HEAD")
    assert "comp=tags" not in got.response.url

    # A blob without tags costs one request only, and has none.
    assert untagged.value.tags == {} and not untagged.value.tag_count

    assert tags.value == {"project": "vault", "stage": "qa"}
    assert isinstance(tags.value, dict)
    assert_response(tags.response)
    assert "comp=tags" in tags.response.url
    assert no_tags.value == {}


# --- download -------------------------------------------------------------------------------------


def test_download_streams_in_bounded_chunks(azurite: Any, run: Any, seeded: Any) -> None:
    received: list[bytes] = []
    progress: list[tuple[int, int | None]] = []

    async def body(service: BlobService, journal: Any) -> Any:
        before = len(journal)
        result = await service.download_blob("props", "big.bin", received.append,
                                             progress=lambda done, total: progress.append(
                                                 (done, total)))
        return result, [r.response for r in journal.records()[before:]]

    result, responses = with_service(azurite, run, body, download_chunk_size=CHUNK)
    assert result.value == len(PAYLOAD)
    assert b"".join(received) == PAYLOAD
    assert max(len(chunk) for chunk in received) <= CHUNK
    assert progress[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert all(total == len(PAYLOAD) for _, total in progress)
    # One ranged GET per chunk, the Result carrying the first.
    assert len(responses) == -(-len(PAYLOAD) // CHUNK)
    assert all(r.status == 206 for r in responses)
    assert result.response == responses[0]
    assert_response(result.response, status=206)


def test_download_to_async_writer_and_empty_blob(azurite: Any, run: Any, seeded: Any) -> None:
    chunks: list[bytes] = []

    async def write(data: bytes) -> None:
        await asyncio.sleep(0)
        chunks.append(data)

    async def body(service: BlobService, journal: Any) -> Any:
        full = await service.download_blob("props", "docs/report.json", write)
        empty_chunks: list[bytes] = []
        empty = await service.download_blob("props", "empty.bin", empty_chunks.append,
                                            progress=lambda d, t: None)
        return full, empty, empty_chunks

    full, empty, empty_chunks = with_service(azurite, run, body)
    assert b"".join(chunks) == b'{"hello": "world"}'
    assert full.value == len(b'{"hello": "world"}')
    assert empty.value == 0
    assert b"".join(empty_chunks) == b""
    assert empty.response is not None and empty.response.status == 200


def test_download_fails_with_conflict_when_blob_changes(
    azurite: Any, run: Any, seeded: Any, sync_client: SyncBlobServiceClient
) -> None:
    blob = sync_client.get_blob_client("props", "changing.bin")
    blob.upload_blob(b"1" * (3 * CHUNK), overwrite=True)

    def write(data: bytes) -> None:
        blob.upload_blob(b"2" * (3 * CHUNK), overwrite=True)  # a new ETag after chunk one

    with pytest.raises(Conflict) as caught:
        with_service(azurite, run,
                     lambda service, _: service.download_blob("props", "changing.bin", write),
                     download_chunk_size=CHUNK)
    assert caught.value.status == 412
    assert caught.value.request_id


def test_writer_exceptions_propagate_unchanged(azurite: Any, run: Any, seeded: Any) -> None:
    def write(data: bytes) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        with_service(azurite, run,
                     lambda service, _: service.download_blob("props", "big.bin", write))


# --- typed errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda s: s.list_folder("no-such-container", page_size=10), "ContainerNotFound"),
        (lambda s: s.list_blobs_flat("no-such-container", page_size=10), "ContainerNotFound"),
        (lambda s: s.get_container_properties("no-such-container"), "ContainerNotFound"),
        (lambda s: s.get_blob_properties("props", "missing.txt"), "BlobNotFound"),
        (lambda s: s.get_blob_tags("props", "missing.txt"), "BlobNotFound"),
        (lambda s: s.download_blob("props", "missing.txt", lambda d: None), "BlobNotFound"),
        (lambda s: s.get_blob_properties("no-such-container", "x"), "ContainerNotFound"),
    ],
    ids=["folder", "flat", "container", "blob", "tags", "download", "blob-in-missing-container"],
)
def test_not_found_is_typed(azurite: Any, run: Any, seeded: Any, call: Any, code: str) -> None:
    with pytest.raises(NotFound) as caught:
        with_service(azurite, run, lambda service, _: call(service))
    error = caught.value
    assert error.status == 404
    assert error.error_code == code
    assert error.request_id
    assert error.url is not None and "sig=" not in error.url
    assert error.__cause__ is not None  # the SDK exception is kept as the cause, for logs


@pytest.mark.parametrize("page_size", [0, -1, 5001])
def test_page_size_is_validated(azurite: Any, run: Any, page_size: int) -> None:
    with pytest.raises(InvalidInput):
        with_service(azurite, run,
                     lambda service, _: service.list_blobs_flat("tree", page_size=page_size))


# --- hostile names ---------------------------------------------------------------------------


def test_hostile_names_are_listed_and_walked(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        flat = await collect(
            lambda token: service.list_blobs_flat("hostile", page_size=5, continuation=token)
        )
        # Walk the tree one level at a time down to each hostile name.
        walked: set[str] = set()

        async def walk(prefix: str) -> None:
            for page in await collect(lambda token: service.list_folder(
                    "hostile", prefix, page_size=4, continuation=token)):
                for item in page.items:
                    if isinstance(item, BlobPrefixRecord):
                        assert item.prefix.startswith(prefix) and item.prefix != prefix
                        await walk(item.prefix)
                    else:
                        walked.add(item.name)

        await walk("")
        return flat, walked

    flat, walked = with_service(azurite, run, body)
    listed = [b.name for page in flat for b in page.items]
    assert sorted(listed) == sorted(HOSTILE + DOT_SEGMENTS)
    assert walked == set(HOSTILE + DOT_SEGMENTS)


@pytest.mark.parametrize(
    "name",
    HOSTILE,
    ids=lambda n: n[:24].encode("unicode_escape").decode(),
)
def test_hostile_name_round_trips(azurite: Any, run: Any, seeded: Any, name: str) -> None:
    async def body(service: BlobService, journal: Any) -> Any:
        props = (await service.get_blob_properties("hostile", name)).value
        chunks: list[bytes] = []
        written = await service.download_blob("hostile", name, chunks.append)
        return props, b"".join(chunks), written

    props, content, written = with_service(azurite, run, body)
    assert props.name == name
    assert props.size == len(name.encode())
    assert content == name.encode() and written.value == len(content)


def test_dot_segment_names_are_listed_but_refused_honestly(
    azurite: Any, run: Any, seeded: Any
) -> None:
    for name in DOT_SEGMENTS:
        with pytest.raises(InvalidInput, match="path segment"):
            with_service(azurite, run,
                         lambda service, _, n=name: service.get_blob_properties("hostile", n))


# --- 20,000 blobs ----------------------------------------------------------------------------


def test_lists_20000_blobs_page_by_page(azurite: Any, run: Any, big_container: int) -> None:
    assert big_container == BIG_COUNT

    async def body(service: BlobService, journal: Any) -> Any:
        # Warm up the connection and the SDK's code paths outside the measurement.
        await service.list_blobs_flat(BIG_CONTAINER, page_size=10)
        page_times: list[float] = []
        with LoopStallMonitor() as monitor:
            start = time.perf_counter()
            pages: list[Page[BlobRecord]] = []
            token: str | None = None
            while True:
                t0 = time.perf_counter()
                page = await service.list_blobs_flat(BIG_CONTAINER, page_size=5000,
                                                     continuation=token)
                page_times.append(time.perf_counter() - t0)
                pages.append(page)
                token = page.next_token
                if token is None:
                    break
            total = time.perf_counter() - start
            await asyncio.sleep(0.01)  # let the monitor observe the last stretch
        # The folder path over the same data: small first page, then 5,000 per page.
        folder_pages = await collect(
            lambda t: service.list_folder(BIG_CONTAINER, "item/07/",
                                          page_size=100 if t is None else 5000, continuation=t))
        return pages, total, page_times, monitor.max_stall, folder_pages

    pages, total, page_times, max_lag, folder_pages = with_service(azurite, run, body)
    assert [len(page.items) for page in pages] == [5000, 5000, 5000, 5000]
    names = [b.name for page in pages for b in page.items]
    assert len(set(names)) == BIG_COUNT
    assert names == sorted(names)
    for page in pages:
        assert_response(page.response)
        assert "maxresults=5000" in page.response.url
    assert len({page.response.request_id for page in pages}) == len(pages)
    assert [len(p.items) for p in folder_pages] == [100, 900]
    print(
        f"\n[blob-list] {BIG_COUNT} blobs in {len(pages)} pages of 5000 via BlobService: "
        f"{total:.2f} s total; per page {', '.join(f'{t:.2f}' for t in page_times)} s; "
        f"longest loop block {max_lag * 1000:.0f} ms; "
        f"server time (response headers) per page "
        f"{', '.join(f'{p.response.elapsed:.2f}' for p in pages)} s"
    )
