"""``BlobService``: async, read-only access to one storage account's Blob service.

Every method makes its HTTP calls with a fresh ``ResponseCapture`` so the returned ``Page`` or
``Result`` carries the ``ResponseInfo`` of the response that produced it, and every failure
reaches the caller as a ``VaultBrowserError`` (via ``translated()``). Listings fetch exactly one
page per call; the caller picks the page size (small first page, larger later ones) and passes
the previous page's ``next_token`` as ``continuation``.

The methods here send only GETs and HEADs. The writes are parts the service *has*:
``containers``, ``uploads``, ``deletes``, ``metadata`` and ``urls`` (each a module of its own
that sees the service as a ``BlobAccount``); the read-only pipeline guard refuses their
requests in read-only mode.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.storage.blob._shared.response_handlers import process_storage_error
from azure.storage.blob.aio import BlobServiceClient

from vaultbrowser.blob.services.convert import blob_record, container_record, total_size
from vaultbrowser.blob.services.listing import (
    BlobLister,
    FastBlobLister,
    SdkBlobLister,
)
from vaultbrowser.blob.services.previews.ranged_reads import BlobPreviews
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.services.rules import check_addressable_name, check_page_size
from vaultbrowser.blob.services.urls import BlobUrls
from vaultbrowser.blob.services.writes.containers import ContainerWrites
from vaultbrowser.blob.services.writes.deletes import BlobDeletes
from vaultbrowser.blob.services.writes.metadata import BlobMetadataWrites
from vaultbrowser.blob.services.writes.text_save import BlobTextSaves
from vaultbrowser.blob.services.writes.tiers import BlobTiers
from vaultbrowser.blob.services.writes.uploads import BlobUploads
from vaultbrowser.blob.services.writes.versions import BlobVersions
from vaultbrowser.core.services.errors import AccessDenied
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Page, ResponseInfo, Result
from vaultbrowser.core.services.redaction import redact_url
from vaultbrowser.core.services.translate import translated

__all__ = ["DEFAULT_DOWNLOAD_CHUNK", "BlobService"]

DEFAULT_DOWNLOAD_CHUNK = 8 * 1024 * 1024  # fewer round trips: ~2x the throughput of 4 MiB

Writer = Callable[[bytes], Awaitable[None] | None]
Progress = Callable[[int, int | None], None]



class BlobService:
    """One storage account's Blob service: reads here, writes in its parts (module docstring).

    Args:
        client: an ``azure.storage.blob.aio.BlobServiceClient`` built by the caller (with the
            session's ``RecordingTransport``). The service closes the client in ``close`` but
            never the transport, which its owner shares and closes.
        name: a display name; the account name by default.
        download_chunk_size: bytes per ranged GET in ``download_blob`` (the most it holds).
        lister: how listings are fetched: ``"fast"`` (default; the SDK's pipeline, our own XML
            parsing in loop-friendly slices) or ``"sdk"`` (the SDK's pagers and deserializer:
            the reference the fast path is tested against, and a fallback).
    """

    def __init__(
        self,
        client: BlobServiceClient,
        *,
        name: str | None = None,
        download_chunk_size: int = DEFAULT_DOWNLOAD_CHUNK,
        lister: str = "fast",
    ) -> None:
        if download_chunk_size <= 0:
            raise ValueError("download_chunk_size must be positive")
        if lister not in ("fast", "sdk"):
            raise ValueError(f"lister must be 'fast' or 'sdk' (got {lister!r})")
        self._client = client
        self.account_url: str = redact_url(client.url).split("?", 1)[0].rstrip("/")
        self.name: str = name or str(client.account_name or self.account_url)
        self._download_chunk_size = download_chunk_size
        # The one place that decides how listings are fetched.
        self._lister: BlobLister = (
            FastBlobLister(client, self.account_url) if lister == "fast"
            else SdkBlobLister(client, self.account_url)
        )
        self.containers = ContainerWrites(self)
        self.uploads = BlobUploads(self)
        self.deletes = BlobDeletes(self)
        self.metadata = BlobMetadataWrites(self)
        self.urls = BlobUrls(self)
        self.versions = BlobVersions(self)  # snapshots and versions: list, promote, delete
        self.tiers = BlobTiers(self)  # access tier of one blob or many (Blob Batch)
        self.previews = BlobPreviews(self)  # ranged reads for the preview (GETs)
        self.text_saves = BlobTextSaves(self)  # an edited blob saved back conditionally

    @property
    def client(self) -> BlobServiceClient:
        """The SDK client (its parts send their requests through it)."""
        return self._client

    def __repr__(self) -> str:
        return f"BlobService({self.name!r}, {self.account_url!r})"

    @property
    def download_chunk_size(self) -> int:
        """Bytes per ranged GET of a download (the ranged downloads of transfers, too)."""
        return self._download_chunk_size

    # --- listings -------------------------------------------------------------------------

    async def list_containers(
        self, *, page_size: int, continuation: str | None = None, prefix: str | None = None
    ) -> Page[ContainerRecord]:
        """One page of the account's containers, with metadata, lease and immutability flags.

        Raises:
            InvalidInput: ``page_size`` outside 1..5000.
            VaultBrowserError: the typed error of the request (AccessDenied, NetworkError…).
        """
        check_page_size(page_size)
        return await self._lister.containers(
            page_size=page_size, continuation=continuation, prefix=prefix
        )

    async def list_folder(
        self,
        container: str,
        prefix: str = "",
        *,
        page_size: int,
        continuation: str | None = None,
        compact: bool = False,
    ) -> Page[BlobPrefixRecord | BlobRecord]:
        """One page of ONE level under ``prefix`` (delimiter ``/``): virtual folders and blobs.

        ``compact`` (both listings): the page's items may be a ``listing_columns.BlobColumns``
        (a ``Sequence`` building each record when asked) instead of a tuple of records.

        ``prefix`` is "" for the container's root or a folder's prefix ending with "/". Folders
        come back as ``BlobPrefixRecord`` and are not expanded; within a page the service's
        prefixes come first, then its blobs (each group in name order). Blobs carry metadata
        (and tags where the service lists them).

        Raises:
            InvalidInput: ``page_size`` outside 1..5000.
            NotFound: the container does not exist (``error_code`` ``ContainerNotFound``).
            VaultBrowserError: any other typed error of the request.
        """
        check_page_size(page_size)
        return await self._lister.folder(
            container, prefix, page_size=page_size, continuation=continuation, compact=compact
        )

    async def list_blobs_flat(
        self,
        container: str,
        prefix: str = "",
        *,
        page_size: int,
        continuation: str | None = None,
        compact: bool = False,
    ) -> Page[BlobRecord]:
        """One page of every blob whose name starts with ``prefix``, at any depth, in name order.

        Blobs carry metadata, and tags where the service supports listing them (otherwise
        ``tags`` is empty and ``tag_count`` may still say how many there are).

        Raises:
            InvalidInput: ``page_size`` outside 1..5000.
            NotFound: the container does not exist (``error_code`` ``ContainerNotFound``).
            VaultBrowserError: any other typed error of the request.
        """
        check_page_size(page_size)
        return await self._lister.flat(
            container, prefix, page_size=page_size, continuation=continuation, compact=compact
        )

    # --- single items ---------------------------------------------------------------------

    async def get_container_properties(self, container: str) -> Result[ContainerRecord]:
        """The container's properties and metadata.

        Raises:
            NotFound: no such container (``ContainerNotFound``).
            VaultBrowserError: any other typed error.
        """
        capture = ResponseCapture()
        async with translated():
            props = await self._client.get_container_client(container).get_container_properties(
                **capture.hooks
            )
        if not props.name:
            props.name = container
        return Result(container_record(props, self.account_url), capture.take())

    async def get_blob_properties(
        self,
        container: str,
        name: str,
        *,
        snapshot: str | None = None,
        version_id: str | None = None,
    ) -> Result[BlobRecord]:
        """The blob's properties and metadata, plus its tags when it has any.

        Tags come from a second call (Get Blob Tags), made only when the properties say the
        blob has tags; if reading tags is not permitted, ``tags`` stays empty and ``tag_count``
        still tells how many there are. The Result's response is the properties request's.

        Raises:
            InvalidInput: a name the HTTP stack cannot address (``check_addressable_name``).
            NotFound: no such container or blob (``ContainerNotFound``/``BlobNotFound``).
            VaultBrowserError: any other typed error.
        """
        check_addressable_name(name)
        blob = self._client.get_blob_client(container, name, snapshot=snapshot)
        capture = ResponseCapture()
        version_kwargs: dict[str, Any] = {"version_id": version_id} if version_id else {}
        async with translated():
            props = await blob.get_blob_properties(**version_kwargs, **capture.hooks)
        response = capture.take()
        tags: Mapping[str, str] | None = None
        if props.tag_count:
            try:
                tags = (
                    await self._blob_tags(container, name, snapshot=snapshot,
                                          version_id=version_id)
                ).value
            except AccessDenied:
                tags = None  # e.g. a SAS without the "t" permission: show the count only
        props.name = props.name or name
        return Result(blob_record(props, container, tags=tags), response)

    async def get_blob_tags(self, container: str, name: str) -> Result[dict[str, str]]:
        """The blob's index tags (empty when it has none).

        Raises:
            InvalidInput: a name the HTTP stack cannot address.
            NotFound: no such container or blob.
            AccessDenied: the credential may not read tags.
            VaultBrowserError: any other typed error.
        """
        check_addressable_name(name)
        return await self._blob_tags(container, name)

    async def _blob_tags(
        self,
        container: str,
        name: str,
        *,
        snapshot: str | None = None,
        version_id: str | None = None,
    ) -> Result[dict[str, str]]:
        blob = self._client.get_blob_client(container, name, snapshot=snapshot)
        capture = ResponseCapture()
        async with translated():
            # BlobClient.get_blob_tags drops every keyword it does not know, raw_response_hook
            # included (azure-storage-blob 12.31), so call the generated operation it wraps and
            # let the SDK's own handler give the error its storage error code.
            try:
                generated = await blob._client.blob.get_tags(
                    snapshot=snapshot, version_id=version_id, **capture.hooks
                )
            except HttpResponseError as exc:
                process_storage_error(exc)
                raise  # process_storage_error always raises; this keeps type checkers honest
        tags = {str(tag.key): str(tag.value) for tag in (generated.blob_tag_set or [])}
        return Result(tags, capture.take())

    # --- download -------------------------------------------------------------------------

    async def download_blob(
        self,
        container: str,
        name: str,
        write: Writer,
        *,
        progress: Progress | None = None,
        snapshot: str | None = None,
        version_id: str | None = None,
    ) -> Result[int]:
        """Stream the blob's bytes, as stored, to ``write``; return how many were written.

        The blob is fetched in ranged GETs of at most ``download_chunk_size`` bytes, each passed
        to ``write`` (awaited when it returns an awaitable) before the next is requested, so no
        more than one chunk is held. Every range after the first is conditional on the first
        response's ETag: a blob that changes mid-download fails with ``Conflict`` rather than
        yielding a mix of two versions. ``progress(written, total)`` is called after each write
        (``total`` is None only if the service did not say). Content-Encoding is not undone.
        The Result's response is the first GET's.

        Raises:
            InvalidInput: a name the HTTP stack cannot address.
            NotFound: no such container or blob.
            Conflict: the blob changed during the download (HTTP 412).
            VaultBrowserError: any other typed error; an exception raised by ``write`` or
                ``progress`` propagates unchanged.
        """
        check_addressable_name(name)
        # A snapshot's or version's bytes when one is given (its history's Download).
        blob = self._client.get_blob_client(container, name, snapshot=snapshot,
                                            version_id=version_id)
        chunk = self._download_chunk_size
        first_response: ResponseInfo | None = None
        etag: str | None = None
        total: int | None = None
        written = 0
        opened = _OpenResponses()
        try:
            while total is None or written < total:
                capture = ResponseCapture()
                conditions: dict[str, Any] = (
                    {"etag": etag, "match_condition": MatchConditions.IfNotModified}
                    if etag else {}
                )
                async with translated():
                    try:
                        downloader = await blob.download_blob(
                            offset=written, length=chunk, max_concurrency=1, decompress=False,
                            **conditions, **opened.hooks(capture),
                        )
                    except HttpResponseError as exc:
                        if written or exc.status_code != 416:
                            raise
                        # A range on an empty blob is unsatisfiable: ask for the (empty) whole.
                        capture = ResponseCapture()
                        downloader = await blob.download_blob(
                            max_concurrency=1, decompress=False, **opened.hooks(capture)
                        )
                        total = 0
                    response = capture.take()
                    if first_response is None:
                        first_response = response
                        etag = downloader.properties.etag
                        if total is None:
                            total = total_size(response)
                received = 0
                chunks = downloader.chunks()
                while True:
                    async with translated():
                        try:
                            data = await chunks.__anext__()
                        except StopAsyncIteration:
                            break
                    # The caller's writer and progress run outside translated(): their own
                    # exceptions reach the caller unchanged.
                    received += len(data)
                    result = write(data)
                    if inspect.isawaitable(result):
                        await result
                    written += len(data)
                    if progress is not None:
                        progress(written, total)
                opened.forget()  # read to its end: its connection went back to the pool
                if total is None:
                    # The service did not tell the size: a short range means we reached the end.
                    if received < chunk:
                        break
                elif received == 0 and written < total:
                    break  # defensive: never spin if the service returns nothing
        except BaseException:
            opened.close_all()  # cancelled or failed mid-body
            raise
        return Result(written, first_response)

    # --- lifecycle ------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the SDK client (its pipeline). The shared transport stays open for its owner."""
        await self._client.close()


class _OpenResponses:
    """The raw responses of one download. The storage SDK drops a response whose body was
    being read when the download is cancelled or fails, without releasing its connection
    (aiohttp warns "Unclosed connection" when it is collected): this closes them at once."""

    def __init__(self) -> None:
        self._responses: list[Any] = []

    def hooks(self, capture: ResponseCapture) -> dict[str, Callable[[Any], None]]:
        inner = capture.hooks["raw_response_hook"]

        def hook(pipeline_response: Any) -> None:
            self._responses.append(pipeline_response.http_response)
            inner(pipeline_response)

        return {"raw_response_hook": hook}

    def forget(self) -> None:
        self._responses.clear()

    def close_all(self) -> None:
        responses, self._responses = self._responses, []
        for response in responses:
            close = getattr(getattr(response, "internal_response", None), "close", None)
            if callable(close):
                close()  # aiohttp's ClientResponse.close(): synchronous, drops the connection

