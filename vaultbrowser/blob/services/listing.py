"""How blob listings are fetched: one page per call, as our records.

``BlobLister`` is the seam ``BlobService`` lists through; two implementations, same records:

- ``FastBlobLister`` (the default): the List Blobs / List Containers request goes through the
  SDK client's own pipeline (auth and signing, SAS, retries, logging, the per-call
  ``raw_response_hook``, our ``RecordingTransport`` and its read-only guard, timeouts) but the
  XML body is parsed by ``blob_xml`` straight into records, in slices that never hold the event
  loop for long. About 4x faster than the SDK and, above all, never blocks the UI for seconds.
- ``SdkBlobLister``: the SDK's pagers and its model deserializer; records made by
  ``blob_convert``. Kept as the reference the fast path is tested against, and as a fallback
  (``BlobService(client, lister="sdk")``).

Both hand out the service's own marker string as ``next_token``, so a token from one continues
in the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
    map_error,
)
from azure.core.rest import HttpRequest
from azure.storage.blob._shared.response_handlers import process_storage_error
from azure.storage.blob.aio import BlobServiceClient

from vaultbrowser.blob.services.convert import blob_record, container_record, folder_item
from vaultbrowser.blob.services.listing_expat import (
    read_blob_columns,
    read_blob_columns_telling,
    records_of,
)
from vaultbrowser.blob.services.listing_xml import (
    DEFAULT_SLICE_SECONDS,
    Slicer,
    read_container_listing,
)
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.services.errors import ServiceError
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.limits import page_request
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.translate import translated

P = TypeVar("P")


# Error codes with which a service refuses ``include=tags`` (e.g. accounts with a hierarchical
# namespace, or an old service version): we then list without tags for the rest of the session.
_TAGS_REFUSED_CODES = frozenset(
    {"invalidqueryparametervalue", "featurenotsupported", "unsupportedqueryparameter"}
)


class BlobLister(Protocol):
    """Fetches exactly one page of a listing (one HTTP request) as records.

    Every method raises ``VaultBrowserError`` subclasses only, and returns a ``Page`` whose
    ``response`` is the HTTP response of that page's request.
    """

    async def containers(
        self, *, page_size: int, continuation: str | None, prefix: str | None
    ) -> Page[ContainerRecord]: ...

    async def folder(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobPrefixRecord | BlobRecord]: ...

    async def flat(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobRecord]: ...


class _TagsFallback:
    """List with ``include=metadata,tags``; without tags once the service refuses them."""

    def __init__(self) -> None:
        self._tags_supported = True

    async def _with_tags_fallback(self, fetch: Callable[[list[str]], Awaitable[P]]) -> P:
        """``fetch(include)`` one page; retried without tags when tags are what was refused."""
        if self._tags_supported:
            try:
                return await fetch(["metadata", "tags"])
            except ServiceError as exc:
                if exc.status != 400 or (exc.error_code or "").lower() not in _TAGS_REFUSED_CODES:
                    raise
                # Only a retry without tags that succeeds proves tags were the problem (a bad
                # continuation token, say, fails both ways and keeps its own error).
                try:
                    page = await fetch(["metadata"])
                except ServiceError:
                    raise exc from None
                self._tags_supported = False
                return page
        return await fetch(["metadata"])


class SdkBlobLister(_TagsFallback):
    """``BlobLister`` over the SDK's pagers: ``list_containers``, ``walk_blobs``, ``list_blobs``."""

    def __init__(self, client: BlobServiceClient, account_url: str) -> None:
        super().__init__()
        self._client = client
        self._account_url = account_url

    async def containers(
        self, *, page_size: int, continuation: str | None, prefix: str | None
    ) -> Page[ContainerRecord]:
        def make_pager(hooks: dict[str, Any]) -> Any:
            return self._client.list_containers(
                name_starts_with=prefix or None,
                include_metadata=True,
                results_per_page=page_size,
                **hooks,
            )

        account_url = self._account_url
        return await fetch_page(
            make_pager, continuation, lambda item: container_record(item, account_url)
        )

    async def folder(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobPrefixRecord | BlobRecord]:
        container_client = self._client.get_container_client(container)

        def make_pager(include: list[str], hooks: dict[str, Any]) -> Any:
            return container_client.walk_blobs(
                name_starts_with=prefix or None,
                include=include,
                delimiter="/",
                results_per_page=page_size,
                **hooks,
            )

        return await self._with_tags_fallback(lambda include: fetch_page(
            lambda hooks: make_pager(include, hooks), continuation,
            lambda item: folder_item(item, container)))

    async def flat(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobRecord]:
        container_client = self._client.get_container_client(container)

        def make_pager(include: list[str], hooks: dict[str, Any]) -> Any:
            return container_client.list_blobs(
                name_starts_with=prefix or None,
                include=include,
                results_per_page=page_size,
                **hooks,
            )

        return await self._with_tags_fallback(lambda include: fetch_page(
            lambda hooks: make_pager(include, hooks), continuation,
            lambda item: blob_record(item, container)))


# The generated operations' error map for the list operations (azure-storage-blob 12.31).
_LIST_ERROR_MAP = {
    401: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
    304: ResourceNotModifiedError,
}


