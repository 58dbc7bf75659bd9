"""``CosmosService``: one account's client, and its listings as ``Page``s.

Databases, containers and items page through the SDK's own pagers, one request per page
(``core.services.paging.fetch_page``: the response limits, the page's ``ResponseInfo``); the
continuation of an items page is the query's continuation token, handed back as it came.
"""

from __future__ import annotations

from typing import Any

from azure.cosmos.aio import ContainerProxy, CosmosClient

from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page
from vaultbrowser.cosmos.services.account import AccountFacts, AccountRead
from vaultbrowser.cosmos.services.failures import cosmos_translated
from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS, NEXT_PAGE_ITEMS, ItemQuery
from vaultbrowser.cosmos.services.records import ContainerRecord, DatabaseRecord, ItemRecord

# Databases and containers are few: pages of this many.
NAMES_PER_PAGE = 100


class CosmosService:
    """One account, opened (``opening.open_service``); closed by the session.

    Args:
        client: the SDK client, built on the session's transport (journal, read-only guard,
            limits); this service owns and closes it.
        endpoint: the account's canonical endpoint; ``where``: its name in messages.
        account_read: the client's hook keeping the account's own read (``account``).
    """

    def __init__(self, client: CosmosClient, *, endpoint: str, where: str,
                 read_only: bool = False, account_read: AccountRead | None = None) -> None:
        self.client = client
        self.endpoint = endpoint
        self.where = where
        self.read_only = read_only
        self._account_read = account_read

    @property
    def account(self) -> AccountFacts | None:
        """The account's latest read by the client (consistency, regions); None when the
        service was built without ``account_read`` or the read's body was not an account."""
        return self._account_read.facts if self._account_read is not None else None

    async def close(self) -> None:
        await self.client.close()

    # --- listings -------------------------------------------------------------------------

    async def databases(self, continuation: str | None = None) -> Page[DatabaseRecord]:
        """One page of the account's databases.

        Raises:
            VaultBrowserError: the typed error (``AccessDenied`` with the role to ask for…).
        """
        async with cosmos_translated():
            return await fetch_page(
                lambda hooks: self.client.list_databases(max_item_count=NAMES_PER_PAGE,
                                                         **hooks),
                continuation, DatabaseRecord.from_wire)

    async def containers(self, database: str,
                         continuation: str | None = None) -> Page[ContainerRecord]:
        """One page of a database's containers (with their partition key paths).

        Raises:
            VaultBrowserError: the typed error (``NotFound`` for a database gone…).
        """
        proxy = self.client.get_database_client(database)

        def listed(data: dict[str, Any]) -> ContainerRecord:
            # The listing has what the SDK's first query of a container would GET again (its
            # _rid and partition key): a proxy given them caches them for the client.
            if data.get("_rid") and data.get("partitionKey") and isinstance(data.get("id"), str):
                ContainerProxy(proxy.client_connection, proxy.database_link, data["id"],
                               properties=data)
            return ContainerRecord.from_wire(database, data)

        async with cosmos_translated():
            return await fetch_page(
                lambda hooks: proxy.list_containers(max_item_count=NAMES_PER_PAGE, **hooks),
                continuation, listed)

    async def items(self, container: ContainerRecord, query: ItemQuery | None = None,
                    continuation: str | None = None,
                    page_size: int | None = None) -> Page[ItemRecord]:
        """One page of a query over a container's items (default ``SELECT * FROM c``): the
        first page small (``FIRST_PAGE_ITEMS``), later ones larger, unless ``page_size``.
        The page's ``response`` has the request charge (``CallFacts.of``).

        Raises:
            QuerySyntaxError: the service could not parse the query (``problems``: where).
            VaultBrowserError: the typed error of any other failure.
        """
        query = query or ItemQuery()
        size = page_size or (NEXT_PAGE_ITEMS if continuation else FIRST_PAGE_ITEMS)
        proxy = self.container_client(container)
        paths = container.partition_key_paths
        options: dict[str, Any] = {"parameters": query.sdk_parameters(),
                                   "max_item_count": size}
        if query.scoped:
            options["partition_key"] = query.partition_key
        async with cosmos_translated():
            return await fetch_page(
                lambda hooks: proxy.query_items(query.text, **options, **hooks),
                continuation, lambda data: ItemRecord.from_wire(data, paths))

    def container_client(self, container: ContainerRecord) -> Any:
        """The SDK's proxy of a container (no request: proxies are made locally)."""
        return self.client.get_database_client(container.database).get_container_client(
            container.id)
