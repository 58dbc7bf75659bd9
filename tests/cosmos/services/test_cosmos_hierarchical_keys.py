"""Hierarchical partition keys (``MultiHash``: several key paths), which the local server
refuses ("missing partition keys"), through the mock transport of the real service: the
container's details show every path, the item table puts id then the whole key first, and a
read, an edit and a delete send the full key (every path's value, in the paths' order)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.rest import HttpRequest

from tests.cosmos.services.real_service import (
    CosmosMockResponse,
    ok,
    real_service,
    service_error,
)
from tests.mock_transport import MockResponse
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.cosmos.services.details import container_details
from vaultbrowser.cosmos.services.failures import PartitionKeyMismatch
from vaultbrowser.cosmos.services.items import (
    check_document,
    create_item,
    delete_item,
    read_item,
    replace_item,
)
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import ContainerRecord

PATHS = ("/tenantId", "/userId", "/session/id")
TENANTS = ContainerRecord("app", "events", PATHS)
KEY = ["contoso", "u-7", "s-1"]
DOCUMENT = {"id": "e-1", "tenantId": "contoso", "userId": "u-7", "session": {"id": "s-1"},
            "kind": "click", "at": 3}
KEY_HEADER = "x-ms-documentdb-partitionkey"


def _stored(document: dict[str, Any], etag: str = '"e1"') -> dict[str, Any]:
    return {**document, "_etag": etag, "_ts": 1700000000, "_rid": "r", "_self": "s"}


class Events:
    """The service's answers for one item of the ``events`` container; ``keys``: the
    partition key header of each item request, by method."""

    def __init__(self) -> None:
        self.keys: list[tuple[str, Any]] = []

    def __call__(self, request: HttpRequest) -> MockResponse:
        header = request.headers.get(KEY_HEADER)
        if "/docs" in request.url:
            self.keys.append((request.method, json.loads(header) if header else None))
        if request.url.endswith("/offers") or "/offers" in request.url:
            return service_error(403, "Forbidden", "Request blocked by Auth.")
        if request.method == "POST" and request.headers.get("x-ms-documentdb-isquery"):
            return ok({"_rid": "r", "Documents": [_stored(DOCUMENT),
                                                   _stored({**DOCUMENT, "id": "e-2"})],
                       "_count": 2})
        if request.method == "POST":
            return ok(_stored(json.loads(request.body)), status=201)
        if request.method == "GET":
            return ok(_stored(DOCUMENT))
        if request.method == "PUT":
            return ok(_stored(json.loads(request.body), '"e2"'))
        if request.method == "DELETE":
            return CosmosMockResponse(204, {"x-ms-request-charge": "1"}, b"")
        return service_error(405, "MethodNotAllowed", "Not this.")


def test_container_details_show_every_key_path(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        async with real_service(Events(), key_paths=PATHS) as (service, _journal, _mock):
            details = (await container_details(service, ContainerRecord("app", "events"))
                       ).value
        assert details.container.partition_key_paths == PATHS
        assert (details.partition_key_kind, details.partition_key_version) == ("MultiHash", 2)
        assert "HTTP 403" in details.throughput.unavailable

    run(scenario())


def test_items_carry_the_whole_key_and_the_table_shows_id_then_the_key(
        run: Callable[..., Any], qapp: Any) -> None:
    from vaultbrowser.cosmos.models.cosmos_tree import FIXED_TITLES, CosmosTreeModel
    from vaultbrowser.cosmos.models.rows import ItemRow, common_properties

    events = Events()

    async def scenario() -> Any:
        async with real_service(events, key_paths=PATHS) as (service, _journal, _mock):
            return await service.items(TENANTS, ItemQuery().in_partition(KEY))

    page = run(scenario())
    assert ("POST", KEY) in events.keys  # the scoped query names the full key
    assert [item.partition_key for item in page.items] == [KEY, KEY]
    rows = [ItemRow(TENANTS, item) for item in page.items]
    model = CosmosTreeModel()
    model.set_property_columns(common_properties([r.document for r in rows], PATHS, 4),
                               by_user=False)
    assert model.column_titles()[:2] == FIXED_TITLES == ("id", "Partition key")
    assert [model.display(rows[0], column) for column in (0, 1)] == [
        "e-1", '["contoso","u-7","s-1"]']
    # the key is shown once: neither the key paths' own top-level properties nor a nested
    # path's parent holding only the key ({"id": "s-1"}) is a column of its own
    assert model.property_columns == ("kind", "at")


def test_read_edit_and_delete_send_the_full_key(run: Callable[..., Any]) -> None:
    events = Events()

    async def scenario() -> None:
        async with real_service(events, key_paths=PATHS) as (service, _journal, _mock):
            read = (await read_item(service, TENANTS, "e-1", KEY)).value
            assert read.partition_key == KEY
            edited = (await replace_item(service, TENANTS, read, {**DOCUMENT, "at": 4})).value
            assert edited.etag == '"e2"'
            with pytest.raises(PartitionKeyMismatch):  # another user: another partition
                await replace_item(service, TENANTS, edited, {**DOCUMENT, "userId": "u-8"})
            await delete_item(service, TENANTS, edited)
            created = (await create_item(service, TENANTS, {**DOCUMENT, "id": "e-3"})).value
            assert created.partition_key == KEY

    run(scenario())
    assert [method for method, _key in events.keys] == ["GET", "PUT", "DELETE", "POST"]
    assert all(key == KEY for _method, key in events.keys)


def test_an_item_needs_every_key_path() -> None:
    without_session = {key: value for key, value in DOCUMENT.items() if key != "session"}
    with pytest.raises(InvalidInput) as missing:
        check_document(without_session, TENANTS)
    assert "/session/id" in missing.value.message
    assert check_document(DOCUMENT, TENANTS)["session"] == {"id": "s-1"}
