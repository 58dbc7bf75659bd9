"""A hostile HTTP server on loopback for the resource-limit tests.

It answers like Key Vault (https with a private CA, the bearer challenge first) or like Blob
Storage (http, ``/devstoreaccount1``), then misbehaves as the test tells it: a body that
trickles in, headers that never come, a gzip bomb, a listing page too big or too long, a
continuation that repeats or pages that never end. It runs on a loop of its own in a daemon
thread, so both the plain asyncio tests and the qasync model tests can use it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from vaultbrowser.emulators.keyvault.auth import MISSING_TOKEN, challenge_header
from vaultbrowser.emulators.keyvault.server import DEFAULT_TENANT
from vaultbrowser.emulators.keyvault.tls import TlsMaterial, ensure_tls

Responder = Callable[["HostileServer", web.Request], Awaitable[web.StreamResponse]]
ACCOUNT = "devstoreaccount1"
_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"


@dataclass
class HostileServer:
    """What a test sees of the server: its base URL and the requests it answered."""

    respond: Responder
    key_vault: bool
    url: str = ""
    ca_path: str | None = None
    requests: list[str] = field(default_factory=list)  # "GET /path?query" of each request
    state: dict[str, Any] = field(default_factory=dict)  # the responder's own counters

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.key_vault and not request.headers.get("Authorization", "").lower().startswith(
                "bearer "):
            # Key Vault's SDK sends a token-less request first and expects this challenge.
            return web.json_response(
                {"error": {"code": "Unauthorized", "message": MISSING_TOKEN}}, status=401,
                headers={"WWW-Authenticate": challenge_header(DEFAULT_TENANT, request.host)})
        self.requests.append(f"{request.method} {request.path_qs}")
        return await self.respond(self, request)


@contextmanager
def serve(respond: Responder, *, tls_dir: Path | None = None) -> Iterator[HostileServer]:
    """Run ``respond`` for every request (after Key Vault's challenge when ``tls_dir`` is
    given: the server is then https with a private CA made there)."""
    tls: TlsMaterial | None = ensure_tls(tls_dir) if tls_dir is not None else None
    server = HostileServer(respond, key_vault=tls is not None)
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server.url = f"https://127.0.0.1:{port}" if tls else f"http://127.0.0.1:{port}/{ACCOUNT}"
    server.ca_path = str(tls.ca_path) if tls else None
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    started = threading.Event()

    def main() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.SockSite(runner, sock, ssl_context=tls.server_context() if tls else None)
        loop.run_until_complete(site.start())
        started.set()
        loop.run_forever()
        pending = asyncio.all_tasks(loop)  # handlers still trickling or silent
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=main, name="hostile-server", daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


# --- misbehaviours ----------------------------------------------------------------------------


async def trickle(request: web.Request, body: bytes, *, interval: float,
                  content_type: str = "application/json") -> web.StreamResponse:
    """Headers at once, then the body one byte every ``interval`` seconds."""
    response = web.StreamResponse(headers={"Content-Type": content_type,
                                           "Content-Length": str(len(body))})
    await response.prepare(request)
    for index in range(len(body)):
        await response.write(body[index:index + 1])
        await asyncio.sleep(interval)
    await response.write_eof()
    return response


async def silent(seconds: float) -> web.StreamResponse:
    """Nothing at all (not even headers) for ``seconds``."""
    await asyncio.sleep(seconds)
    return web.Response(status=500)


@cache
def gzip_bomb(inflated_mib: int, prefix: bytes = b"", fill: bytes = b"\0") -> bytes:
    """A gzip member of ``prefix`` then ``inflated_mib`` MiB of ``fill`` (~1 KB per MiB),
    built without compressing it all: after a full flush deflate starts afresh, so one flushed
    MiB of ``fill`` compresses to the same bytes every time and can be repeated. The trailer's
    CRC is not that of the data (a client stopping at its cap never gets there)."""
    one = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    start = one.compress(prefix) + one.flush(zlib.Z_FULL_FLUSH)
    mib = fill * ((1 << 20) // len(fill))
    block = one.compress(mib) + one.flush(zlib.Z_FULL_FLUSH)
    assert block == one.compress(mib) + one.flush(zlib.Z_FULL_FLUSH)
    header = gzip.compress(b"")[:10]  # magic, method, flags, mtime, xfl, os
    end = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)
    size = (len(prefix) + (inflated_mib << 20)) & 0xFFFFFFFF
    return (header + start + block * inflated_mib + end + (0).to_bytes(4, "little")
            + size.to_bytes(4, "little"))


# The start of a List Containers answer, then whitespace: well-formed as far as it goes.
XML_BOMB_PREFIX = (b'<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Containers>'
                   b"<Container><Name>bomb</Name><Properties/><Metadata><note>")


def gzip_response(body: bytes, content_type: str) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": content_type,
                                            "Content-Encoding": "gzip"})


# --- Key Vault shapes -------------------------------------------------------------------------


def kv_secret(base: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"{base}/secrets/{name}",
            "attributes": {"enabled": True, "created": 1_700_000_000, "updated": 1_700_000_000,
                           "recoveryLevel": "Recoverable+Purgeable"},
            "tags": {}, **extra}


def kv_page_json(request: web.Request, names: list[str], next_link: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    base = f"https://{request.host}"
    return {"value": [kv_secret(base, name, **extra) for name in names], "nextLink": next_link}


def kv_page(request: web.Request, names: list[str], next_link: str | None = None,
            **extra: Any) -> web.Response:
    return web.json_response(kv_page_json(request, names, next_link, **extra))


def kv_secret_body(request: web.Request, name: str, value: str) -> bytes:
    base = f"https://{request.host}"
    return json.dumps(kv_secret(base, f"{name}/0123456789abcdef0123456789abcdef",
                                value=value)).encode()


# --- Blob Storage shapes ----------------------------------------------------------------------


def containers_page(request: web.Request, names: list[str], next_marker: str | None = None,
                    *, metadata_bytes: int = 0) -> bytes:
    metadata = f"<note>{'x' * metadata_bytes}</note>" if metadata_bytes else ""
    items = "".join(
        f"<Container><Name>{escape(name)}</Name><Properties><Last-Modified>{_DATE}"
        f"</Last-Modified><Etag>\"0x1\"</Etag><LeaseStatus>unlocked</LeaseStatus>"
        f"<LeaseState>available</LeaseState><HasImmutabilityPolicy>false"
        f"</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties>"
        f"<Metadata>{metadata}</Metadata></Container>"
        for name in names)
    marker = f"<NextMarker>{escape(next_marker)}</NextMarker>" if next_marker else "<NextMarker/>"
    return (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint='
            f'"http://{request.host}/{ACCOUNT}/"><Containers>{items}</Containers>{marker}'
            f"</EnumerationResults>").encode()


def blobs_page(request: web.Request, names: list[str], next_marker: str | None = None, *,
               deleted: bool = False) -> bytes:
    """A List Blobs answer (flat): ``names`` as block blobs, soft-deleted ones if told."""
    flag = "<Deleted>true</Deleted>" if deleted else ""
    items = "".join(
        f"<Blob><Name>{escape(name)}</Name>{flag}<Properties><Last-Modified>{_DATE}"
        f"</Last-Modified><Etag>0x1</Etag><Content-Length>1</Content-Length>"
        f"<Content-Type>text/plain</Content-Type><BlobType>BlockBlob</BlobType></Properties>"
        f"<Metadata/></Blob>" for name in names)
    marker = f"<NextMarker>{escape(next_marker)}</NextMarker>" if next_marker else "<NextMarker/>"
    container = request.path.rstrip("/").rsplit("/", 1)[-1]
    return (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint='
            f'"http://{request.host}/{ACCOUNT}/" ContainerName="{escape(container)}"><Blobs>'
            f"{items}</Blobs>{marker}</EnumerationResults>").encode()


def xml_response(body: bytes) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": "application/xml",
                                            "x-ms-version": "2025-01-05"})


def blob_range(body: bytes, request: web.Request, **headers: str) -> web.Response:
    """A Get Blob answer with a Content-Range, as Blob Storage sends for a ranged GET."""
    first, last = 0, len(body) - 1
    wanted = request.headers.get("x-ms-range") or request.headers.get("Range") or ""
    if wanted.startswith("bytes="):
        start, _, end = wanted[6:].partition("-")
        first, last = int(start), min(int(end or last), len(body) - 1)
    return web.Response(status=206, body=body[first:last + 1], headers={
        "Content-Range": f"bytes {first}-{last}/{len(body)}", "ETag": '"0x8D0001"',
        "Last-Modified": _DATE, "x-ms-blob-type": "BlockBlob", "x-ms-version": "2025-01-05",
        "Content-Type": "application/octet-stream", **headers})
