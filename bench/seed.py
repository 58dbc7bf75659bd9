"""Seeding the benchmark's data: block blobs in Azurite, secrets in the Key Vault emulator.

Blob containers are seeded by writing Azurite's workspace (``seed_workspace``): Azurite PUTs
one blob into an empty disk workspace, and that record is written out once per name into its
database, which Azurite then loads (seconds; ``verify_listing`` checks the result through the
List Blobs API). PUTting 120,000 blobs instead takes 2.5–3.5 minutes on 2 cores, Azurite's own
CPU being the limit (~1 ms per PUT in its request dispatch, express and LokiJS).

``put_blobs_fast`` is that slow path (``BENCH_SEED=put``, and the fallback): raw HTTP/1.1 PUTs
over a few keep-alive sockets (a request is a few bytes built by hand), so that Azurite's CPU
is the limit, not the client's (``tests/services/blob_seed.put_blobs``, aiohttp, spends as
much CPU as Azurite does). They are signed with the account's Shared Key (an
``Authorization`` header) rather than a SAS: Azurite (express 5) parses the query string again
for every ``req.query`` read, and its dispatcher reads it once per candidate operation, so a
SAS query costs it 20–40 % more CPU per PUT (measured on 2 cores: 1.6 → 1.2–1.3 ms of
Azurite CPU per PUT). Names are ASCII without characters that need quoting.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

from azure.storage.blob import ContainerSasPermissions, generate_container_sas

from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, Azurite

API_VERSION = "2025-01-05"


def container_sas(container: str, *, write: bool = False) -> str:
    """A two-hour SAS for ``container`` of the devstore account (list/read, and write)."""
    return generate_container_sas(
        AZURITE_ACCOUNT_NAME, container, account_key=AZURITE_ACCOUNT_KEY,
        permission=ContainerSasPermissions(read=True, list=True, add=write, create=write,
                                           write=write),
        expiry=datetime.now(UTC) + timedelta(hours=2))


def blob_names(count: int) -> Iterator[str]:
    """``count`` names spread over folders (``d/000/b-000000``…), as a log container has."""
    return (f"d/{i // 1000:03d}/b-{i:06d}" for i in range(count))


def vault_seed(count: int) -> dict[str, object]:
    """The emulator's seed document for ``count`` secrets (one version each)."""
    return {"secrets": {f"secret-{i:05d}": f"value-{i}" for i in range(count)}}


async def _create_container(azurite: Azurite, container: str) -> None:
    from azure.storage.blob.aio import BlobServiceClient

    async with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        await client.create_container(container)


_ACCOUNT_KEY = base64.b64decode(AZURITE_ACCOUNT_KEY)


def shared_key_put(port: int, container: str, name: str, date: str, body: bytes) -> bytes:
    """A Put Blob (block blob) request for ``name``, signed with the devstore account key."""
    path = f"/{AZURITE_ACCOUNT_NAME}/{container}/{name}"
    # VERB, Content-Encoding, -Language, -Length, -MD5, -Type, Date, If-Modified-Since,
    # If-Match, If-None-Match, If-Unmodified-Since, Range; x-ms-* headers; the resource
    # (path-style URL: the account name, then the path that starts with it again).
    to_sign = (f"PUT\n\n\n{len(body) or ''}\n\n\n\n\n\n\n\n\n"
               f"x-ms-blob-type:BlockBlob\nx-ms-date:{date}\nx-ms-version:{API_VERSION}\n"
               f"/{AZURITE_ACCOUNT_NAME}{path}")
    signature = base64.b64encode(
        hmac.new(_ACCOUNT_KEY, to_sign.encode(), hashlib.sha256).digest()).decode()
    return (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: SharedKey {AZURITE_ACCOUNT_NAME}:{signature}\r\n"
            f"x-ms-date: {date}\r\nx-ms-blob-type: BlockBlob\r\nx-ms-version: {API_VERSION}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def put_blobs_fast(azurite: Azurite, container: str, names: Iterable[str], *,
                         connections: int = 12) -> int:
    """Create ``container`` and PUT a 1-byte block blob per name; returns how many.

    Raises:
        RuntimeError: Azurite answered a PUT with anything but 201.
    """
    await _create_container(azurite, container)
    pending = iter(names)
    count = 0

    async def worker() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection("127.0.0.1", azurite.port)
        try:
            for name in pending:
                date = formatdate(usegmt=True)
                writer.write(shared_key_put(azurite.port, container, name, date, b"x"))
                status = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                if not status.startswith(b"HTTP/1.1 201"):
                    raise RuntimeError(f"PUT {name}: {status!r} {body[:300]!r}")
                count += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return count


# --- a workspace written directly ---------------------------------------------------------

BLOB_DB = "__azurite_db_blob__.json"  # Azurite's LokiJS metadata database (disk persistence)
_BLOBS = "$BLOBS_COLLECTION$"
_TEMPLATE = "bench-template-blob"


