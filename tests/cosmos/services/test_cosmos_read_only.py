"""Read-only mode in the transport: every read and query goes through, every write the kind
(or the SDK under it) can issue is refused before the wire, and the server is unchanged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, admin_client, cosmos_connection
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.details import container_details
from vaultbrowser.cosmos.services.items import create_item, delete_item, read_item, replace_item
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.read_requests import cosmos_read_request
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.emulators.cosmos_server import CosmosServer

QUERY_HEADERS = {"x-ms-documentdb-isquery": "True", "Content-Type": "application/query+json"}


async def _snapshot(server: CosmosServer, database: str) -> Any:
    async with admin_client(server) as admin:
        db = admin.get_database_client(database)
        containers = sorted([[c["id"], c.get("defaultTtl")] async for c in db.list_containers()])
        proxy = db.get_container_client("items")
        items = sorted([[i["id"], i["_etag"]] async for i in proxy.read_all_items()])
        databases = sorted([d["id"] async for d in admin.list_databases()])
        return databases, containers, items


def _writes(service: Any, seeded: SeededContainer, loaded: Any
            ) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
    db = service.client.get_database_client(seeded.database)
    proxy = db.get_container_client(seeded.container)
    return [
        ("create item", lambda: create_item(service, container, {"id": "new", "pk": "p0"})),
        ("replace item", lambda: replace_item(service, container, loaded,
                                              {**loaded.document, "n": -1})),
        ("delete item", lambda: delete_item(service, container, loaded)),
        ("upsert item", lambda: proxy.upsert_item({"id": "new", "pk": "p0"})),
        ("patch item", lambda: proxy.patch_item(
            loaded.id, loaded.partition_key,
            [{"op": "set", "path": "/n", "value": -1}])),
        ("batch", lambda: proxy.execute_item_batch(
            [("create", ({"id": "b", "pk": "p0"},))], partition_key="p0")),
        ("create database", lambda: service.client.create_database("new-db")),
        ("delete database", lambda: service.client.delete_database(seeded.database)),
        ("create container", lambda: db.create_container(
            "new", partition_key={"paths": ["/pk"], "kind": "Hash"})),
        ("replace container", lambda: db.replace_container(
            proxy, partition_key={"paths": ["/pk"], "kind": "Hash"}, default_ttl=5)),
        ("delete container", lambda: db.delete_container(seeded.container)),
        ("create stored procedure", lambda: proxy.scripts.create_stored_procedure(
            {"id": "sp", "body": "function () {}"})),
        ("execute stored procedure", lambda: proxy.scripts.execute_stored_procedure(
            "sp", partition_key="p0")),
        ("delete all items of a partition", lambda: proxy.delete_all_items_by_partition_key(
            "p0")),
    ]


def test_reads_pass_and_every_write_is_refused_before_the_wire(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(12)
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))

    async def scenario() -> None:
        before = await _snapshot(cosmos_server, seeded.database)
        session = ServiceSession()
        service = await open_service(session, cosmos_connection(cosmos_server, read_only=True))
        try:
            assert service.read_only
            await service.databases()
            await service.containers(seeded.database)
            page = await service.items(container, ItemQuery.of("SELECT * FROM c WHERE c.n > @n",
                                                               {"@n": 3}))
            assert len(page.items) == 8
            await container_details(service, container)
            loaded = (await read_item(service, container, "item-0001", "p1")).value
            refused = []
            for what, write in _writes(service, seeded, loaded):
                sent = len(session.journal)
                with pytest.raises(ReadOnlyRefused):
                    await write()
                new = session.journal.records()[sent:]
                # nothing went out: the one record of the attempt says it was refused
                assert new and all(record.refused for record in new), what
                refused.append(what)
            assert len(refused) == 14
        finally:
            await session.aclose()
        assert await _snapshot(cosmos_server, seeded.database) == before

    run(scenario())


@pytest.mark.parametrize(("method", "path", "headers", "reads"), [
    ("POST", "/dbs/d/colls/c/docs", QUERY_HEADERS, True),
    ("POST", "/dbs", QUERY_HEADERS, True),
    ("POST", "/offers", QUERY_HEADERS, True),
    ("POST", "/dbs/d/colls/c/docs", {"Content-Type": "application/json"}, False),
    ("POST", "/dbs/d/colls/c/docs", {**QUERY_HEADERS, "x-ms-documentdb-is-upsert": "True"},
     False),
    ("POST", "/dbs/d/colls/c/docs", {**QUERY_HEADERS, "x-ms-cosmos-is-batch-request": "True"},
     False),
    ("POST", "/dbs/d/colls/c/sprocs/sp", QUERY_HEADERS, False),
    ("POST", "/dbs/d/colls/c/docs/x", QUERY_HEADERS, False),
    ("POST", "/dbs/d/colls/c/docs", {"x-ms-documentdb-isquery": "True",
                                     "Content-Type": "application/json"}, False),
    ("PUT", "/dbs/d/colls/c/docs/x", QUERY_HEADERS, False),
    ("DELETE", "/dbs/d", QUERY_HEADERS, False),
    ("PATCH", "/dbs/d/colls/c/docs/x", QUERY_HEADERS, False),
])
def test_only_queries_count_as_reads(method: str, path: str, headers: dict[str, str],
                                     reads: bool) -> None:
    verdict = cosmos_read_request(method, f"https://a.documents.azure.com{path}", headers)
    assert (verdict is not None) is reads
