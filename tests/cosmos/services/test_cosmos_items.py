"""Items against the local server: read, create, conditional replace and delete (412 with both
versions, never a silent overwrite), and container details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, admin_client, cosmos_connection
from vaultbrowser.core.services.errors import Conflict, InvalidInput, NotFound
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.details import container_details
from vaultbrowser.cosmos.services.failures import PartitionKeyMismatch
from vaultbrowser.cosmos.services.items import (
    ItemChanged,
    create_item,
    delete_item,
    read_item,
    replace_item,
)
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.emulators.cosmos_server import CosmosServer


def _container(seeded: SeededContainer) -> ContainerRecord:
    return ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))


async def _opened(server: CosmosServer) -> tuple[ServiceSession, Any]:
    session = ServiceSession()
    return session, await open_service(session, cosmos_connection(server))


def test_read_an_item_and_a_missing_one(run: Callable[..., Any], cosmos_server: CosmosServer,
                                        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(5)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            found = await read_item(service, _container(seeded), "item-0004", "p1")
            assert found.value.document["n"] == 4 and found.response.status == 200
            # Cosmos DB's id for support is its activity id (it sends no x-ms-request-id)
            activity_id = found.response.header("x-ms-activity-id")
            assert activity_id and found.response.request_id == activity_id
            with pytest.raises(NotFound):  # the server's 500, checked: README.md
                await read_item(service, _container(seeded), "no-such-item", "p1")
        finally:
            await session.aclose()

    run(scenario())


def test_create_replace_delete_conditional_on_the_etag(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(0)
    container = _container(seeded)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            created = (await create_item(service, container,
                                         {"id": "a", "pk": "p0", "colour": "red"})).value
            assert created.etag and created.partition_key == "p0"
            with pytest.raises(Conflict):  # never an upsert
                await create_item(service, container, {"id": "a", "pk": "p0"})
            edited = {**created.document, "colour": "green"}
            replaced = (await replace_item(service, container, created, edited)).value
            assert replaced.document["colour"] == "green" and replaced.etag != created.etag
            # someone else changes it: our stale version is refused with both ETags
            async with admin_client(cosmos_server) as admin:
                proxy = admin.get_database_client(seeded.database).get_container_client(
                    seeded.container)
                await proxy.replace_item("a", {"id": "a", "pk": "p0", "colour": "blue"})
            with pytest.raises(ItemChanged) as changed:
                await replace_item(service, container, replaced, {**edited, "colour": "pink"})
            assert changed.value.sent_etag == replaced.etag
            assert changed.value.current is not None
            assert changed.value.current.document["colour"] == "blue"
            assert changed.value.current_etag not in (None, replaced.etag)
            with pytest.raises(ItemChanged):
                await delete_item(service, container, replaced)
            current = (await read_item(service, container, "a", "p0")).value
            assert current.document["colour"] == "blue"  # nothing was overwritten
            # the user's choice: overwrite the current version
            await replace_item(service, container, changed.value.current, edited)
            latest = (await read_item(service, container, "a", "p0")).value
            await delete_item(service, container, latest)
            with pytest.raises(NotFound):
                await read_item(service, container, "a", "p0")
        finally:
            await session.aclose()

    run(scenario())


@pytest.mark.parametrize("document", [[1], {"pk": "p"}, {"id": ""}, {"id": "a/b", "pk": "p"},
                                      {"id": "a"}])
def test_an_invalid_item_is_refused_before_sending(
        run: Callable[..., Any], cosmos_server: CosmosServer, document: Any) -> None:
    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            sent = len(session.journal)
            with pytest.raises(InvalidInput):
                await create_item(service, ContainerRecord("d", "c", ("/pk",)), document)
            assert len(session.journal) == sent
        finally:
            await session.aclose()

    run(scenario())


def test_an_edit_cannot_move_an_item_to_another_partition(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(1)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            item = (await read_item(service, _container(seeded), "item-0000", "p0")).value
            with pytest.raises(PartitionKeyMismatch):
                await replace_item(service, _container(seeded), item,
                                   {**item.document, "pk": "elsewhere"})
        finally:
            await session.aclose()

    run(scenario())


def test_container_details(run: Callable[..., Any], cosmos_server: CosmosServer,
                           seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(0, default_ttl=-1)

    async def scenario() -> None:
        session, service = await _opened(cosmos_server)
        try:
            details = (await container_details(service, _container(seeded))).value
            assert details.container.partition_key_paths == ("/pk",)
            assert details.ttl_text == "On (no default expiry)"
            assert details.indexing_policy.get("indexingMode") == "consistent"
            # the server has no offers: said as a fact, not raised
            assert details.throughput.manual_ru is None
            assert "HTTP 400" in details.throughput.unavailable
        finally:
            await session.aclose()

    run(scenario())
