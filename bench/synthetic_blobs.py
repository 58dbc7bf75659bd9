"""A synthetic Blob service for the big benchmark cases: List Containers and List Blobs over
N generated blobs, computed on the fly from the index (no storage, so 1,000,000 and 10,000,000
blobs cost nothing but the pages actually asked for).

``python -m bench.synthetic_blobs million=1000000 root1400k=1400000`` serves until Ctrl+C; the
bench and the tests use ``SyntheticBlobServer`` (a loopback aiohttp server on a thread).

The names (``BlobNames``) have a realistic shape: a few root files (``README.md``,
``manifest.json``), ``logs/YYYY/MM/DD/host-NN/part-NNNNNN.json`` (depth 6, 200–800 per folder),
``media/<kind>/NNNNNNN.jpg`` (depth 3) and ``backups/db-NN/NNNNN.bak``. They are built from
*blocks*: a block is ``stem + zero-padded index + suffix`` (or one fixed name), and no stem is a
prefix of another block's names, so each block's names are contiguous in the service's sort
order (binary, i.e. UTF-8 order; the names are ASCII, where code point order is the same).
The blocks are sorted once (a few thousand per million blobs); the k-th name is a bisect
plus a format, and the first index at or after any string is a binary search over k. A
delimiter listing therefore never enumerates: after a ``BlobPrefix`` it jumps to the first
name after every name under that prefix (``prefix + "0"``, "0" following "/").

Answers what the app and the SDK send to open an account and list a container: List
Containers, Get Container Properties, Get Account Information; List Blobs flat and with
``delimiter``, ``prefix``, ``marker``/``NextMarker`` (opaque: the base64 of where the next page
starts), ``maxresults`` (default and cap 5,000) and ``include=metadata,tags``. Any request it
does not know gets a 400 ``UnsupportedOperation`` and is counted in ``unknown`` (so a test can
see an operation the app started to need). Authorization is not checked: a bench server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
import contextlib
import datetime as dt
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from aiohttp import web

ACCOUNT = "devstoreaccount1"  # Azurite's well-known account: the app's emulator sign-in
API_VERSION = "2025-01-05"
MAX_RESULTS = 5000
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = dt.date(2024, 1, 1)


def _day_text(day: dt.date) -> str:
    """The date part of an RFC 1123 timestamp, ``"Wed, 03 Jan 2024 "``."""
    return f"{_WEEKDAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year} "


@dataclass(frozen=True, slots=True)
class Block:
    """``count`` names ``stem + f"{i:0{width}d}" + suffix`` (width 0: the one name ``stem``),
    with the properties they share."""

    stem: str
    count: int
    width: int
    suffix: str
    content_type: str
    size_low: int
    size_span: int
    day: str  # _day_text of the blobs' last modification


def _blocks(count: int) -> list[Block]:
    """The blocks of a container of ``count`` blobs, in name order."""
    blocks: list[Block] = []
    roots = [("README.md", "text/markdown"), ("manifest.json", "application/json")][:count]
    for name, kind in roots:
        blocks.append(Block(name, 1, 0, "", kind, 800, 4000, _day_text(_EPOCH)))
    left = count - len(blocks)
    backups = min(left, max(0, left // 200))  # 0.5 %: few, big
    media = min(left - backups, left // 10)  # 10 %
    logs = left - backups - media
    for db in range(8):
        part = backups // 8 + (1 if db < backups % 8 else 0)
        if part:
            blocks.append(Block(f"backups/db-{db:02d}/", part, 5, ".bak",
                                "application/octet-stream", 10**8, 4 * 10**9,
                                _day_text(_EPOCH + dt.timedelta(days=db))))
    for number, kind in enumerate(("originals", "previews", "thumbnails")):
        part = media // 3 + (1 if number < media % 3 else 0)
        if part:
            blocks.append(Block(f"media/{kind}/", part, 7, ".jpg", "image/jpeg",
                                (20_000, 50_000, 2_000)[number], (8 * 10**6, 400_000, 30_000)[
                                    number], _day_text(_EPOCH + dt.timedelta(days=30))))
    folder = 0
    while logs > 0:  # 8 hosts a day, 200–800 files per host and day
        day = _EPOCH + dt.timedelta(days=folder // 8)
        part = min(logs, 200 + (folder * 7919) % 601)
        blocks.append(Block(f"logs/{day.year}/{day.month:02d}/{day.day:02d}/host-{folder % 8:02d}"
                            "/part-", part, 6, ".json", "application/json", 300, 200_000,
                            _day_text(day)))
        logs -= part
        folder += 1
    blocks.sort(key=lambda block: block.stem)
    return blocks


class BlobNames:
    """The sorted names of a synthetic container, by index, without holding them."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.blocks = _blocks(count)
        self.starts: list[int] = []
        total = 0
        for block in self.blocks:
            self.starts.append(total)
            total += block.count
        assert total == count

    def locate(self, k: int) -> tuple[Block, int]:
        number = bisect.bisect_right(self.starts, k) - 1
        return self.blocks[number], k - self.starts[number]

    def name(self, k: int) -> str:
        block, i = self.locate(k)
        if not block.width:
            return block.stem
        return f"{block.stem}{i:0{block.width}d}{block.suffix}"

    def lower_bound(self, key: str) -> int:
        """The index of the first name ``>= key`` (``count`` when there is none)."""
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if self.name(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low

    def __iter__(self) -> Iterator[str]:
        return (self.name(k) for k in range(self.count))


def _after(prefix: str) -> str:
    """A key just after every name starting with ``prefix`` (a prefix ending in the delimiter)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def list_entries(names: BlobNames, prefix: str, delimiter: str, start: str, limit: int
                 ) -> tuple[list[tuple[str, int]], str | None]:
    """A page: ``(name, index)`` for blobs and ``(prefix, -1)`` for BlobPrefix entries, and
    where the next page starts (None at the end)."""
    entries: list[tuple[str, int]] = []
    k = names.lower_bound(max(prefix, start))
    while k < names.count:
        name = names.name(k)
        if not name.startswith(prefix):
            return entries, None
        if len(entries) == limit:
            return entries, name
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        if cut < 0:
            entries.append((name, k))
            k += 1
        else:
            folder = name[:cut + len(delimiter)]
            entries.append((folder, -1))
            k = names.lower_bound(_after(folder))
    return entries, None


def _blob_xml(names: BlobNames, name: str, k: int, metadata: bool, tags: bool) -> str:
    block, i = names.locate(k)
    mixed = (k * 2654435761) & 0xFFFFFFFF
    size = block.size_low + mixed % block.size_span
    second = mixed % 86400
    when = f"{block.day}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d} GMT"
    tier = "Cool" if mixed % 7 == 0 else ("Archive" if block.suffix == ".bak" and i % 3 else "Hot")
    inferred = "<AccessTierInferred>true</AccessTierInferred>" if tier == "Hot" else ""
    tagged = k % 10 == 0
    md5 = base64.b64encode(mixed.to_bytes(4, "big") * 4).decode("ascii")
    parts = [
        f"<Blob><Name>{escape(name)}</Name><Properties>"
        f"<Creation-Time>{when}</Creation-Time><Last-Modified>{when}</Last-Modified>"
        f"<Etag>0x8DC{mixed:08X}{k % 65536:04X}</Etag><Content-Length>{size}</Content-Length>"
        f"<Content-Type>{block.content_type}</Content-Type><Content-Encoding />"
        f"<Content-Language /><Content-CRC64 /><Content-MD5>{md5}</Content-MD5>"
        "<Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType>"
        f"<AccessTier>{tier}</AccessTier>{inferred}<LeaseStatus>unlocked</LeaseStatus>"
        "<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
        f"{'<TagCount>1</TagCount>' if tagged else ''}</Properties>"]
    if metadata:
        parts.append(f"<Metadata><source>{name.split('/', 1)[0]}</source></Metadata>"
                     if k % 5 == 0 else "<Metadata />")
    if tags and tagged:
        parts.append("<Tags><TagSet><Tag><Key>retention</Key><Value>"
                     f"{'long' if k % 20 == 0 else 'short'}</Value></Tag></TagSet></Tags>")
    parts.append("</Blob>")
    return "".join(parts)


def _marker_text(start: str | None) -> str:
    return base64.urlsafe_b64encode(start.encode()).decode("ascii") if start else ""


def _marker_start(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ValueError(marker) from exc


class SyntheticBlobService:
    """The aiohttp application: ``containers`` maps a container's name to its blob count."""

    def __init__(self, containers: dict[str, int]) -> None:
        self.containers = {name: BlobNames(count) for name, count in sorted(containers.items())}
        self.requests = 0
        self.unknown: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        parts = [part for part in request.path.split("/") if part]
        query = request.query
        comp, restype = query.get("comp"), query.get("restype")
        if parts and parts[0] == ACCOUNT:
            if len(parts) == 1 and comp == "list" and request.method == "GET":
                return self._xml(self._containers_xml(request))
            if len(parts) == 1 and comp == "properties" and restype == "account":
                return self._ok({"x-ms-sku-name": "Standard_LRS", "x-ms-account-kind": "StorageV2",
                                 "x-ms-is-hns-enabled": "false"})
            names = self.containers.get(parts[1]) if len(parts) == 2 else None
            if names is not None and restype == "container":
                if comp == "list" and request.method == "GET":
                    try:
                        return self._xml(self._blobs_xml(request, parts[1], names))
                    except ValueError:
                        return self._error(400, "InvalidQueryParameterValue")
                if comp is None and request.method in ("GET", "HEAD"):
                    return self._ok({"Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
                                     "ETag": '"0x8DC0000000000000"',
                                     "x-ms-lease-status": "unlocked",
                                     "x-ms-lease-state": "available",
                                     "x-ms-has-immutability-policy": "false",
                                     "x-ms-has-legal-hold": "false"})
            if len(parts) == 2 and names is None and restype == "container":
                return self._error(404, "ContainerNotFound")
        self.unknown.append(f"{request.method} {request.path_qs}")
        return self._error(400, "UnsupportedOperation")

    def _containers_xml(self, request: web.Request) -> str:
        prefix = request.query.get("prefix", "")
        items = "".join(
            f"<Container><Name>{escape(name)}</Name><Properties>"
            "<Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified>"
            '<Etag>"0x8DC0000000000000"</Etag><LeaseStatus>unlocked</LeaseStatus>'
            "<LeaseState>available</LeaseState><HasImmutabilityPolicy>false"
            "</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties>"
            f"{'<Metadata />' if 'metadata' in request.query.get('include', '') else ''}"
            "</Container>"
            for name in self.containers if name.startswith(prefix))
        return (f'<EnumerationResults ServiceEndpoint="{escape(self._endpoint(request))}">'
                f"<Prefix>{escape(prefix)}</Prefix><Containers>{items}</Containers>"
                "<NextMarker /></EnumerationResults>")

    def _blobs_xml(self, request: web.Request, container: str, names: BlobNames) -> str:
        query = request.query
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
        marker = query.get("marker", "")
        limit = min(MAX_RESULTS, int(query.get("maxresults", MAX_RESULTS)))
        if limit < 1:
            raise ValueError(limit)
        include = set(query.get("include", "").split(","))
        entries, resume = list_entries(names, prefix, delimiter,
                                       _marker_start(marker) if marker else "", limit)
        metadata, tags = "metadata" in include, "tags" in include
        body = "".join(
            f"<BlobPrefix><Name>{escape(name)}</Name></BlobPrefix>" if k < 0
            else _blob_xml(names, name, k, metadata, tags) for name, k in entries)
        head = "".join((
            f"<Prefix>{escape(prefix)}</Prefix>" if "prefix" in query else "",
            f"<Marker>{escape(marker)}</Marker>" if marker else "",
            f"<MaxResults>{limit}</MaxResults>" if "maxresults" in query else "",
            f"<Delimiter>{escape(delimiter)}</Delimiter>" if delimiter else ""))
        next_marker = f"<NextMarker>{_marker_text(resume)}</NextMarker>" if resume else (
            "<NextMarker />")
        return (f'<EnumerationResults ServiceEndpoint="{escape(self._endpoint(request))}" '
                f'ContainerName="{escape(container)}">{head}<Blobs>{body}</Blobs>'
                f"{next_marker}</EnumerationResults>")

    @staticmethod
    def _endpoint(request: web.Request) -> str:
        return f"http://{request.host}/{ACCOUNT}/"

    @staticmethod
    def _headers() -> dict[str, str]:
        return {"x-ms-request-id": str(uuid.uuid4()), "x-ms-version": API_VERSION,
                "Date": dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")}

    def _xml(self, text: str) -> web.Response:
        body = ('<?xml version="1.0" encoding="utf-8"?>' + text).encode()
        return web.Response(body=body, headers={**self._headers(),
                                                "Content-Type": "application/xml"})

    def _ok(self, headers: dict[str, str]) -> web.Response:
        return web.Response(status=200, headers={**self._headers(), **headers})

    def _error(self, status: int, code: str) -> web.Response:
        body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                f"<Message>{code}</Message></Error>").encode()
        return web.Response(status=status, body=body, headers={
            **self._headers(), "x-ms-error-code": code, "Content-Type": "application/xml"})


class SyntheticBlobServer:
    """``SyntheticBlobService`` on 127.0.0.1 (a free port), on a thread of its own; a context
    manager. ``blob_endpoint`` is the account URL the SDK and the app take."""

    def __init__(self, containers: dict[str, int]) -> None:
        self.service = SyntheticBlobService(containers)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None

    @property
    def blob_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    def __enter__(self) -> SyntheticBlobServer:
        self._thread = threading.Thread(target=self._run, name="synthetic-blobs", daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or not self.port:
            raise RuntimeError("the synthetic blob server did not start")
        return self

    def __exit__(self, *args: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        runner = web.AppRunner(self.service.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = runner.addresses[0][1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()


def main() -> int:
    containers = dict((name, int(count)) for name, count in
                      (arg.split("=", 1) for arg in sys.argv[1:])) or {"million": 1_000_000}
    with SyntheticBlobServer(containers) as server:
        print(f"serving {containers} at {server.blob_endpoint}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
