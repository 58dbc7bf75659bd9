"""The fast listing path (``FastBlobLister``: the SDK's pipeline, our own XML parsing) against the
SDK path (``SdkBlobLister``) on the same Azurite data: same records, same pages, same tokens,
same typed errors, same response metadata. No mocks: real clients, real Azurite."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from azure.core.credentials import AzureSasCredential
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient
from azure.storage.blob import ContentSettings, StandardBlobTier
from azure.storage.blob.aio import BlobServiceClient

from bench.loop_monitor import LoopStallMonitor
from tests.blob.services.blob_seed import (
    BIG_BLOB_CONTAINER,
    BIG_BLOB_COUNT,
    container_sas,
    open_blob_service,
    put_blobs,
)
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.listing import FastBlobLister, SdkBlobLister
from vaultbrowser.blob.services.listing_xml import Slicer, read_blob_listing
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import NotFound, ReadOnlyRefused
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.session import ServiceSession

PROPS = "fast-props"
HOSTILE = "fast-hostile"
TREE = "fast-tree"
EMPTY = "fast-empty"

TREE_NAMES = sorted(
    ["root.txt", "a/1.txt", "a/2.txt", "a/b/3.txt", "a/b/c/4.txt", "z/5.txt"]
    + [f"wide/f{i:03d}.bin" for i in range(23)]
    + [f"wide/sub{i:02d}/x.txt" for i in range(6)]
)
HOSTILE_NAMES = [
    "ünïcödé/日本語 ファイル.txt",
    "emoji 🚀/rocket.txt",
    "with space/and  double  space .txt",
    "percent%20encoded%2Fnot-a-slash",
    "100% sure",
    "hash#fragment",
    "question?mark=1&x=2",
    "plus+sign a+b",
    "semi;colon,comma'quote\"dq<lt>&amp;",
    "trailing-slash/",
    "tilde~and(paren)[bracket]{brace}",
    "deep/" + "/".join(f"level{i}" for i in range(30)) + "/leaf",
    "long/" + "x" * 1000,
    "a/../b.txt",
    "mid/./dot",
]
PAGE_SIZES = [1, 7, 5000]


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


@pytest.fixture(scope="module")
def seeded(azurite: Any, sync_client: SyncBlobServiceClient) -> dict[str, Any]:
    props = sync_client.create_container(PROPS, metadata={"owner": "fast", "env": "test"})
    props.upload_blob(
        "docs/report.json", b'{"hello": "world"}',
        metadata={"author": "ana", "purpose": "test"},
        tags={"project": "vault", "stage": "qa"},
        content_settings=ContentSettings(
            content_type="application/json", cache_control="no-cache", content_language="en",
            content_disposition="attachment; filename=r.json", content_encoding="identity",
        ),
    )
    # Metadata keys that are also element names of the listing itself.
    props.upload_blob("tricky-metadata.txt", b"m",
                      metadata={"Blob": "not-an-item", "NextMarker": "not-a-marker",
                                "Name": "x", "Properties": "y", "BlobPrefix": "z"})
    props.upload_blob("empty.bin", b"")
    props.upload_blob("cool.bin", b"c" * 10).set_standard_blob_tier(StandardBlobTier.COOL)
    props.upload_blob("archive.bin", b"a" * 10).set_standard_blob_tier(StandardBlobTier.ARCHIVE)
    leased = props.upload_blob("leased.txt", b"lease")
    leased.acquire_lease()
    props.upload_blob("page.bin", b"", blob_type="PageBlob", length=512)
    props.get_blob_client("append.log").create_append_blob()
    source = props.get_blob_client("docs/report.json").url + "?" + container_sas(PROPS)
    props.get_blob_client("copied.json").start_copy_from_url(source)

    sync_client.create_container(HOSTILE)
    asyncio.run(put_blobs(azurite, HOSTILE, [(n, n.encode()) for n in HOSTILE_NAMES]))
    sync_client.create_container(TREE)
    asyncio.run(put_blobs(azurite, TREE, [(n, n.encode()) for n in TREE_NAMES],
                          metadata={"seeded": "yes"}, tags={"tree": "1"}))
    sync_client.create_container(EMPTY)
    for i in range(7):
        sync_client.create_container(f"fast-c{i}", metadata={"index": str(i)})
    return {"md5": base64.b64encode(hashlib.md5(b'{"hello": "world"}').digest()).decode()}


def both(azurite: Any, run: Callable[..., Any],
         body: Callable[[BlobService, BlobService], Any]) -> Any:
    """Run ``body(fast, sdk)`` with one service of each kind over the same Azurite."""
    async def main() -> Any:
        async with open_blob_service(azurite) as (fast, _), \
                open_blob_service(azurite, lister="sdk") as (sdk, _):
            assert isinstance(fast._lister, FastBlobLister)
            assert isinstance(sdk._lister, SdkBlobLister)
            return await body(fast, sdk)

    return run(main())


async def collect(fetch: Callable[[str | None], Any]) -> list[Page[Any]]:
    pages: list[Page[Any]] = []
    token: str | None = None
    while True:
        page = await fetch(token)
        pages.append(page)
        token = page.next_token
        if token is None:
            return pages


def query_of(url: str) -> set[tuple[str, str]]:
    return set(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def assert_same_pages(fast: list[Page[Any]], sdk: list[Page[Any]]) -> None:
    assert [p.next_token for p in fast] == [p.next_token for p in sdk]
    assert len(fast) == len(sdk)
    for fast_page, sdk_page in zip(fast, sdk, strict=True):
        assert fast_page.items == sdk_page.items
        assert fast_page.response is not None and sdk_page.response is not None
        assert fast_page.response.status == sdk_page.response.status == 200
        # The same request: same query parameters (hence the same tokens and page sizes).
        assert query_of(fast_page.response.url) == query_of(sdk_page.response.url)


# --- records: the fast path makes exactly the SDK path's records -----------------------------


@pytest.mark.parametrize("container", [PROPS, HOSTILE, TREE, EMPTY])
@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_flat_listing_matches_sdk(azurite: Any, run: Any, seeded: Any, container: str,
                                  page_size: int) -> None:
    async def body(fast: BlobService, sdk: BlobService) -> Any:
        def lister(service: BlobService) -> Any:
            return collect(lambda t: service.list_blobs_flat(
                container, page_size=page_size, continuation=t))
        return await lister(fast), await lister(sdk)

    fast_pages, sdk_pages = both(azurite, run, body)
    assert_same_pages(fast_pages, sdk_pages)
    names = [b.name for p in fast_pages for b in p.items]
    assert names == sorted(names) and len(set(names)) == len(names)
    if page_size < 5000:
        assert all(len(p.items) <= page_size for p in fast_pages)


@pytest.mark.parametrize("container", [TREE, HOSTILE, PROPS])
@pytest.mark.parametrize("page_size", PAGE_SIZES)
def test_folder_walk_matches_sdk(azurite: Any, run: Any, seeded: Any, container: str,
                                 page_size: int) -> None:
    async def walk(service: BlobService) -> dict[str, list[Page[Any]]]:
        levels: dict[str, list[Page[Any]]] = {}

        async def level(prefix: str) -> None:
            pages = await collect(lambda t: service.list_folder(
                container, prefix, page_size=page_size, continuation=t))
            levels[prefix] = pages
            for page in pages:
                for item in page.items:
                    if isinstance(item, BlobPrefixRecord):
                        await level(item.prefix)

        await level("")
        return levels

    async def body(fast: BlobService, sdk: BlobService) -> Any:
        return await walk(fast), await walk(sdk)

    fast_levels, sdk_levels = both(azurite, run, body)
    assert fast_levels.keys() == sdk_levels.keys()
    for prefix in fast_levels:
        assert_same_pages(fast_levels[prefix], sdk_levels[prefix])
    if container == TREE:
        root = [i for p in fast_levels[""] for i in p.items]
        assert sorted(i.prefix for i in root if isinstance(i, BlobPrefixRecord)) == [
            "a/", "wide/", "z/"]
        assert [i.name for i in root if isinstance(i, BlobRecord)] == ["root.txt"]
    walked = {i.name for pages in fast_levels.values() for p in pages for i in p.items
              if isinstance(i, BlobRecord)}
    if container == HOSTILE:
        assert walked == set(HOSTILE_NAMES)


def test_properties_metadata_tags_tiers(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(fast: BlobService, sdk: BlobService) -> Any:
        return (await fast.list_blobs_flat(PROPS, page_size=100),
                await sdk.list_blobs_flat(PROPS, page_size=100))

    fast, sdk = both(azurite, run, body)
    assert fast.items == sdk.items
    by_name = {b.name: b for b in fast.items}
    report = by_name["docs/report.json"]
    assert report.size == len(b'{"hello": "world"}')
    assert report.content_type == "application/json"
    assert report.content_md5 == seeded["md5"]
    assert report.cache_control == "no-cache"
    assert report.content_language == "en"
    assert report.content_disposition == "attachment; filename=r.json"
    assert report.content_encoding == "identity"
    assert report.metadata == {"author": "ana", "purpose": "test"}
    assert report.tags == {"project": "vault", "stage": "qa"} and report.tag_count == 2
    assert report.blob_type == "BlockBlob" and report.access_tier == "Hot"
    assert report.server_encrypted is True and report.etag
    for stamp in (report.last_modified, report.created_on):
        assert stamp is not None and stamp.tzinfo == UTC
    assert by_name["tricky-metadata.txt"].metadata == {
        "Blob": "not-an-item", "NextMarker": "not-a-marker", "Name": "x", "Properties": "y",
        "BlobPrefix": "z"}
    assert by_name["empty.bin"].size == 0
    assert by_name["cool.bin"].access_tier == "Cool"
    assert by_name["cool.bin"].access_tier_inferred in (False, None)
    assert by_name["archive.bin"].access_tier == "Archive"
    assert by_name["leased.txt"].lease_state == "leased"
    assert by_name["leased.txt"].lease_duration == "infinite"
    assert by_name["page.bin"].blob_type == "PageBlob"
    assert by_name["append.log"].blob_type == "AppendBlob"
    copied = by_name["copied.json"]
    assert copied.copy_status == "success"
    assert copied.copy_source is not None and "sig=REDACTED" in copied.copy_source


def test_container_listing_matches_sdk(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(fast: BlobService, sdk: BlobService) -> Any:
        pages = []
        for service in (fast, sdk):
            pages.append(await collect(lambda t, s=service: s.list_containers(
                page_size=3, continuation=t, prefix="fast-")))
        return pages

    fast, sdk = both(azurite, run, body)
    assert_same_pages(fast, sdk)
    records = {c.name: c for p in fast for c in p.items}
    assert {f"fast-c{i}" for i in range(7)} | {PROPS, HOSTILE, TREE, EMPTY} <= set(records)
    assert records["fast-c3"].metadata == {"index": "3"}
    assert records[PROPS].metadata == {"owner": "fast", "env": "test"}
    assert records[PROPS].last_modified is not None
    assert records[PROPS].last_modified.tzinfo == UTC


# --- continuation ------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["fast", "sdk"])
def test_tokens_continue_across_paths(azurite: Any, run: Any, seeded: Any, first: str) -> None:
    """A token from either path continues in the other (both are the service's marker)."""

    async def body(fast: BlobService, sdk: BlobService) -> Any:
        start, then = (fast, sdk) if first == "fast" else (sdk, fast)
        mixed: list[Any] = []
        page = await start.list_blobs_flat(TREE, page_size=7)
        mixed += page.items
        services = [then, start]
        while page.next_token:
            page = await services[0].list_blobs_flat(TREE, page_size=7,
                                                     continuation=page.next_token)
            mixed += page.items
            services.reverse()
        folder = await start.list_folder(TREE, "wide/", page_size=5)
        rest = await then.list_folder(TREE, "wide/", page_size=500,
                                      continuation=folder.next_token)
        whole = await start.list_folder(TREE, "wide/", page_size=500)
        return mixed, folder, rest, whole

    mixed, folder, rest, whole = both(azurite, run, body)
    assert [b.name for b in mixed] == TREE_NAMES
    assert folder.next_token and rest.next_token is None
    assert sorted(map(repr, folder.items + rest.items)) == sorted(map(repr, whole.items))


# --- responses, errors, credentials, read-only -----------------------------------------------


def test_page_carries_its_response(azurite: Any, run: Any, seeded: Any) -> None:
    async def body(fast: BlobService, sdk: BlobService) -> Any:
        return await collect(lambda t: fast.list_folder(TREE, "wide/", page_size=10,
                                                        continuation=t))

    pages = both(azurite, run, body)
    assert len(pages) == 3
    for page in pages:
        info = page.response
        assert info is not None and info.status == 200 and info.method == "GET"
        assert info.request_id
        query = dict(query_of(info.url))
        assert query["restype"] == "container" and query["comp"] == "list"
        assert query["delimiter"] == "/" and query["maxresults"] == "10"
        assert query["include"] == "metadata,tags" and query["prefix"] == "wide/"
        assert info.header("Content-Type") == "application/xml"
    assert len({p.response.request_id for p in pages}) == 3


def test_sas_signature_is_redacted(azurite: Any, run: Any, seeded: Any) -> None:
    """Through a SAS credential (a pipeline policy adds ``sig=``): the page's URL, the journal
    and the error's URL never show the signature."""
    sas = container_sas(TREE)
    signature = dict(parse_qsl(sas))["sig"]

    async def main() -> Any:
        journal = HttpJournal()
        transport = RecordingTransport(AioHttpTransport(), journal=journal)
        client = BlobServiceClient(azurite.blob_endpoint, credential=AzureSasCredential(sas),
                                   transport=transport)
        service = BlobService(client)
        try:
            page = await service.list_blobs_flat(TREE, page_size=5)
            return page, journal.records()
        finally:
            await service.close()
            await transport.aclose()

    page, records = run(main())
    assert [b.name for b in page.items] == TREE_NAMES[:5]
    assert "sig=REDACTED" in page.response.url
    assert signature not in page.response.url
    assert records and all(signature not in r.url for r in records)


@pytest.mark.parametrize("kind", ["flat", "folder"])
def test_missing_container_is_typed_like_the_sdk(azurite: Any, run: Any, kind: str) -> None:
    async def body(fast: BlobService, sdk: BlobService) -> Any:
        errors = []
        for service in (fast, sdk):
            call = service.list_blobs_flat if kind == "flat" else service.list_folder
            try:
                await call("fast-no-such-container", page_size=10)
            except NotFound as exc:
                errors.append(exc)
        return errors

    fast, sdk = both(azurite, run, body)
    assert fast.status == sdk.status == 404
    assert fast.error_code == sdk.error_code == "ContainerNotFound"
    assert fast.request_id and fast.request_id != sdk.request_id
    assert fast.method == "GET" and fast.url and "comp=list" in fast.url
    assert query_of(fast.url) == query_of(sdk.url)
    assert fast.__cause__ is not None and type(fast.__cause__) is type(sdk.__cause__)
    # The service's message (minus its per-request id and time) and the advice are the same.
    assert (fast.service_message or "").splitlines()[0] == (
        sdk.service_message or "").splitlines()[0]
    assert fast.advice == sdk.advice


def test_read_only_session_lists_with_the_fast_path(azurite: Any, run: Any,
                                                    seeded: Any) -> None:
    session = ServiceSession()
    connection = Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                            name="fast-ro", read_only=True)

    async def body() -> Any:
        try:
            service = open_storage(session, connection)
            assert isinstance(service._lister, FastBlobLister)
            pages = await collect(lambda t: service.list_blobs_flat(TREE, page_size=10,
                                                                   continuation=t))
            folder = await service.list_folder(TREE, page_size=100)
            containers = await service.list_containers(page_size=100, prefix="fast-")
            with pytest.raises(ReadOnlyRefused):
                await service._client.get_container_client(TREE).upload_blob("new.txt", b"x")
            return pages, folder, containers
        finally:
            await session.aclose()

    pages, folder, containers = run(body())
    assert [b.name for p in pages for b in p.items] == TREE_NAMES
    assert len(folder.items) == 4
    assert TREE in {c.name for c in containers.items}
    sent = [r for r in session.journal.records() if not r.refused]
    assert sent and {r.method for r in sent} == {"GET"}
    assert sum(r.refused for r in session.journal.records()) == 1