def seed_workspace(workdir: Path, container: str, names: Sequence[str]) -> int:
    """Make ``workdir`` an Azurite workspace whose ``container`` holds a 1-byte blob per name.

    Azurite itself creates the container and PUTs one blob into an empty workspace (disk
    persistence; it saves its database when stopped), and that blob's record is then written
    out once per name, as Azurite's own inserts in name order would have left the database:
    ``$loki`` ids in order, each binary index sorted by its field with equal values newest
    first. Every record keeps the template's shape and payload reference (the one 1-byte
    extent); name, times, ETag and LokiJS ids are per blob. Seconds for what takes minutes of
    PUTs (Azurite's own CPU: ~1 ms per PUT). Start an ``Azurite(workdir, in_memory=False)`` on
    it and check it with ``verify_listing``. Returns how many blobs were written.

    Raises:
        RuntimeError: Azurite's database does not have the shape this relies on.
    """
    with Azurite(workdir=workdir, in_memory=False) as azurite:
        asyncio.run(put_blobs_fast(azurite, container, [_TEMPLATE], connections=1))
    path = workdir / BLOB_DB
    db = json.loads(path.read_text(encoding="utf-8"))
    blobs = next((c for c in db.get("collections", []) if c.get("name") == _BLOBS), None)
    if blobs is None or len(blobs.get("data", ())) != 1 or blobs["data"][0]["name"] != _TEMPLATE:
        raise RuntimeError(f"{path}: no single template blob in {_BLOBS}")
    template: dict[str, Any] = blobs["data"][0]
    properties: dict[str, Any] = template["properties"]
    stamped = [k for k, v in properties.items() if v == properties["lastModified"]]
    start_ms = int(datetime.now(UTC).timestamp() * 1000) - len(names)
    draw = random.Random(len(names)).randrange
    docs = []
    for number, name in enumerate(names):
        ms = start_ms + number
        when = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        props = {**properties, **dict.fromkeys(stamped, when),
                 "etag": f'"0x{ms * draw(70_000, 100_001):X}"'}  # as Azurite's newEtag()
        docs.append({**template, "name": name, "properties": props,
                     "meta": {**template["meta"], "created": ms}, "$loki": number + 1})
    for field, index in blobs["binaryIndices"].items():
        if not all(isinstance(doc.get(field), str) for doc in docs):
            raise RuntimeError(f"{path}: binary index on {field!r} is not over strings")
        index["values"] = sorted(range(len(docs)), key=lambda i: (docs[i][field], -i))
        index["dirty"] = False
    blobs["data"] = docs
    blobs["maxId"] = len(docs)
    if blobs.get("idIndex") is not None:
        blobs["idIndex"] = list(range(1, len(docs) + 1))
    path.write_text(json.dumps(db, separators=(",", ":")), encoding="utf-8")
    return len(docs)


def _list_page(azurite: Azurite, container: str, **query: str) -> tuple[list[str], str]:
    """One List Blobs page (up to 5,000): the names and the NextMarker ("" at the end)."""
    params = urlencode({"restype": "container", "comp": "list", "maxresults": "5000", **query})
    connection = http.client.HTTPConnection("127.0.0.1", azurite.port, timeout=60)
    try:
        connection.request("GET", f"/{AZURITE_ACCOUNT_NAME}/{container}?{params}&"
                           f"{container_sas(container)}", headers={"x-ms-version": API_VERSION})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"List Blobs {container}: {response.status} {body[:300]!r}")
    root = ElementTree.fromstring(body)
    return [name.text or "" for name in root.iter("Name")], root.findtext("NextMarker") or ""


def verify_listing(azurite: Azurite, container: str, names: Sequence[str]) -> None:
    """Check that ``container`` lists exactly ``names`` at its start, middle and end.

    The first page, every name of the middle folder (``prefix``), and what follows the
    second-to-last name (``marker``): a missing, extra or misplaced record shows up in one of
    them, in well under a second. (Every measured run also reports how many rows it listed;
    the runner compares those with the count.)

    Raises:
        RuntimeError: the listing differs.
    """
    expected = sorted(names)
    first, marker = _list_page(azurite, container)
    checks = [("first page", first, expected[:5000], bool(marker), len(expected) > 5000)]
    folder = expected[len(expected) // 2].rpartition("/")[0] + "/"
    middle, more = _list_page(azurite, container, prefix=folder)
    checks.append((f"prefix {folder}", middle, [n for n in expected if n.startswith(folder)],
                   bool(more), False))
    if len(expected) > 1:
        last, more = _list_page(azurite, container, marker=expected[-2])
        checks.append((f"after {expected[-2]}", last, expected[-1:], bool(more), False))
    for what, got, want, more, want_more in checks:
        if got != want or more != want_more:
            raise RuntimeError(f"{container} ({len(expected):,} blobs), {what}: listed "
                               f"{len(got):,} names{' and a NextMarker' if more else ''}, "
                               f"expected {len(want):,}")


def wait_until_idle(pid: int | None, timeout: float = 30.0) -> None:
    """Return once process ``pid`` used < 10 ms of CPU over 0.25 s (Linux; else at once)."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return

    def cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    deadline = time.monotonic() + timeout
    used = cpu()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu()
        if now - used < 0.01:
            return
        used = now
