"""Opening an account and listing its databases, containers and items, against the local
server: pages, continuations, page sizes, the call's facts, partition scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, cosmos_connection
from vaultbrowser.core.services.errors import NotFound
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS, ItemQuery
from vaultbrowser.cosmos.services.records import CallFacts, ContainerRecord
from vaultbrowser.emulators.cosmos_server import CosmosServer


async def _opened(server: CosmosServer, **fields: Any) -> tuple[ServiceSession, Any]:
    session = ServiceSession()
    return session, await open_service(session, cosmos_connection(server, **fields))


def test_lists_databases_and_containers_with_their_partition_keys(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(0, key_path="/tenant", default_ttl=3600)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            databases = await service.databases()
            assert seeded.database in [d.id for d in databases.items]
            assert databases.response is not None and databases.response.status == 200
            containers = await service.containers(seeded.database)
            (record,) = containers.items
            assert (record.id, record.partition_key_paths) == ("items", ("/tenant",))
            assert record.default_ttl == 3600
            assert containers.next_token is None
        finally:
            await session.aclose()

    run(scenario())


def test_items_page_small_first_then_larger_through_the_query_continuation(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(FIRST_PAGE_ITEMS + 120)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
        try:
            first = await service.items(container)
            assert len(first.items) == FIRST_PAGE_ITEMS and first.next_token
            facts = CallFacts.of(first.response)
            assert facts.request_charge == 1.0 and facts.activity_id
            assert facts.continuation_present and facts.item_count == FIRST_PAGE_ITEMS
            second = await service.items(container, continuation=first.next_token)
            assert len(second.items) == 120 and second.next_token is None
            ids = [item.id for item in first.items + second.items]
            assert sorted(ids) == [f"item-{n:04d}" for n in range(seeded.count)]
            item = first.items[0]
            assert item.partition_key == item.document["pk"] and item.etag and item.size > 0
            assert item.modified is not None
        finally:
            await session.aclose()

    run(scenario())


def test_a_query_with_parameters_and_one_partition(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(30)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
        try:
            query = ItemQuery.of("SELECT * FROM c WHERE c.n >= @low", {"@low": 25})
            page = await service.items(container, query, page_size=3)
            assert len(page.items) == 3 and page.next_token
            rest = await service.items(container, query, page.next_token, page_size=10)
            assert sorted(i.document["n"] for i in page.items + rest.items) == [25, 26, 27, 28, 29]
            # The server ignores partition_key= on queries: the partition's listing filters in
            # SQL as well (README.md), so this holds here and on the real service alike.
            scoped = await service.items(container, ItemQuery.partition_items("/pk", "p1"))
            assert {i.partition_key for i in scoped.items} == {"p1"} and len(scoped.items) == 10
        finally:
            await session.aclose()

    run(scenario())


def test_a_database_that_is_gone_is_not_found(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            with pytest.raises(NotFound):
                await service.containers("no-such-database")
        finally:
            await session.aclose()

    run(scenario())


def test_every_call_is_in_the_activity_journal(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            await service.databases()
            records = session.journal.records()
            assert [r.method for r in records][:1] == ["GET"]  # the account read at opening
            assert records[-1].url.endswith("/dbs") and records[-1].response.status == 200
        finally:
            await session.aclose()

    run(scenario())
