"""How blob listings are fetched: one page per call, as our records.

``BlobLister`` is the seam for a faster listing path: a raw-HTTP lister (same pipeline, quick XML
parse straight into records) can replace ``SdkBlobLister`` inside ``BlobService`` without any
caller noticing. ``SdkBlobLister`` uses the SDK's pagers and its deserializer; records are made by
``blob_convert`` only.
"""

from __future__ import annotations

from typing import Any, Protocol

from azure.storage.blob.aio import BlobServiceClient

from vaultbrowser.errors import ServiceError
from vaultbrowser.services.blob_convert import blob_record, container_record, folder_item
from vaultbrowser.services.paging import fetch_page
from vaultbrowser.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord, Page

# The service's ceiling for maxresults on every list operation.
MAX_PAGE_SIZE = 5000

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
        self, container: str, prefix: str, *, page_size: int, continuation: str | None
    ) -> Page[BlobPrefixRecord | BlobRecord]: ...

    async def flat(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None
    ) -> Page[BlobRecord]: ...


class SdkBlobLister:
    """``BlobLister`` over the SDK's pagers: ``list_containers``, ``walk_blobs``, ``list_blobs``."""

    def __init__(self, client: BlobServiceClient, account_url: str) -> None:
        self._client = client
        self._account_url = account_url
        self._tags_supported = True

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
        self, container: str, prefix: str, *, page_size: int, continuation: str | None
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

        return await self._with_tags_fallback(
            make_pager, continuation, lambda item: folder_item(item, container)
        )

    async def flat(
        self, container: str, prefix: str, *, page_size: int, continuation: str | None
    ) -> Page[BlobRecord]:
        container_client = self._client.get_container_client(container)

        def make_pager(include: list[str], hooks: dict[str, Any]) -> Any:
            return container_client.list_blobs(
                name_starts_with=prefix or None,
                include=include,
                results_per_page=page_size,
                **hooks,
            )

        return await self._with_tags_fallback(
            make_pager, continuation, lambda item: blob_record(item, container)
        )

    async def _with_tags_fallback(self, make_pager: Any, continuation: str | None,
                                  convert: Any) -> Any:
        """List with ``include=metadata,tags``; without tags once the service refuses them."""
        if self._tags_supported:
            try:
                return await fetch_page(
                    lambda hooks: make_pager(["metadata", "tags"], hooks), continuation, convert
                )
            except ServiceError as exc:
                if exc.status != 400 or (exc.error_code or "").lower() not in _TAGS_REFUSED_CODES:
                    raise
                # Only a retry without tags that succeeds proves tags were the problem (a bad
                # continuation token, say, fails both ways and keeps its own error).
                try:
                    page = await fetch_page(
                        lambda hooks: make_pager(["metadata"], hooks), continuation, convert
                    )
                except ServiceError:
                    raise exc from None
                self._tags_supported = False
                return page
        return await fetch_page(
            lambda hooks: make_pager(["metadata"], hooks), continuation, convert
        )