# --- the parser on its own: what Azurite never sends ------------------------------------------


def test_encoded_names_and_markers_are_decoded(run: Any) -> None:
    """Azure percent-encodes names XML cannot carry (``Encoded="true"``); Azurite never does."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c">'
        b'<Blobs><BlobPrefix><Name Encoded="true">bad%01dir/</Name></BlobPrefix>'
        b'<Blob><Name Encoded="true">a%00b%2Fc%20d</Name><Properties>'
        b'<Last-Modified>Tue, 05 Mar 2024 07:08:09 GMT</Last-Modified>'
        b'<Content-Length>3</Content-Length><TagCount>2</TagCount></Properties>'
        b'<Metadata Encrypted="false"><k>v</k></Metadata></Blob>'
        b'<Blob><Name>plain%20name</Name><Properties/></Blob>'
        b'</Blobs><NextMarker>2!token</NextMarker></EnumerationResults>'
    )

    async def chunks() -> Any:
        for i in range(0, len(body), 7):
            yield body[i:i + 7]

    prefixes, blobs, marker = run(read_blob_listing(chunks(), "c", Slicer()))
    assert [p.prefix for p in prefixes] == ["bad\x01dir/"]
    assert [b.name for b in blobs] == ["a\x00b/c d", "plain%20name"]
    assert blobs[0].size == 3 and blobs[0].tag_count == 2 and blobs[0].metadata == {"k": "v"}
    assert blobs[0].last_modified is not None
    assert blobs[0].last_modified.isoformat() == "2024-03-05T07:08:09+00:00"
    assert marker == "2!token"


# --- 20,000 blobs ------------------------------------------------------------------------------


def test_lists_20000_blobs_fast_and_sdk(azurite: Any, run: Any, big_container: int) -> None:
    assert big_container == BIG_BLOB_COUNT

    async def timed(service: BlobService) -> tuple[list[Page[Any]], float, float]:
        await service.list_blobs_flat(BIG_BLOB_CONTAINER, page_size=10)  # warm up
        with LoopStallMonitor() as monitor:
            start = time.perf_counter()
            pages = await collect(lambda t: service.list_blobs_flat(
                BIG_BLOB_CONTAINER, page_size=5000, continuation=t))
            total = time.perf_counter() - start
            await asyncio.sleep(0.01)
        return pages, total, monitor.max_stall

    async def body(fast: BlobService, sdk: BlobService) -> Any:
        return await timed(sdk), await timed(fast)

    (sdk_pages, sdk_time, sdk_stall), (fast_pages, fast_time, fast_stall) = both(
        azurite, run, body)
    names = [b.name for p in fast_pages for b in p.items]
    assert len(names) == BIG_BLOB_COUNT == len(set(names))
    assert names == sorted(names)
    assert [len(p.items) for p in fast_pages] == [5000] * 4
    assert names == [b.name for p in sdk_pages for b in p.items]
    assert [p.next_token for p in fast_pages] == [p.next_token for p in sdk_pages]
    print(
        f"\n[blob-fast] {BIG_BLOB_COUNT} blobs in pages of 5000: "
        f"SDK path {sdk_time:.2f} s, longest loop stall {sdk_stall * 1000:.0f} ms; "
        f"fast path {fast_time:.2f} s, longest loop stall {fast_stall * 1000:.0f} ms; "
        f"server time per page (fast) "
        f"{', '.join(f'{p.response.elapsed:.2f}' for p in fast_pages)} s"
    )
