"""Column-backed listing pages (``listing_expat.read_blob_columns`` → ``BlobColumns``): every row
rebuilds exactly the ``BlobRecord`` the element parser (``listing_xml``) and the SDK path give,
on hand-written listings with every rare field and on Azurite's own listings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient
from azure.storage.blob import ContentSettings, StandardBlobTier

from tests.blob.services.blob_seed import open_blob_service, put_blobs
from vaultbrowser.blob.services.listing_columns import BlobColumns
from vaultbrowser.blob.services.listing_expat import read_blob_columns
from vaultbrowser.blob.services.listing_xml import Slicer, read_blob_listing
from vaultbrowser.core.services.errors import LimitExceeded, ServiceError

RARE = """<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://x/" ContainerName="c"><Prefix/>
<MaxResults>9</MaxResults>
<Blobs>
<BlobPrefix><Name Encoded="true">enc%01folder/</Name></BlobPrefix>
<Blob><Name>plain.txt</Name><Properties>
 <Creation-Time>Mon, 01 Jan 2024 00:00:00 GMT</Creation-Time>
 <Last-Modified>Tue, 02 Jan 2024 03:04:05 GMT</Last-Modified>
 <Etag>0x8DC0123456789AB</Etag><Content-Length>12</Content-Length>
 <Content-Type>text/plain</Content-Type><Content-Encoding /><Content-Language>en</Content-Language>
 <Content-MD5>sQqNsWTgdUEFt6mb5y4/5Q==</Content-MD5><Cache-Control>no-cache</Cache-Control>
 <Content-Disposition>inline</Content-Disposition><BlobType>BlockBlob</BlobType>
 <AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>
 <LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>
 <ServerEncrypted>true</ServerEncrypted></Properties>
 <Metadata><owner>ana</owner><Blob>not-an-item</Blob><empty /></Metadata>
 <Tags><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>
 <Tag><Key>e</Key><Value /></Tag></TagSet></Tags>
</Blob>
<Blob><Name Encoded="true">odd%0Aname</Name><Snapshot>2024-01-01T00:00:00.0000000Z</Snapshot>
 <VersionId>2024-01-03T00:00:00.1234567Z</VersionId><IsCurrentVersion>false</IsCurrentVersion>
 <Deleted>true</Deleted><Properties>
 <Creation-Time>not a date</Creation-Time>
 <Last-Modified>Fri, 31 Dec 9999 23:59:59 -1400</Last-Modified>
 <Etag>"0x8DC0000000000001"</Etag><Content-Length>99999999999999999999999</Content-Length>
 <Content-MD5>not base64!</Content-MD5><BlobType>PageBlob</BlobType>
 <AccessTier>Archive</AccessTier><ArchiveStatus>rehydrate-pending-to-hot</ArchiveStatus>
 <RehydratePriority>High</RehydratePriority><DeletedTime>Wed, 03 Jan 2024 00:00:00 GMT</DeletedTime>
 <RemainingRetentionDays>6</RemainingRetentionDays><LeaseDuration>infinite</LeaseDuration>
 <AccessTierChangeTime>Wed, 03 Jan 2024 01:00:00 GMT</AccessTierChangeTime>
 <LastAccessTime>yesterday</LastAccessTime><LegalHold>true</LegalHold>
 <ImmutabilityPolicyUntilDate>Thu, 04 Jan 2024 00:00:00 GMT</ImmutabilityPolicyUntilDate>
 <ImmutabilityPolicyMode>Locked</ImmutabilityPolicyMode><CopyStatus>success</CopyStatus>
 <CopySource>https://a.blob.core.windows.net/c/b?sv=2020&amp;sig=SECRET</CopySource>
 <EncryptionScope>scope1</EncryptionScope><TagCount>3</TagCount></Properties>
</Blob>
<Blob><Name>odd-etag</Name><Properties><Etag>W/"weird"</Etag><Content-MD5>AAEC</Content-MD5>
 <Content-Length>-5</Content-Length><Content-Type></Content-Type></Properties><Metadata /></Blob>
<Blob><Name>zero-md5</Name><Properties><Etag>0x0</Etag><Content-MD5>AAAAAAAAAAAAAAAAAAAAAA==</Content-MD5>
 <Content-Length>0</Content-Length></Properties>
 <Metadata><owner>ana</owner><Blob>not-an-item</Blob><empty /></Metadata></Blob>
