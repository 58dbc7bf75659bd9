"""What Azurite cannot show, through the mock transport with bodies and headers shaped like the
Blob service's (List Blobs with versions and snapshots; promote and delete by version id; a
rehydration pending for hours; a copy still pending): versions and rehydrate-pending state.

The List Blobs body follows the element order of recorded Azure responses (our own names and
values), served with the BOM the service sends; entries are served out of order on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from azure.core.rest import HttpRequest
from azure.storage.blob.aio import BlobServiceClient

from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.writes import versions as versions_module
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport

ACCOUNT = "https://myaccount.blob.core.windows.net"
CURRENT_ETAG = "0x8DC3B7C1D2E3F40"
V1, V2, V3 = ("2024-03-01T08:59:00.1111111Z", "2024-03-02T08:30:00.2222222Z",
              "2024-03-03T12:00:00.3333333Z")
S1, S2 = "2024-03-01T09:00:00.1234567Z", "2024-03-02T09:00:00.7654321Z"
REMOVED_VERSION = "2024-02-20T16:45:00.4444444Z"


def _props(size: int, etag: str, tier: str, extra: str = "") -> str:
    return (f"<Properties><Creation-Time>Fri, 01 Mar 2024 08:59:00 GMT</Creation-Time>"
            f"<Last-Modified>Sat, 02 Mar 2024 08:30:00 GMT</Last-Modified><Etag>{etag}</Etag>"
            f"<Content-Length>{size}</Content-Length><Content-Type>text/plain</Content-Type>"
            "<Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5 />"
            "<Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType>"
            f"<AccessTier>{tier}</AccessTier>{extra}<ServerEncrypted>true</ServerEncrypted>"
            "</Properties><OrMetadata />")


def _entry(name: str, marker: str, props: str) -> str:
    return f"<Blob><Name>{name}</Name>{marker}{props}</Blob>"


REPORT = "docs/report.txt"
ENTRIES = [  # out of order: the service layer sorts
    _entry(REPORT, f"<VersionId>{V3}</VersionId><IsCurrentVersion>true</IsCurrentVersion>",
           _props(20, CURRENT_ETAG, "Hot", "<AccessTierInferred>true</AccessTierInferred>")),
    _entry(REPORT, f"<Snapshot>{S2}</Snapshot>", _props(14, "0x8DC3A9B5E6F7081", "Hot")),
    _entry(REPORT, f"<VersionId>{V2}</VersionId>", _props(14, "0x8DC3A9B5E6F7081", "Hot")),
    _entry(REPORT, f"<Snapshot>{S1}</Snapshot>", _props(11, "0x8DC39D0A1B2C3D4", "Cool")),
    _entry(REPORT, f"<VersionId>{V1}</VersionId>", _props(
        11, "0x8DC39D0A1B2C3D4", "Archive",
        "<AccessTierChangeTime>Mon, 04 Mar 2024 10:00:00 GMT</AccessTierChangeTime>")),
    _entry(REPORT + ".bak", "", _props(3, "0x1", "Hot")),  # a longer name: not its history
    _entry("docs/removed.csv", f"<VersionId>{REMOVED_VERSION}</VersionId>", _props(
        2048, "0x8DC3237F0A1B2C3", "Archive",
        "<ArchiveStatus>rehydrate-pending-to-hot</ArchiveStatus>"
        "<RehydratePriority>High</RehydratePriority>")),
]


def list_body(prefix: str) -> bytes:
    blobs = "".join(e for e in ENTRIES if f"<Name>{prefix}" in e)
    return ("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults "
            f"ServiceEndpoint=\"{ACCOUNT}/\" ContainerName=\"reports\"><Prefix>{prefix}</Prefix>"
            f"<MaxResults>5000</MaxResults><Blobs>{blobs}</Blobs><NextMarker />"
            "</EnumerationResults>").encode()


def head_headers(**extra: str) -> dict[str, str]:
    headers = {"Content-Length": "20", "Content-Type": "text/plain", "ETag": '"0x8DC4"',
               "Last-Modified": "Mon, 04 Mar 2024 12:00:00 GMT", "x-ms-blob-type": "BlockBlob",
               "x-ms-creation-time": "Fri, 01 Mar 2024 08:59:00 GMT",
               "x-ms-server-encrypted": "true", "x-ms-request-id": "mock-request"}
    headers.update(extra)
    return headers


def query(request: HttpRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


@asynccontextmanager
async def mock_service(handler: Callable[[HttpRequest], MockResponse]
                       ) -> AsyncIterator[tuple[BlobService, MockTransport]]:
    mock = MockTransport(handler)
    transport = RecordingTransport(mock, journal=HttpJournal(), connection="mock")
    client = BlobServiceClient(ACCOUNT, transport=transport)
    service = BlobService(client, lister="sdk")
    try:
        yield service, mock
    finally:
        await service.close()


def listing_or(answer: Callable[[HttpRequest], MockResponse]) -> Callable[[HttpRequest],
                                                                          MockResponse]:
    def handler(request: HttpRequest) -> MockResponse:
        q = query(request)
        if request.method == "GET" and q.get("comp") == "list":
            assert set(q["include"].split(",")) >= {"snapshots", "versions"}
            return MockResponse(200, {"Content-Type": "application/xml"},
                                list_body(q.get("prefix", "")))
        return answer(request)

    return handler


def test_versions_are_listed_sorted_and_apart_from_snapshots(run: Any) -> None:
    async def body() -> None:
        async with mock_service(listing_or(lambda r: MockResponse(500))) as (service, _mock):
            history = await service.versions.list_history("reports", REPORT)
            assert history.has_versions
            assert history.current is not None and history.current.version_id == V3
            assert [v.version_id for v in history.versions] == [V1, V2]
            assert [s.snapshot for s in history.snapshots] == [S1, S2]
            assert history.versions[0].access_tier == "Archive"
            assert all(e.name == REPORT for e in history.entries())

            removed = await service.versions.list_history("reports", "docs/removed.csv")
            assert removed.current is None and removed.has_versions
            only = removed.versions[0]
            assert (only.archive_status, only.rehydrate_priority) == (
                "rehydrate-pending-to-hot", "High")

    run(body())


def test_promote_a_version_copies_from_its_url_if_the_base_is_unchanged(run: Any) -> None:
    def answer(request: HttpRequest) -> MockResponse:
        if request.method == "PUT":
            return MockResponse(202, {"x-ms-copy-id": "c1", "x-ms-copy-status": "success",
                                      "x-ms-version-id": "2024-03-05T00:00:00.5555555Z",
                                      "ETag": '"0x8DC5"', "x-ms-request-id": "r-copy"})
        assert request.method == "HEAD"
        return MockResponse(200, head_headers(**{"Content-Length": "11"}))

    async def body() -> None:
        async with mock_service(listing_or(answer)) as (service, mock):
            history = await service.versions.list_history("reports", REPORT)
            result = await service.versions.promote(history, history.versions[0])
            put = next(r for r in mock.requests if r.method == "PUT")
            source = unquote(put.headers["x-ms-copy-source"])
            assert source.endswith(f"/reports/{REPORT}?versionid={V1}")
            assert put.headers["If-Match"] == CURRENT_ETAG
            assert result.response is not None and result.response.status == 202
            assert result.value.size == 11

            # Only versions only: the base is gone, so the copy must find no blob there.
            removed = await service.versions.list_history("reports", "docs/removed.csv")
            await service.versions.promote(removed, removed.versions[0])
            put = [r for r in mock.requests if r.method == "PUT"][-1]
            assert put.headers["If-None-Match"] == "*"

    run(body())


def test_promote_polls_a_pending_copy(run: Any) -> None:
    states = iter(["pending", "pending", "success"])

    def answer(request: HttpRequest) -> MockResponse:
        if request.method == "PUT":
            return MockResponse(202, {"x-ms-copy-id": "c2", "x-ms-copy-status": "pending"})
        return MockResponse(200, head_headers(**{
            "x-ms-copy-id": "c2", "x-ms-copy-status": next(states),
            "x-ms-copy-progress": "1048576/4194304"}))

    async def body() -> None:
        async with mock_service(listing_or(answer)) as (service, mock):
            service.versions.copy_poll_seconds = 0
            history = await service.versions.list_history("reports", REPORT)
            result = await service.versions.promote(history, history.snapshots[1])
            assert result.value.copy_status == "success"
            heads = [r for r in mock.requests if r.method == "HEAD"]
            assert len(heads) == 3
            put = next(r for r in mock.requests if r.method == "PUT")
            assert unquote(put.headers["x-ms-copy-source"]).endswith(f"?snapshot={S2}")

    run(body())


def test_delete_a_version_only_by_a_listed_previous_version_id(run: Any) -> None:
    def answer(request: HttpRequest) -> MockResponse:
        assert request.method == "DELETE"
        return MockResponse(202, {"x-ms-delete-type-permanent": "false"})

    async def body() -> None:
        async with mock_service(listing_or(answer)) as (service, mock):
            history = await service.versions.list_history("reports", REPORT)
            sent = len(mock.requests)
            for refused in (V3, "2024-01-01T00:00:00.0000000Z", ""):  # current / not listed
                with pytest.raises(InvalidInput):
                    await service.versions.delete_version(history, refused)
            assert len(mock.requests) == sent
            await service.versions.delete_version(history, V2)
            delete = mock.requests[-1]
            assert delete.method == "DELETE" and query(delete)["versionid"] == V2
            await service.versions.delete_snapshot(history, S1)
            assert query(mock.requests[-1])["snapshot"] == S1

    run(body())


def test_rehydration_from_archive_is_pending(run: Any) -> None:
    def answer(request: HttpRequest) -> MockResponse:
        if request.method == "PUT":
            assert query(request)["comp"] == "tier"
            return MockResponse(202, {"x-ms-request-id": "r-tier"})
        return MockResponse(200, head_headers(**{
            "x-ms-access-tier": "Archive", "x-ms-archive-status": "rehydrate-pending-to-hot",
            "x-ms-rehydrate-priority": "High",
            "x-ms-access-tier-change-time": "Mon, 04 Mar 2024 12:00:00 GMT"}))

    async def body() -> None:
        async with mock_service(answer) as (service, mock):
            result = await service.tiers.set_tier("reports", "docs/removed.csv", "Hot",
                                                  rehydrate_priority="High")
            put = mock.requests[0]
            assert put.headers["x-ms-access-tier"] == "Hot"
            assert put.headers["x-ms-rehydrate-priority"] == "High"
            assert result.response is not None and result.response.status == 202
            record = result.value
            assert record.access_tier == "Archive"
            assert record.archive_status == "rehydrate-pending-to-hot"
            assert record.rehydrate_priority == "High"

    run(body())


def batch_answer(statuses: list[tuple[int, str, str | None]]) -> MockResponse:
    """A Blob Batch response: one application/http part per sub-request, as the service
    sends it (multipart/mixed, CRLF)."""
    boundary = "batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed"
    parts = []
    for number, (status, reason, code) in enumerate(statuses):
        error = f"x-ms-error-code: {code}\r\n" if code else ""
        parts.append(f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {number}"
                     f"\r\n\r\nHTTP/1.1 {status} {reason}\r\n{error}x-ms-version: 2021-12-02\r\n"
                     f"x-ms-request-id: sub-{number}\r\n\r\n")
    body = "".join(parts) + f"--{boundary}--\r\n"
    return MockResponse(202, {"Content-Type": f"multipart/mixed; boundary={boundary}",
                              "x-ms-request-id": "r-batch"}, body.encode(), "Accepted")


# azure-core splits a multipart body into parts of the response's own type; the mock's generic
# AsyncHttpResponseImpl then calls its async read() without awaiting it (aiohttp's response type,
# used against Azurite, does not). The parts are complete either way.
@pytest.mark.filterwarnings(
    "ignore:coroutine 'AsyncHttpResponseImpl.read' was never awaited:RuntimeWarning")
def test_batch_rehydration_reports_pending_and_failed_blobs(run: Any) -> None:
    def answer(request: HttpRequest) -> MockResponse:
        assert request.method == "POST" and query(request)["comp"] == "batch"
        subrequests = request.multipart_mixed_info[0]  # type: ignore[attr-defined]
        assert [r.method for r in subrequests] == ["PUT"] * 3
        assert all(r.headers["x-ms-access-tier"] == "Hot"
                   and r.headers["x-ms-rehydrate-priority"] == "Standard" for r in subrequests)
        return batch_answer([(202, "Accepted", None), (200, "OK", None),
                             (409, "Conflict", "BlobBeingRehydrated")])

    async def body() -> None:
        async with mock_service(answer) as (service, mock):
            report = await service.tiers.set_tiers(
                "reports", ["a.csv", "b.csv", "c.csv"], "Hot", rehydrate_priority="Standard")
            assert report.changed == ("a.csv", "b.csv")
            assert report.pending == ("a.csv",)
            assert report.failed == (("c.csv", "BlobBeingRehydrated"),)
            assert len(mock.requests) == 1

    run(body())


def test_history_pages_stop_at_the_first_longer_name(run: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of exactly the blob's name come first in name order: a page that reaches a
    longer name ends the history; a page holding only the name goes on to the next."""
    pages = {None: [ENTRIES[1], ENTRIES[3]], "m1": [ENTRIES[0], ENTRIES[5]], "m2": []}
    markers = {None: "m1", "m1": "m2", "m2": ""}

    def handler(request: HttpRequest) -> MockResponse:
        marker = query(request).get("marker")
        blobs = "".join(pages[marker])
        body = ("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults "
                f"ServiceEndpoint=\"{ACCOUNT}/\" ContainerName=\"reports\"><Prefix>{REPORT}"
                f"</Prefix><MaxResults>2</MaxResults><Blobs>{blobs}</Blobs>"
                f"<NextMarker>{markers[marker]}</NextMarker></EnumerationResults>")
        return MockResponse(200, {"Content-Type": "application/xml"}, body.encode())

    async def body() -> None:
        async with mock_service(handler) as (service, mock):
            history = await service.versions.list_history("reports", REPORT)
            assert len(mock.requests) == 2  # the page with "….bak" ended it
            assert [s.snapshot for s in history.snapshots] == [S1, S2]
            assert history.current is not None and history.current.version_id == V3
            assert history.complete

            # Past the page bound, the history says it is not all there.
            monkeypatch.setattr(versions_module, "MAX_HISTORY_PAGES", 1)
            cut = await service.versions.list_history("reports", REPORT)
            assert not cut.complete and len(cut.snapshots) == 2 and cut.current is None

    run(body())
