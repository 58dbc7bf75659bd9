"""Copy states Azurite cannot produce (its copies are always "success" at once): a pending copy
polled to success with its progress, a failed and an aborted copy (typed errors, the reason
given, no SAS in it), and a cancelled copy aborted on the service. Through the mock transport
with headers shaped like the Blob service's (Copy Blob: 202 x-ms-copy-id / x-ms-copy-status;
Get Blob Properties: x-ms-copy-status / -progress / -status-description)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.rest import HttpRequest
from azure.storage.blob.aio import BlobServiceClient

from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.copies.server_copy import ServerCopy
from vaultbrowser.blob.services.copies.targets import ConflictPolicy
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.core.services.errors import ServiceError
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

ACCOUNT = "https://myaccount.blob.core.windows.net"
CS = (f"DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey={AZURITE_ACCOUNT_KEY};"
      "EndpointSuffix=core.windows.net")
COPY_ID = "b2f7a7f2-5d2e-4c7c-9d5a-1e8f3f0c9a11"
DATE = "Mon, 04 Mar 2024 10:00:00 GMT"


def props(status: str, progress: str, description: str | None = None) -> MockResponse:
    headers = {"ETag": '"0x8DC3B7C1D2E3F41"', "Last-Modified": DATE, "Content-Length": "4194304",
               "x-ms-blob-type": "BlockBlob", "x-ms-copy-id": COPY_ID,
               "x-ms-copy-status": status, "x-ms-copy-progress": progress,
               "x-ms-copy-source": f"{ACCOUNT}/src/big.bin", "x-ms-request-id": "r-1",
               "x-ms-version": "2021-12-02"}
    if description:
        headers["x-ms-copy-status-description"] = description
    return MockResponse(200, headers)


class Service:
    """The answers of one copy: the destination HEADs (after a 404 existence check) come from
    ``states`` in turn."""

    def __init__(self, states: list[MockResponse]) -> None:
        self.states = states
        self.seen: list[HttpRequest] = []

    def __call__(self, request: HttpRequest) -> MockResponse:
        self.seen.append(request)
        url = request.url
        if request.method == "PUT" and "comp=copy" in url:  # Abort Copy Blob
            return MockResponse(204, {"x-ms-request-id": "r-abort"})
        if request.method == "PUT":
            return MockResponse(202, {"ETag": '"0x8DC3B7C1D2E3F41"', "Last-Modified": DATE,
                                      "x-ms-copy-id": COPY_ID, "x-ms-copy-status": "pending",
                                      "x-ms-request-id": "r-copy"})
        if request.method == "HEAD" and "/dst/" in url:
            if not any(r.method == "PUT" for r in self.seen):
                return MockResponse(404, {"x-ms-error-code": "BlobNotFound"}, reason="Not Found")
            return self.states.pop(0) if len(self.states) > 1 else self.states[0]
        raise AssertionError(f"unexpected {request.method} {url}")


def service_over(handler: Callable[[HttpRequest], MockResponse]) -> BlobService:
    transport = RecordingTransport(MockTransport(handler), journal=HttpJournal())
    return BlobService(BlobServiceClient.from_connection_string(CS, transport=transport))


SOURCE = BlobRecord("src", "big.bin", size=4194304, etag='"0x8DC3A9B5E6F7081"')


def test_a_pending_copy_is_polled_to_success_with_its_progress(run: Any) -> None:
    answers = Service([props("pending", "1048576/4194304"), props("pending", "3145728/4194304"),
                       props("success", "4194304/4194304")])
    progress: list[tuple[int, int | None]] = []

    async def body() -> Any:
        svc = service_over(answers)
        copier = ServerCopy(svc, svc, poll_interval=0.001)
        return await copier.copy_blob(SOURCE, "dst", "big.bin", ConflictPolicy.SKIP,
                                      on_progress=lambda d, t: progress.append((d, t)))

    copied = run(body())
    assert copied.destination == "big.bin" and not copied.skipped
    assert progress == [(0, 4194304), (1048576, 4194304), (3145728, 4194304),
                        (4194304, 4194304)]
    put = next(r for r in answers.seen if r.method == "PUT")
    assert put.headers["x-ms-source-if-match"] == '"0x8DC3A9B5E6F7081"'
    assert put.headers["If-None-Match"] == "*"  # never over a blob that appeared meanwhile
    assert "sig=" in put.headers["x-ms-copy-source"] and "sp=r" in put.headers[
        "x-ms-copy-source"]  # a read-only SAS authorises the source


@pytest.mark.parametrize(("status", "words"), [("failed", "could not finish"),
                                               ("aborted", "stopped")])
def test_a_failed_or_aborted_copy_is_a_typed_error_with_its_reason(
        run: Any, status: str, words: str) -> None:
    reason = (f"500 InternalError Copy failed reading {ACCOUNT}/src/big.bin"
              "?sv=2021-12-02&sp=r&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D")
    answers = Service([props("pending", "0/4194304"), props(status, "1048576/4194304", reason)])

    async def body() -> Any:
        svc = service_over(answers)
        with pytest.raises(ServiceError) as caught:
            await ServerCopy(svc, svc, poll_interval=0.001).copy_blob(
                SOURCE, "dst", "big.bin", ConflictPolicy.OVERWRITE)
        return caught.value

    error = run(body())
    assert words in error.message and "InternalError" in error.message
    assert "c2VjcmV0" not in error.message and "sig=" in error.message  # redacted value


def test_cancelling_a_pending_copy_aborts_it_on_the_service(run: Any) -> None:
    answers = Service([props("pending", "0/4194304")])

    async def body() -> None:
        svc = service_over(answers)
        copier = ServerCopy(svc, svc, poll_interval=0.01, max_poll_interval=0.01)
        task = asyncio.ensure_future(copier.copy_blob(SOURCE, "dst", "big.bin",
                                                      ConflictPolicy.SKIP))
        while sum(r.method == "HEAD" for r in answers.seen) < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(body())
    abort = [r for r in answers.seen if r.method == "PUT" and "comp=copy" in r.url]
    assert len(abort) == 1 and f"copyid={COPY_ID}" in abort[0].url
    assert abort[0].headers["x-ms-copy-action"] == "abort"