class FastBlobLister(_TagsFallback):
    """``BlobLister`` that sends the SDK's own List requests and parses the XML itself.

    The request is an ``azure.core.rest.HttpRequest`` built as the generated
    ``build_list_blob_*_request`` functions build it (same query parameters, quoted the same
    way, same ``x-ms-version`` and ``Accept``) and run through the client's own pipeline with
    ``stream=True``: every policy applies, but azure-core's ``ContentDecodePolicy`` does not
    parse the body a first time on the loop, and ``blob_xml`` parses it as it arrives, a slice
    at a time (see ``blob_xml`` for why not a worker thread).

    Private SDK names relied on (azure-storage-blob 12.31, checked by the fast-listing tests):
    ``ContainerClient._pipeline`` / ``BlobServiceClient._pipeline`` (the client's
    ``AsyncPipeline``, the one its generated client runs), and
    ``azure.storage.blob._shared.response_handlers.process_storage_error`` (the SDK's own error
    typing, which ``BlobService`` already uses). ``url`` and ``api_version`` are public.

    What the SDK path does and this one does not: the body is streamed, so a connection lost
    after the headers is not retried by the pipeline (the page fails with ``NetworkError``;
    the model offers Retry); the secondary location (``location_mode``) is not used.
    """

    def __init__(self, client: BlobServiceClient, account_url: str, *,
                 slice_seconds: float = DEFAULT_SLICE_SECONDS) -> None:
        super().__init__()
        self._client = client
        self._account_url = account_url
        self._slice_seconds = slice_seconds

    async def containers(
        self, *, page_size: int, continuation: str | None, prefix: str | None
    ) -> Page[ContainerRecord]:
        params = {"comp": "list", "prefix": prefix or None, "marker": continuation or None,
                  "maxresults": page_size, "include": ["metadata"]}

        async def convert(body: Any, slicer: Slicer, max_items: int
                          ) -> tuple[tuple[Any, ...], str | None]:
            containers, marker = await read_container_listing(body, self._account_url, slicer,
                                                              max_items)
            return tuple(containers), marker

        return await self._page(self._client, params, convert)

    async def folder(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobPrefixRecord | BlobRecord]:
        return await self._blobs(container, prefix, page_size, continuation, delimiter="/",
                                 compact=compact)

    async def flat(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None,
        compact: bool = False,
    ) -> Page[BlobRecord]:
        return await self._blobs(container, prefix, page_size, continuation, delimiter=None,
                                 compact=compact)

    async def _blobs(self, container: str, prefix: str, page_size: int,
                     continuation: str | None, *, delimiter: str | None,
                     compact: bool = False) -> Page[Any]:
        container_client = self._client.get_container_client(container)

        async def convert(body: Any, slicer: Slicer, max_items: int
                          ) -> tuple[tuple[Any, ...], str | None]:
            # Prefixes first, then blobs. ``compact``: the page's columns themselves, a
            # ``Sequence`` whose records are built when asked (a tree holding a million).
            if compact:  # (the Blob tree: its Load all asks the next page before parsing)
                return await read_blob_columns_telling(  # type: ignore[return-value]
                    body, container, slicer, max_items)
            columns, marker = await read_blob_columns(body, container, slicer, max_items)
            return await records_of(columns, slicer), marker

        def fetch(include: list[str]) -> Awaitable[Page[Any]]:
            params = {"restype": "container", "comp": "list", "prefix": prefix or None,
                      "delimiter": delimiter, "marker": continuation or None,
                      "maxresults": page_size, "include": include}
            return self._page(container_client, params, convert)

        return await self._with_tags_fallback(fetch)

    async def _page(self, owner: Any, params: dict[str, Any],
                    convert: Callable[[Any, Slicer, int],
                                      Awaitable[tuple[tuple[Any, ...], str | None]]]
                    ) -> Page[Any]:
        """One GET of ``owner.url`` with ``params``; the body converted in slices as it arrives.
        A listing page's request: held to ``max_page_bytes`` and ``max_page_items``.

        Raises:
            VaultBrowserError: the typed error of the request (as the SDK path types it).
        """
        capture = ResponseCapture()
        slicer = Slicer(self._slice_seconds)
        async with translated():
            request = HttpRequest(
                "GET", owner.url, params=_query(params),
                headers={"x-ms-version": owner.api_version, "Accept": "application/xml"},
            )
            with page_request() as page:
                pipeline_response = await owner._pipeline.run(request, stream=True,
                                                              **capture.hooks)
            response = pipeline_response.http_response
            try:
                if response.status_code != 200:
                    await response.read()  # the error's code and message are in the body
                    _raise_storage_error(response)
                items, marker = await convert(response.iter_bytes(), slicer,
                                              page.limits.max_page_items)
                page.items = len(items)
            finally:
                await response.close()
        return Page(items, marker, capture.take())


def _query(params: dict[str, Any]) -> dict[str, str]:
    """Query parameters quoted as the generated request builders quote them (each value with
    ``quote(safe="")``; a list's items each quoted, joined by unquoted commas). None is left out.
    """
    query: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list):
            query[key] = ",".join(quote(str(item), safe="") for item in value)
        else:
            query[key] = quote(str(value), safe="")
    return query


def _raise_storage_error(response: Any) -> None:
    """Raise what the generated operation and the SDK's pager raise for this error response:
    ``map_error`` with the operation's error map, then ``process_storage_error``, which reads the
    storage error code (``x-ms-error-code`` or the XML body) into ``error_code``."""
    try:
        map_error(status_code=response.status_code, response=response, error_map=_LIST_ERROR_MAP)
        raise HttpResponseError(response=response)
    except HttpResponseError as exc:
        process_storage_error(exc)