<Blob />
</Blobs><NextMarker>next%20one</NextMarker></EnumerationResults>"""


async def _chunks(body: bytes, size: int = 37) -> AsyncIterator[bytes]:
    for at in range(0, len(body), size):
        yield body[at:at + size]


def _both(run: Any, body: bytes, max_items: int | None = None) -> tuple[Any, Any]:
    async def main() -> tuple[Any, Any]:
        prefixes, blobs, marker = await read_blob_listing(_chunks(body), "c", Slicer(),
                                                          max_items)
        columns, marker2 = await read_blob_columns(_chunks(body), "c", Slicer(), max_items)
        return ([*prefixes, *blobs], marker), (columns, marker2)

    return run(main())


def test_every_rare_field_rebuilds_the_same_record(run: Any) -> None:
    (old, marker), (columns, marker2) = _both(run, RARE.encode())
    assert isinstance(columns, BlobColumns)
    assert marker2 == marker == "next%20one"
    assert list(columns) == old
    assert [columns[i] for i in range(len(columns))] == old
    assert columns[-1] == old[-1] and columns[1:3] == old[1:3]
    odd = old[2]
    assert odd.invalid_dates and odd.deleted and odd.version_id and odd.etag.startswith('"')
    assert "SECRET" not in (odd.copy_source or "")
    assert old[1].metadata["Blob"] == "not-an-item" and old[1].tags == {"k": "v", "e": ""}
    # Cheap readers agree with the records.
    for row in range(columns.blob_count):
        record = columns.blob(row)
        assert columns.name(row) == record.name
        assert columns.size(row) == record.size
        assert columns.blob_modified(row) == record.last_modified
        assert columns.is_deleted(row) == record.deleted
        assert columns.record_at(row) == record
        assert columns.shape(row)["content_type"] == record.content_type


def test_equal_metadata_is_one_map_within_a_page(run: Any) -> None:
    _, (columns, _) = _both(run, RARE.encode())
    assert columns.blob(0).metadata is columns.blob(3).metadata


def test_item_limit_and_damaged_xml_fail_alike(run: Any) -> None:
    with pytest.raises(LimitExceeded):
        _both(run, RARE.encode(), max_items=2)
    for damaged in (RARE.encode()[:700], b"", b"<EnumerationResults><Blobs></Blob>"):
        async def main(body: bytes = damaged) -> None:
            await read_blob_columns(_chunks(body), "c", Slicer())

        with pytest.raises(ServiceError):
            run(main())


# --- Azurite: compact pages hold what the SDK path lists -----------------------------------

COLUMNS = "columns-props"


@pytest.fixture(scope="module")
def seeded_columns(azurite: Any) -> None:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    try:
        container = client.create_container(COLUMNS)
        container.upload_blob(
            "docs/report.json", b'{"a": 1}', metadata={"author": "ana"},
            tags={"project": "vault"},
            content_settings=ContentSettings(content_type="application/json",
                                             cache_control="no-cache", content_language="en",
                                             content_disposition="inline"))
        container.upload_blob("cool.bin", b"c" * 10).set_standard_blob_tier(
            StandardBlobTier.COOL)
        container.upload_blob("page.bin", b"", blob_type="PageBlob", length=512)
        container.get_blob_client("append.log").create_append_blob()
        container.upload_blob("leased.txt", b"x").acquire_lease()
        asyncio.run(put_blobs(azurite, COLUMNS, [(f"many/{i:03d}.txt", b"m") for i in range(40)],
                              metadata={"seeded": "yes"}, tags={"tree": "1"}))
    finally:
        client.close()


@pytest.mark.parametrize("flat", [True, False])
def test_compact_pages_hold_the_sdk_records(azurite: Any, run: Any, seeded_columns: None,
                                            flat: bool) -> None:
    async def pages(service: Any, compact: bool) -> list[Any]:
        found, token = [], None
        while True:
            if flat:
                page = await service.list_blobs_flat(COLUMNS, page_size=7, continuation=token,
                                                     compact=compact)
            else:
                page = await service.list_folder(COLUMNS, "", page_size=7, continuation=token,
                                                 compact=compact)
            found.append(page)
            token = page.next_token
            if token is None:
                return found

    async def main() -> tuple[list[Any], list[Any]]:
        async with open_blob_service(azurite) as (fast, _), \
                open_blob_service(azurite, lister="sdk") as (sdk, _):
            return await pages(fast, True), await pages(sdk, False)

    compact, sdk = run(main())
    assert all(isinstance(page.items, BlobColumns) for page in compact)
    assert [p.next_token for p in compact] == [p.next_token for p in sdk]
    assert [list(p.items) for p in compact] == [list(p.items) for p in sdk]
    assert sum(len(p.items) for p in compact) == sum(len(p.items) for p in sdk) > 5


def test_compact_pages_tell_their_marker_before_parsing(azurite: Any, run: Any,
                                                        seeded_columns: None) -> None:
    from vaultbrowser.core.services.paging import on_next_token

    heard: list[str | None] = []

    async def main() -> list[Any]:
        async with open_blob_service(azurite) as (fast, _):
            with on_next_token(lambda token: heard.append(token) or False):
                first = await fast.list_blobs_flat(COLUMNS, page_size=7, compact=True)
                plain = await fast.list_blobs_flat(COLUMNS, page_size=7, compact=False)
            return [first, plain]

    first, plain = run(main())
    assert first.next_token and heard == [first.next_token]  # told once, by the compact page
    assert list(first.items) == list(plain.items)
