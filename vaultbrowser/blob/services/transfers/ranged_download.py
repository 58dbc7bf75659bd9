"""One blob downloaded as ranged GETs, several at once, each written at its offset in a file.

Qt-free. The first GET (range 0) tells the blob's size and ETag; the other ranges are then
fetched ``concurrency`` at a time, each written at its offset from a worker thread as soon as
it lands (one write at a time; the file is not truncated to its size first: see
``TempFile.write_at``). Every range after the first is conditional on
the first ETag (If-Match), so a blob that changes mid-download fails with
``BlobChangedDuringDownload`` instead of producing a mix of two versions. At most
``concurrency`` ranges (each at most ``range_size`` bytes) are held at once. Every request goes
through the service's client, i.e. the app's pipeline (journal, limits, read-only guard: these
are GETs).

Why parallel: one ranged GET at a time leaves the client idle while the server prepares the
next range and the server idle while the client parses and writes; a few in flight keep both
busy (the SDK's own ``max_concurrency`` does the same, writing on the event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

from vaultbrowser.blob.services.convert import total_size
from vaultbrowser.blob.services.rules import check_addressable_name
from vaultbrowser.core.services.errors import Conflict, InvalidInput, NetworkError
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.translate import translated
from vaultbrowser.core.services.workers import run_workers

__all__ = [
    "DEFAULT_RANGE_CONCURRENCY",
    "BlobChangedDuringDownload",
    "RangeTarget",
    "download_ranges",
]

# Measured with ``python -m bench.transfer`` (bench/README.md): 4 ranges in flight.
DEFAULT_RANGE_CONCURRENCY = 4

Progress = Callable[[int, int | None], None]


class BlobChangedDuringDownload(Conflict):
    """The blob was replaced or changed between two ranges of one download (HTTP 412)."""

    title = "Blob changed during download"
    default_advice = "Download it again to get its new version."


class RangeTarget(Protocol):
    """Where the ranges go (``TempFile``): written at offsets, in any order."""

    def write_at(self, offset: int, data: bytes) -> Awaitable[None]: ...


async def download_ranges(
    client: Any,
    container: str,
    name: str,
    target: RangeTarget,
    *,
    range_size: int,
    concurrency: int = DEFAULT_RANGE_CONCURRENCY,
    progress: Progress | None = None,
    slots: asyncio.Semaphore | None = None,
) -> int:
    """Download blob ``name`` of ``container`` into ``target``; the number of bytes written.

    ``client``: the service's ``BlobServiceClient`` (built on the session's transport).
    ``progress(written, total)`` runs on the loop after each write. ``slots``: shared by the
    downloads of one run, so that their ranges together stay within its count (memory: that
    many ranges, however many files are in flight). A cancellation or failure stops every
    range in flight and closes their connections; the caller discards the target.

    Raises:
        InvalidInput: a name the HTTP stack cannot address, or a size/concurrency below 1.
        NotFound: no such container or blob.
        BlobChangedDuringDownload: the blob changed during the download (HTTP 412).
        NetworkError: the service sent fewer bytes than a range asked for.
        VaultBrowserError: any other typed error; ``progress``' own exceptions propagate.
    """
    check_addressable_name(name)
    if range_size < 1 or concurrency < 1:
        raise InvalidInput(f"A download needs ranges of at least 1 byte and at least 1 at a "
                           f"time (got {range_size} bytes, {concurrency} at a time).")
    blob = client.get_blob_client(container, name)
    slots = slots or asyncio.Semaphore(concurrency)
    written = total = 0
    # One write at a time: threads writing one file at once contend for its lock in the
    # kernel (measured: 3× the system CPU of the same writes one after the other).
    writing = asyncio.Lock()

    async def land(offset: int, data: bytes) -> None:  # inside its range's slot
        nonlocal written
        async with writing:
            await target.write_at(offset, data)
        written += len(data)
        if progress is not None:
            progress(written, total)

    async with slots:
        first, total, etag = await _first_range(blob, name, range_size)
        if first:
            await land(0, first)
        del first  # not held while the other ranges come in
    ranges = _ranges(written, total, range_size)

    async def worker() -> None:
        for offset, length in ranges:
            async with slots:
                data = await _get_range(blob, offset, length, etag)
                if len(data) != length:
                    raise NetworkError(f"The service sent {len(data):,} of the {length:,} "
                                       f"bytes asked for at offset {offset:,} of “{name}”.")
                await land(offset, data)
                del data

    if written < total:
        await run_workers(worker, min(concurrency, -(-(total - written) // range_size)))
    return written


def _ranges(start: int, total: int, size: int) -> Iterator[tuple[int, int]]:
    for offset in range(start, total, size):
        yield offset, min(size, total - offset)


async def _first_range(blob: Any, name: str, length: int) -> tuple[bytes, int, str | None]:
    """Bytes 0…length-1, the blob's size and ETag. An empty blob answers 416: nothing to
    read, and no second request (which could fetch a blob that grew meanwhile in full)."""
    capture = ResponseCapture()
    with expecting(416):
        read = await _read(blob, capture, empty_ok=True, offset=0, length=length)
    if read is None:
        return b"", 0, None
    data, downloader = read
    total = total_size(capture.take())
    if total is None:  # the SDK itself insists on Content-Range; never trust a guess
        raise NetworkError(f"The service did not tell the size of “{name}”.")
    return data, total, downloader.properties.etag


async def _get_range(blob: Any, offset: int, length: int, etag: str | None) -> bytes:
    from azure.core import MatchConditions  # azure-core loads after the first paint

    conditions: dict[str, Any] = (
        {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {})
    try:
        read = await _read(blob, ResponseCapture(), offset=offset, length=length,
                           **conditions)
    except Conflict as exc:
        if exc.status != 412:
            raise
        raise BlobChangedDuringDownload(
            f"“{blob.blob_name}” changed on the server during the download; nothing was "
            "saved.", status=exc.status, error_code=exc.error_code,
            request_id=exc.request_id, service_message=exc.service_message) from exc
    assert read is not None
    return read[0]


async def _read(blob: Any, capture: ResponseCapture, *, empty_ok: bool = False,
                **options: Any) -> tuple[bytes, Any] | None:
    """One ranged GET read to its end (None: 416, when ``empty_ok``); typed errors."""
    from azure.core.exceptions import HttpResponseError

    opened: list[Any] = []
    inner = capture.hooks["raw_response_hook"]

    def hook(pipeline_response: Any) -> None:
        opened.append(pipeline_response.http_response)
        inner(pipeline_response)

    try:
        async with translated():
            try:
                downloader = await blob.download_blob(
                    max_concurrency=1, decompress=False, raw_response_hook=hook, **options)
            except HttpResponseError as exc:
                if empty_ok and exc.status_code == 416:
                    return None
                raise
            # The SDK has read the range's body already (one request up to 32 MiB);
            # readinto hands it over whole, where chunks() would copy it in slices.
            parts = _Parts()
            await downloader.readinto(parts)
    except BaseException:
        _close(opened)  # cancelled or failed mid-body: release the connection at once
        raise
    return parts.joined(), downloader


class _Parts:
    """A write-only stream keeping what it is given (usually one bytes object)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(data)
        return len(data)

    def joined(self) -> bytes:
        return self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)


def _close(responses: list[Any]) -> None:
    for response in responses:
        close = getattr(getattr(response, "internal_response", None), "close", None)
        if callable(close):
            close()  # aiohttp's ClientResponse.close(): synchronous, drops the connection
