"""A user's query page by page, whatever it selects: documents (``SELECT * …``), projections
(``SELECT c.id, c.total …``) or bare values (``SELECT VALUE COUNT(1) …``).

``CosmosService.items`` makes every result an ``ItemRecord`` (a document of the container); the
query panel shows what the SQL selected, so each result stays the JSON value it is: an object
with an ``id`` becomes an ``ItemRecord``, anything else is kept as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page
from vaultbrowser.cosmos.services.failures import cosmos_translated
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord
from vaultbrowser.cosmos.services.service import CosmosService


async def query_page(service: CosmosService, container: ContainerRecord, query: ItemQuery,
                     continuation: str | None, page_size: int) -> Page[Any]:
    """One page of ``query``'s results: ``ItemRecord`` for an object with a text ``id``, the
    JSON value itself otherwise. The page's ``response`` has the request charge.

    Raises:
        QuerySyntaxError: the service could not parse the query (``problems``: where).
        VaultBrowserError: the typed error of any other failure.
    """
    proxy = service.container_client(container)
    paths = container.partition_key_paths
    options: dict[str, Any] = {"parameters": query.sdk_parameters(), "max_item_count": page_size}
    if query.scoped:
        options["partition_key"] = query.partition_key

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping) and isinstance(value.get("id"), str):
            return ItemRecord.from_wire(value, paths)
        return value

    async with cosmos_translated():
        return await fetch_page(lambda hooks: proxy.query_items(query.text, **options, **hooks),
                                continuation, convert)
