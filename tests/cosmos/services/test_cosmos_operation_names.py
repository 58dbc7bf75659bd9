"""Cosmos DB names its own requests in the audit trail: what each call did ("query items",
"upsert item", "read throughput offer"…), told by its path and, for the POSTs to one feed, by
its headers; never a word of another kind ("download blob")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, cosmos_connection
from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.details import container_details
from vaultbrowser.cosmos.services.items import create_item, delete_item, read_item, replace_item
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.operation_names import cosmos_operation_name
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.emulators.cosmos_server import CosmosServer

ACCOUNT = "https://contoso.documents.azure.com:443"
DOCS = f"{ACCOUNT}/dbs/orders/colls/lines/docs"
QUERY = {"x-ms-documentdb-isquery": "True", "Content-Type": "application/query+json"}


@pytest.mark.parametrize(("method", "url", "headers", "name"), [
    ("GET", f"{ACCOUNT}/", {}, "read account"),
    ("GET", f"{ACCOUNT}/dbs", {}, "list databases"),
    ("POST", f"{ACCOUNT}/dbs", QUERY, "query databases"),
    ("POST", f"{ACCOUNT}/dbs", {}, "create database"),
    ("DELETE", f"{ACCOUNT}/dbs/orders", {}, "delete database"),
    ("GET", f"{ACCOUNT}/dbs/orders/colls", {}, "list containers"),
    ("GET", f"{ACCOUNT}/dbs/orders/colls/lines", {}, "read container"),
    ("PUT", f"{ACCOUNT}/dbs/orders/colls/lines", {}, "replace container"),
    ("GET", f"{ACCOUNT}/dbs/orders/colls/lines/pkranges", {}, "list partition key ranges"),
    ("GET", DOCS, {}, "list items"),
    ("GET", DOCS, {"A-IM": "Incremental feed"}, "read change feed"),
    ("POST", DOCS, QUERY, "query items"),
    ("POST", DOCS, {"x-ms-documentdb-isquery": "true"}, "query items"),  # any case
    ("POST", DOCS, {}, "create item"),
    ("POST", DOCS, {"x-ms-documentdb-is-upsert": "True"}, "upsert item"),
    ("POST", DOCS, {**QUERY, "x-ms-documentdb-is-upsert": "True"}, "upsert item"),  # writes
    ("POST", DOCS, {"x-ms-cosmos-is-batch-request": "True"}, "item batch"),
    ("GET", f"{DOCS}/item-7", {}, "read item"),
    ("PUT", f"{DOCS}/item-7", {}, "replace item"),
    ("PATCH", f"{DOCS}/item-7", {}, "patch item"),
    ("DELETE", f"{DOCS}/item-7", {}, "delete item"),
    ("POST", f"{ACCOUNT}/offers", QUERY, "query throughput offers"),
    ("GET", f"{ACCOUNT}/offers/AbCd", {}, "read throughput offer"),
    ("PUT", f"{ACCOUNT}/offers/AbCd", {}, "replace throughput offer"),
    ("POST", f"{ACCOUNT}/dbs/orders/colls/lines/sprocs/tally", {}, "execute stored procedure"),
    ("GET", f"{ACCOUNT}/dbs/orders/colls/lines/udfs", {}, "list user-defined functions"),
])
def test_each_request_is_named_by_what_it_does(method: str, url: str,
                                               headers: dict[str, str], name: str) -> None:
    assert cosmos_operation_name(method, url, headers) == name


def test_a_path_it_does_not_know_gets_no_name_and_ids_never_make_one() -> None:
    """None: the trail then names it generically. An id that spells a feed is still an id."""
    assert cosmos_operation_name("GET", f"{ACCOUNT}/dbs/orders/unknownfeed", {}) is None
    assert cosmos_operation_name("POST", f"{ACCOUNT}/", {}) is None
    assert cosmos_operation_name("GET", f"{ACCOUNT}/dbs/docs", {}) == "read database"
    assert cosmos_operation_name("GET", f"{ACCOUNT}/dbs/docs/colls/dbs", {}) == "read container"


def test_the_trail_of_real_calls_names_each_by_what_it_did(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer], tmp_path: Path) -> None:
    seeded = seed(3)
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
    trail = AuditTrail(tmp_path / "trail.jsonl")  # no kinds: each record came named
    session = ServiceSession()
    session.journal.add_listener(trail.record_exchange)

    async def scenario() -> None:
        try:
            service = await open_service(session, cosmos_connection(cosmos_server))
            await service.databases()
            await service.containers(seeded.database)
            await service.items(container)
            found = (await read_item(service, container, "item-0001", "p1")).value
            created = (await create_item(service, container, {"id": "new", "pk": "p0"})).value
            replaced = (await replace_item(service, container, created,
                                           {**created.document, "colour": "red"})).value
            await service.container_client(container).upsert_item({**found.document, "n": 9})
            await delete_item(service, container, replaced)
            await container_details(service, container)
        finally:
            await session.aclose()

    run(scenario())
    entries = trail.read_all()
    operations = [entry["operation"] for entry in entries]
    assert {"read account", "list databases", "list containers", "query items", "read item",
            "create item", "replace item", "upsert item", "delete item", "read container",
            "query throughput offers"} <= set(operations), operations
    assert not [name for name in operations if "blob" in name], operations
    # every request was named by the kind: none fell to the generic "METHOD /path" name
    assert not [name for name in operations if name.split(" ", 1)[0].isupper()], operations
    assert len(entries) == len(session.journal)
