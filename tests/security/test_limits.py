"""Resource limits (issue 15): a hostile server can neither hang the app nor eat its memory.

Every test drives the real SDK clients through the app's own ``ServiceSession`` (its
``RecordingTransport``, the one boundary every response goes through) against
``hostile_server`` on loopback: Key Vault over https with a private CA (its bearer challenge
answered first), Blob Storage over http. Limits are small so that each test is quick.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from tests.security.hostile_server import (
    ACCOUNT,
    XML_BOMB_PREFIX,
    HostileServer,
    blob_range,
    blobs_page,
    containers_page,
    gzip_bomb,
    gzip_response,
    kv_page,
    kv_page_json,
    kv_secret_body,
    serve,
    silent,
    trickle,
    xml_response,
)
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.core.services.config import LimitSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import LimitExceeded, VaultBrowserError
from vaultbrowser.core.services.http.limits import ContinuationGuard
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.translate import translate_error
from vaultbrowser.keyvault.services.opener import open_vault

T = TypeVar("T")
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-tls")


def vault_connection(server: HostileServer, name: str = "hostile-vault") -> Connection:
    return Connection("keyvault", server.url, AuthMethod.LOCAL_EMULATOR, name=name,
                      ca_path=server.ca_path)


def storage_connection(server: HostileServer, name: str = "hostile-storage") -> Connection:
    return Connection("blob", server.url, AuthMethod.LOCAL_EMULATOR, name=name)


def blob_service(session: ServiceSession, server: HostileServer, lister: str) -> BlobService:
    """The session's service, or one listing through the SDK's pagers on the same client
    (and so the same transport)."""
    service = open_storage(session, storage_connection(server))
    return service if lister == "fast" else BlobService(service._client, lister="sdk")


async def failure(call: Coroutine[Any, Any, Any]) -> tuple[LimitExceeded, float]:
    """The LimitExceeded ``call`` raises, and how long it took to raise it."""
    start = time.perf_counter()
    with pytest.raises(LimitExceeded) as caught:
        await call
    return caught.value, time.perf_counter() - start


def with_session(run: Callable[[Coroutine[Any, Any, T]], T], limits: LimitSettings,
                 body: Callable[[ServiceSession], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        session = ServiceSession(limits=limits)
        try:
            return await body(session)
        finally:
            await session.aclose()

    return run(main())


# --- the deadline -----------------------------------------------------------------------------


def test_a_trickling_body_stops_at_the_deadline(run: Any, tls_dir: Path) -> None:
    """One byte every 50 ms never trips the 30 s read timeout; the 1 s deadline stops it."""
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return await trickle(request, kv_secret_body(request, "s", "v" * 2_000), interval=0.05)

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, float]:
            service = open_vault(session, vault_connection(server))
            return await failure(service.secrets.get_value("s"))

        error, elapsed = with_session(run, LimitSettings(response_deadline=1.0), body)
    assert error.limit == "response_deadline" and error.value == 1.0
    assert "response_deadline = 1 s" in error.message
    assert error.method == "GET" and error.url and "/secrets/s" in error.url
    assert 0.9 < elapsed < 3.0, elapsed
    assert len(server.requests) == 1  # a limit is not retried
    assert "limit: response_deadline = 1" in error.diagnostics_text()


def test_headers_that_never_come_stop_at_the_deadline(run: Any, tls_dir: Path) -> None:
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return await silent(20)

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, float, list[Any]]:
            service = open_vault(session, vault_connection(server))
            error, elapsed = await failure(service.secrets.get_value("s"))
            return error, elapsed, session.journal.records()

        error, elapsed, records = with_session(run, LimitSettings(response_deadline=1.0), body)
    assert error.limit == "response_deadline"
    assert 0.9 < elapsed < 3.0, elapsed
    # The activity panel shows the exchange as failed, with the limit's words.
    assert records[-1].response is None and "LimitExceeded" in (records[-1].failure or "")


def test_an_upload_has_time_for_its_body_beyond_the_deadline(run: Any, tls_dir: Path) -> None:
    """A request with a body gets ``min_upload_rate`` time for it on top of the deadline (a
    slow uplink must not fail 8 MiB blocks): a 20 KB PUT answered after 1.5 s passes under a
    1 s deadline at 10 KB/s (2 s more)."""
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        if request.method == "PUT":
            await request.read()
            await asyncio.sleep(1.5)
        return web.Response(body=kv_secret_body(request, "s", "old"),
                            content_type="application/json")

    from vaultbrowser.core.services.records import SecretValue

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> str:
            service = open_vault(session, vault_connection(server))
            result = await service.secrets.add_version("s", SecretValue("v" * 20_000))
            return result.value.name

        limits = LimitSettings(response_deadline=1.0, min_upload_rate=10_000)
        assert with_session(run, limits, body) == "s"
    assert [line.split()[0] for line in server.requests] == ["GET", "PUT"]


def test_a_trickling_blob_listing_stops_at_the_deadline(run: Any) -> None:
    """The streamed path (the fast blob lister parses the body as it arrives)."""
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return await trickle(request, containers_page(request, ["a", "b"]), interval=0.05,
                             content_type="application/xml")

    with serve(respond) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, float]:
            service = open_storage(session, storage_connection(server))
            return await failure(service.list_containers(page_size=100))

        error, elapsed = with_session(run, LimitSettings(response_deadline=1.0), body)
    assert error.limit == "response_deadline"
    assert 0.9 < elapsed < 3.0, elapsed


# --- decompressed size ------------------------------------------------------------------------


def test_a_gzip_bomb_is_cut_at_the_cap_without_inflating_it(run: Any, tls_dir: Path) -> None:
    """2 MB of gzip that inflates to 2 GiB, sent as Key Vault's JSON: azure-core would inflate
    it all in one go. Memory stays near the 4 MiB cap."""
    bomb = gzip_bomb(2048)

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return gzip_response(bomb, "application/json")

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, float, int]:
            service = open_vault(session, vault_connection(server))
            tracemalloc.start()
            try:
                error, elapsed = await failure(service.secrets.get_value("s"))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            return error, elapsed, peak

        error, elapsed, peak = with_session(run, LimitSettings(max_body_bytes=4 * MiB), body)
    assert error.limit == "max_body_bytes" and error.value == 4 * MiB
    assert "once decompressed" in error.message and str(4 * MiB) in error.message
    assert peak < 24 * MiB, peak  # raw body + at most the cap, never the 2 GiB
    assert elapsed < 3.0


@pytest.mark.parametrize("lister", ["fast", "sdk"])
def test_a_gzip_bomb_listing_page_is_cut_at_the_page_cap(run: Any, lister: str) -> None:
    """A listing page: the fast lister streams and inflates it (BoundedDownload), the SDK's
    pager reads it whole (measured before azure-core inflates it). Both stop at the smaller
    page cap, not the body cap."""
    bomb = gzip_bomb(1024, XML_BOMB_PREFIX, b" ")  # not refused as bad XML before the cap

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return gzip_response(bomb, "application/xml")

    limits = LimitSettings(max_page_bytes=4 * MiB)
    with serve(respond) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, int]:
            service = blob_service(session, server, lister)
            tracemalloc.start()
            try:
                error, _ = await failure(service.list_containers(page_size=100))
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            return error, peak

        error, peak = with_session(run, limits, body)
    assert error.limit == "max_page_bytes" and error.value == 4 * MiB
    assert "once decompressed" in error.message
    assert peak < 24 * MiB, peak


@pytest.mark.parametrize("stream", [False, True])
def test_a_gzip_bomb_in_a_legacy_response_is_cut_too(run: Any, stream: bool) -> None:
    """azure-core's legacy request/response classes (storage's batch requests use them) go
    through the same boundary, loaded whole or streamed."""
    from azure.core.pipeline.transport import AioHttpTransport
    from azure.core.pipeline.transport import HttpRequest as LegacyRequest

    from vaultbrowser.core.services.http.transport import RecordingTransport

    bomb = gzip_bomb(256)

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return gzip_response(bomb, "application/octet-stream")

    with serve(respond) as server:
        async def body() -> LimitExceeded:
            transport = RecordingTransport(AioHttpTransport(),
                                           limits=LimitSettings(max_body_bytes=MiB))
            try:
                async def fetch() -> None:
                    response = await transport.send(LegacyRequest("GET", server.url),
                                                    stream=stream)
                    if stream:
                        async for _chunk in response.stream_download(None):
                            pass
                    else:
                        response.body()

                error, _ = await failure(fetch())
                return error
            finally:
                await transport.aclose()

        error = run(body())
    assert error.limit == "max_body_bytes" and "once decompressed" in error.message


def test_a_gzip_encoded_blob_still_downloads_as_stored(run: Any) -> None:
    """Downloads keep Content-Encoding (nothing is inflated): a blob whose gzip would inflate
    far past the cap is not refused; only its bytes as sent count."""
    blob = gzip_bomb(64)  # 66 KB, 64 MiB inflated

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return blob_range(blob, request, **{"Content-Encoding": "gzip"})

    with serve(respond) as server:
        async def body(session: ServiceSession) -> bytes:
            service = open_storage(session, storage_connection(server))
            parts: list[bytes] = []
            result = await service.download_blob("box", "logs.gz", parts.append)
            assert result.value == len(blob)
            return b"".join(parts)

        received = with_session(run, LimitSettings(max_body_bytes=1 * MiB), body)
    assert received == blob


def test_a_download_range_past_the_cap_is_refused(run: Any) -> None:
    """The storage downloader does not wrap the error: it reaches the caller typed."""
    blob = bytes(3 * MiB)

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return blob_range(blob, request)

    with serve(respond) as server:
        async def body(session: ServiceSession) -> LimitExceeded:
            service = open_storage(session, storage_connection(server))
            error, _ = await failure(service.download_blob("box", "big.bin", lambda _: None))
            return error

        error = with_session(run, LimitSettings(max_body_bytes=1 * MiB), body)
    assert error.limit == "max_body_bytes" and len(server.requests) == 1


def test_a_body_larger_than_the_cap_is_refused_as_it_arrives(run: Any, tls_dir: Path) -> None:
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return web.Response(body=kv_secret_body(request, "s", "v" * 300_000),
                            content_type="application/json")

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> LimitExceeded:
            service = open_vault(session, vault_connection(server))
            error, _ = await failure(service.secrets.get_value("s"))
            return error

        error = with_session(run, LimitSettings(max_body_bytes=100_000), body)
    assert error.limit == "max_body_bytes" and "once decompressed" not in error.message


# --- page size and items ----------------------------------------------------------------------


def test_a_key_vault_page_with_too_many_items_is_refused(run: Any, tls_dir: Path) -> None:
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return kv_page(request, [f"s{i:02d}" for i in range(30)])

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> LimitExceeded:
            service = open_vault(session, vault_connection(server))
            error, _ = await failure(service.secrets.list())
            return error

        error = with_session(run, LimitSettings(max_page_items=10), body)
    assert error.limit == "max_page_items" and error.value == 10
    assert "more than 10 items" in error.message


@pytest.mark.parametrize("lister", ["fast", "sdk"])
def test_a_blob_page_with_too_many_items_is_refused(run: Any, lister: str) -> None:
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return xml_response(containers_page(request, [f"c{i:03d}" for i in range(60)]))

    with serve(respond) as server:
        async def body(session: ServiceSession) -> LimitExceeded:
            service = blob_service(session, server, lister)
            error, _ = await failure(service.list_containers(page_size=5000))
            return error

        error = with_session(run, LimitSettings(max_page_items=50), body)
    assert error.limit == "max_page_items" and error.value == 50


def test_a_page_too_big_is_refused_while_a_value_of_that_size_is_not(
        run: Any, tls_dir: Path) -> None:
    """``max_page_bytes`` holds listing pages only: a 100 KB secret value passes under a
    64 KiB page cap, a 150 KB page of it does not."""
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        if request.path == "/secrets":
            return kv_page(request, ["a", "b", "c"], contentType="x" * 50_000)
        return web.Response(body=kv_secret_body(request, "big", "v" * 100_000),
                            content_type="application/json")

    with serve(respond, tls_dir=tls_dir) as server:
        async def body(session: ServiceSession) -> tuple[LimitExceeded, int]:
            service = open_vault(session, vault_connection(server))
            value = await service.secrets.get_value("big")
            error, _ = await failure(service.secrets.list())
            return error, len(value.value.reveal())

        error, size = with_session(run, LimitSettings(max_page_bytes=64 * 1024), body)
    assert size == 100_000
    assert error.limit == "max_page_bytes" and error.value == 64 * 1024


def test_a_blob_page_too_big_is_refused(run: Any) -> None:
    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return xml_response(containers_page(request, [f"c{i:03d}" for i in range(100)],
                                            metadata_bytes=2_000))

    with serve(respond) as server:
        async def body(session: ServiceSession) -> LimitExceeded:
            service = open_storage(session, storage_connection(server))
            error, _ = await failure(service.list_containers(page_size=5000))
            return error

        error = with_session(run, LimitSettings(max_page_bytes=64 * 1024), body)
    assert error.limit == "max_page_bytes"


# --- the error itself -------------------------------------------------------------------------


def test_limit_exceeded_is_typed_and_passes_translation_unchanged() -> None:
    error = LimitExceeded("too much (limit max_page_items = 10).", limit="max_page_items",
                          value=10)
    assert isinstance(error, VaultBrowserError)
    assert error.title == "Response limit exceeded" and error.advice
    assert translate_error(error) is error
    assert error.diagnostics()["limit"] == "max_page_items = 10"


def test_the_continuation_guard() -> None:
    guard = ContinuationGuard(max_empty_pages=3)
    guard.check(5, "a")
    guard.check(5, "b")
    with pytest.raises(LimitExceeded) as repeated:
        guard.check(5, "a")
    assert repeated.value.limit == "repeated continuation"
    guard.check(0, "c")
    guard.check(0, "d")
    with pytest.raises(LimitExceeded) as empty:
        guard.check(0, "e")
    assert empty.value.limit == "max_empty_pages" and empty.value.value == 3
    guard.check(0, "e")  # a Retry may try as many again
    guard.check(1, "f")  # an item resets the count
    guard.check(0, "g")
    guard.check(0, None)  # the end


# --- through the tree models ------------------------------------------------------------------


def _status(model: Any, parent: Any) -> Any:
    from vaultbrowser.core.models.node_tree import STATUS_ROLE

    return model.index(model.rowCount(parent) - 1, 0, parent).data(STATUS_ROLE)


def _names(model: Any, parent: Any) -> list[str]:
    from vaultbrowser.core.models.node_tree import STATUS_ROLE

    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))
            if model.index(row, 0, parent).data(STATUS_ROLE) is None]


@pytest.fixture
def qsession(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def test_a_repeated_nextlink_ends_the_vault_with_an_error_row(
        qloop: Any, tls_dir: Path, qsession: ServiceSession) -> None:
    """Load all on a vault whose every page points at the same nextLink: the node ends with
    an error row (LimitExceeded, Retry), load_failed says why, and another vault of the same
    tree still lists. Refresh lists again from the first page."""
    from vaultbrowser.core.models.listing import RowStatus
    from vaultbrowser.keyvault.models.item_types import SECRETS
    from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot

    async def looping(server: HostileServer, request: web.Request) -> web.StreamResponse:
        pages = server.state["pages"] = server.state.get("pages", 0) + 1
        return kv_page(request, [f"item-{pages}"],
                       f"https://{request.host}/secrets?$skiptoken=again&maxresults=25")

    async def normal(server: HostileServer, request: web.Request) -> web.StreamResponse:
        return kv_page(request, ["alpha", "beta", "gamma"])

    with serve(looping, tls_dir=tls_dir) as bad, serve(normal, tls_dir=tls_dir) as good:
        async def body() -> None:
            model = KeyVaultTreeModel(SECRETS)
            failures: list[VaultBrowserError] = []
            finished: list[bool] = []
            model.load_failed.connect(failures.append)
            model.load_all_finished.connect(lambda _index, complete: finished.append(complete))
            roots = []
            for server, name in ((bad, "looping"), (good, "normal")):
                connection = vault_connection(server, name)
                roots.append(model.add_root(VaultRoot(connection,
                                                      open_vault(qsession, connection))))
            looping_vault, normal_vault = roots

            model.load_all(looping_vault)
            await model.wait_idle()
            assert len(bad.requests) == 2  # the first page, and its nextLink once
            assert _status(model, looping_vault) is RowStatus.ERROR
            assert _names(model, looping_vault) == ["item-1"]
            assert len(failures) == 1 and isinstance(failures[0], LimitExceeded)
            assert failures[0].limit == "repeated continuation"
            assert model.node_of(looping_vault).listing.error is failures[0]
            assert finished == [False]

            model.fetchMore(normal_vault)  # the other node keeps working
            await model.wait_idle()
            assert _names(model, normal_vault) == ["alpha", "beta", "gamma"]

            model.retry(looping_vault)  # the same token comes back again: the same error
            await model.wait_idle()
            assert len(failures) == 2 and _status(model, looping_vault) is RowStatus.ERROR

            model.refresh(looping_vault)  # a new listing: its first page is fine
            await model.wait_idle()
            assert _status(model, looping_vault) is RowStatus.MORE
            assert len(failures) == 2

        qloop.run_until_complete(asyncio.wait_for(body(), 20))


def test_a_repeated_blob_marker_and_endless_empty_pages_stop(
        qloop: Any, qsession: ServiceSession) -> None:
    """Blob listings: a NextMarker that comes back is an error row; so are
    ``max_empty_pages`` empty pages in a row (a Retry tries as many again)."""
    from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
    from vaultbrowser.core.models.listing import RowStatus

    async def repeating(server: HostileServer, request: web.Request) -> web.StreamResponse:
        pages = server.state["pages"] = server.state.get("pages", 0) + 1
        return xml_response(containers_page(request, [f"box-{pages}"], "same-marker"))

    async def empty(server: HostileServer, request: web.Request) -> web.StreamResponse:
        pages = server.state["pages"] = server.state.get("pages", 0) + 1
        return xml_response(containers_page(request, [], f"marker-{pages}"))

    with serve(repeating) as looping, serve(empty) as hollow:
        async def body() -> None:
            model = BlobTreeModel()
            model.limits = LimitSettings(max_empty_pages=5)
            failures: list[VaultBrowserError] = []
            model.load_failed.connect(failures.append)
            indexes = []
            for server, name in ((looping, "looping"), (hollow, "hollow")):
                connection = storage_connection(server, name)
                indexes.append(model.add_root(AccountRoot(connection,
                                                          open_storage(qsession, connection))))
            looping_account, hollow_account = indexes

            model.load_all(looping_account)
            model.load_all(hollow_account)
            await model.wait_idle()
            assert _status(model, looping_account) is RowStatus.ERROR
            assert _status(model, hollow_account) is RowStatus.ERROR
            by_limit = {error.limit: error for error in failures
                        if isinstance(error, LimitExceeded)}
            assert set(by_limit) == {"repeated continuation", "max_empty_pages"}
            assert "max_empty_pages = 5" in by_limit["max_empty_pages"].message
            assert len(looping.requests) == 2 and len(hollow.requests) == 5

            model.retry(hollow_account)  # one page (Retry is no Load all): still empty
            await model.wait_idle()
            assert len(hollow.requests) == 6 and _status(model, hollow_account) is RowStatus.MORE
            model.load_all(hollow_account)  # the count restarted at the error: 1 + 4 more
            await model.wait_idle()
            assert len(hollow.requests) == 10 and len(failures) == 3

        qloop.run_until_complete(asyncio.wait_for(body(), 20))


def test_pages_a_model_filters_empty_are_not_empty_pages(
        qloop: Any, qsession: ServiceSession) -> None:
    """The deleted-blobs view lists with ``include=deleted`` and keeps the deleted ones: a run
    of pages of live blobs only is legitimately empty on screen. What counts is what the
    service sent, so a long run passes ``max_empty_pages``."""
    from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        if request.query.get("restype") != "container":
            return xml_response(containers_page(request, ["box"]))
        if "deleted" not in request.query.get("include", ""):
            return xml_response(blobs_page(request, []))  # no live blob at the root
        page = int(request.query.get("marker", "m0")[1:]) + 1
        if page <= 6:  # six pages of live blobs only, then the one deleted blob
            return xml_response(blobs_page(request, [f"live-{page}-{i}" for i in range(10)],
                                           f"m{page}"))
        return xml_response(blobs_page(request, ["gone.txt"], deleted=True))

    with serve(respond) as server:
        async def body() -> None:
            model = BlobTreeModel()
            model.limits = LimitSettings(max_empty_pages=3)
            model.set_show_deleted(True)
            failures: list[VaultBrowserError] = []
            model.load_failed.connect(failures.append)
            connection = storage_connection(server)
            account = model.add_root(AccountRoot(connection, open_storage(qsession, connection)))
            model.fetchMore(account)
            await model.wait_idle()
            box = model.index(0, 0, account)
            model.load_all(box)
            await model.wait_idle()
            assert not failures
            assert [name.split()[0] for name in _names(model, box)] == ["gone.txt"]
            assert len(server.requests) == 1 + 1 + 7

        qloop.run_until_complete(asyncio.wait_for(body(), 20))


def test_load_all_of_an_endless_listing_stays_cancellable(
        qloop: Any, qsession: ServiceSession) -> None:
    """Pages that each bring an item and a new marker break no limit: Load all goes on until
    the user cancels it, and cancelling is silent."""
    from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
    from vaultbrowser.core.models.listing import RowStatus

    async def endless(server: HostileServer, request: web.Request) -> web.StreamResponse:
        pages = server.state["pages"] = server.state.get("pages", 0) + 1
        return xml_response(containers_page(request, [f"box-{pages:05d}"], f"m{pages}"))

    with serve(endless) as server:
        async def body() -> None:
            model = BlobTreeModel()
            failures: list[VaultBrowserError] = []
            model.load_failed.connect(failures.append)
            connection = storage_connection(server)
            account = model.add_root(AccountRoot(connection, open_storage(qsession, connection)))
            model.load_all(account)
            while len(server.requests) < 20:
                await asyncio.sleep(0.01)
            model.cancel(account)
            await model.wait_idle()
            # A request already on the wire when Cancel came may still reach the server (a
            # loaded machine delivers it late): count from when the wire is quiet.
            await asyncio.sleep(0.3)
            sent = len(server.requests)
            await asyncio.sleep(0.3)
            assert len(server.requests) == sent  # nothing more is asked
            assert not failures
            assert _status(model, account) is RowStatus.MORE
            assert len(_names(model, account)) >= 19

        qloop.run_until_complete(asyncio.wait_for(body(), 20))


def test_normal_pages_are_unaffected(run: Any, tls_dir: Path) -> None:
    """Real-sized answers under the default limits: a full Key Vault page (JSON, gzip'd as a
    proxy might) and a 5,000-container page."""
    names = [f"secret-{i:02d}" for i in range(25)]

    async def respond(server: HostileServer, request: web.Request) -> web.StreamResponse:
        if request.path == "/secrets":
            page = json.dumps(kv_page_json(request, names)).encode()
            return gzip_response(gzip.compress(page), "application/json")
        return xml_response(containers_page(request, [f"c{i:04d}" for i in range(5000)]))

    with serve(respond, tls_dir=tls_dir) as vault_server, serve(respond) as blob_server:
        async def body(session: ServiceSession) -> tuple[int, int]:
            vault = open_vault(session, vault_connection(vault_server))
            secrets = await vault.secrets.list()
            storage = open_storage(session, storage_connection(blob_server))
            containers = await storage.list_containers(page_size=5000)
            return len(secrets.items), len(containers.items)

        assert with_session(run, LimitSettings(), body) == (25, 5000)
    assert ACCOUNT in blob_server.url
