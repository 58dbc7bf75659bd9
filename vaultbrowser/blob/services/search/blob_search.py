"""``BlobSearch``: the three ways to find blobs beyond the loaded rows, over one account's
``BlobService``:

- ``prefix_page``: one page of a server-side prefix listing (folder or flat), for type-ahead;
- ``deep``: a ``DeepSearch`` (substring, glob, regex, size and date ranges, client-side);
- ``find_by_tags``: one page of Find Blobs by Tags, in a container or across the account.

Every input is checked before a request (``InvalidInput``); every request goes through the
account client's pipeline (journal, read-only guard, limits) and fails typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.blob.services.rules import MAX_PAGE_SIZE
from vaultbrowser.blob.services.search.criteria import DeepCriteria, check_prefix
from vaultbrowser.blob.services.search.deep_search import DEFAULT_MAX_MATCHES, DeepSearch
from vaultbrowser.blob.services.search.tag_filter import TagFilter
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import EMPTY_MAPPING, Page

if TYPE_CHECKING:  # the blob SDK loads off the loop's thread, after the first paint
    from vaultbrowser.blob.services.blob_service import BlobService

__all__ = ["BlobSearch"]


class BlobSearch:
    def __init__(self, service: BlobService) -> None:
        self._service = service

    async def prefix_page(self, container: str, prefix: str, *, flat: bool, page_size: int,
                          continuation: str | None = None
                          ) -> Page[BlobPrefixRecord | BlobRecord]:
        """One page of what starts with ``prefix`` (a folder path plus the typed text): in
        folder mode one level (folders and blobs), flat every blob below.

        Raises:
            InvalidInput: a prefix no blob name can start with, or a bad page size.
            VaultBrowserError: the typed error of the request.
        """
        check_prefix(prefix)
        if flat:
            page: Page[Any] = await self._service.list_blobs_flat(
                container, prefix, page_size=page_size, continuation=continuation)
            return page
        return await self._service.list_folder(container, prefix, page_size=page_size,
                                               continuation=continuation)

    def deep(self, container: str, criteria: DeepCriteria, *, page_size: int = MAX_PAGE_SIZE,
             max_matches: int = DEFAULT_MAX_MATCHES) -> DeepSearch:
        """A deep search of ``container`` (nothing sent until its ``run``).

        Raises:
            InvalidInput: invalid criteria.
        """
        return DeepSearch(self._service, container, criteria, page_size=page_size,
                          max_matches=max_matches)

    async def find_by_tags(self, tag_filter: TagFilter, *, container: str | None = None,
                           continuation: str | None = None) -> Page[BlobRecord]:
        """One page of the blobs whose index tags match, in ``container`` or (None) across
        the account. The records carry the container, the name and the tags the filter
        named (the service returns only those); their other properties load on selection.

        No page size is asked for: the service's own (up to 5,000). Azurite (3.37) reads a
        page's worth of blobs *before* filtering them and stops without a continuation when
        fewer matched, so a smaller page there loses matches; with the default it is only
        wrong past 5,000 blobs. Paging is tested against the mock transport instead.

        Raises:
            InvalidInput: a container filter (@container) used inside one container.
            VaultBrowserError: the typed error of the request (a 400 for a filter the service
                refuses).
        """
        if container is not None and tag_filter.container is not None:
            raise InvalidInput("@container can only be used when searching the whole account.")
        client = self._service.client
        owner: Any = client if container is None else client.get_container_client(container)
        expression = tag_filter.expression

        def make_pager(hooks: dict[str, Any]) -> Any:
            return owner.find_blobs_by_tags(expression, **hooks)

        def convert(item: Any) -> BlobRecord:
            return BlobRecord(container=str(item.container_name or container or ""),
                              name=str(item.name),
                              tags=dict(item.tags) if item.tags else EMPTY_MAPPING)

        return await fetch_page(make_pager, continuation, convert)
