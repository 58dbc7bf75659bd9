"""Every status the Cosmos DB issue lists, as the real service answers it (mock transport), is
its typed error with advice in plain words, the service's own words as the message (its
ActivityId kept apart as the request id, never in the text), and nothing of the key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.cosmos.services.real_service import (
    ACTIVITY,
    KEY,
    ok,
    real_service,
    service_error,
)
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    Conflict,
    NotFound,
    Throttled,
    VaultBrowserError,
)
from vaultbrowser.cosmos.services.failures import (
    CONTRIBUTOR_ROLE,
    CrossPartitionQueryRefused,
    PartitionKeyMismatch,
    RequestTooLarge,
)
from vaultbrowser.cosmos.services.items import (
    ItemChanged,
    create_item,
    read_item,
    replace_item,
)
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord

ORDERS = ContainerRecord("shop", "orders", ("/customer",))
ORDER = {"id": "o1", "customer": "alice", "total": 3}
LOADED = ItemRecord("o1", "alice", '"v1"', None, ORDER)
Call = Callable[[Any], Awaitable[Any]]

CASES: list[tuple[str, int, str, str, int | None, dict[str, str], Call, type, str]] = [
    ("401 local auth disabled", 401, "Unauthorized",
     "Local Authorization is disabled. Use an AAD token to authorize all requests.", None, {},
     lambda s: s.databases(), AuthenticationRequired, "Entra ID"),
    ("403 no data-plane role", 403, "Forbidden",
     "Request blocked by Auth contoso : Request is blocked because principal [x] does not have "
     "required RBAC permissions to perform action "
     "[Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/create]", 5301, {},
     lambda s: create_item(s, ORDERS, ORDER), AccessDenied, CONTRIBUTOR_ROLE),
    ("403 firewall", 403, "Forbidden",
     "Request originated from IP 203.0.113.9 through public internet. This is blocked by your "
     "Cosmos DB account firewall settings.", None, {},
     lambda s: s.databases(), AccessDenied, "firewall"),
    ("404", 404, "NotFound", "Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-"
     "found", None, {}, lambda s: s.containers("gone"), NotFound, "Refresh"),
    ("409", 409, "Conflict", "Entity with the specified id already exists in the system.",
     None, {}, lambda s: create_item(s, ORDERS, ORDER), Conflict, "choose another id"),
    ("413", 413, "RequestEntityTooLarge", "Request size is too large", None, {},
     lambda s: create_item(s, ORDERS, ORDER), RequestTooLarge, "2 MB"),
    ("429", 429, "TooManyRequests", "Request rate is large.", 3200,
     {"x-ms-retry-after-ms": "7"}, lambda s: s.databases(), Throttled, "Wait"),
    ("400 partition key mismatch", 400, "BadRequest",
     "PartitionKey extracted from document doesn't match the one specified in the header.",
     1001, {}, lambda s: create_item(s, ORDERS, ORDER), PartitionKeyMismatch,
     "delete and a create"),
    ("400 cross-partition refused", 400, "BadRequest",
     "Cross partition query is required but disabled. Please set "
     "x-ms-documentdb-query-enablecrosspartition to true.", None, {},
     lambda s: s.items(ORDERS, ItemQuery()), CrossPartitionQueryRefused, "one partition"),
]


@pytest.mark.parametrize(("status", "code", "said", "sub_status", "headers", "call", "error",
                          "advice"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_listed_status_is_its_typed_error_with_advice(
        run: Callable[..., Any], status: int, code: str, said: str, sub_status: int | None,
        headers: dict[str, str], call: Call, error: type, advice: str) -> None:
    async def scenario() -> VaultBrowserError:
        answer = service_error(status, code, said, sub_status=sub_status, headers=headers)
        async with real_service(lambda _request: answer) as (service, _journal, _mock):
            with pytest.raises(error) as raised:
                await call(service)
        return raised.value

    failure = run(scenario())
    assert failure.status == status and failure.request_id == ACTIVITY
    assert advice.lower() in (failure.advice or "").lower()
    words = said.split(".")[0]
    if status != 429:  # a 429's message says the wait in our words
        assert words in failure.message
    else:
        assert failure.retry_after == 0.007
    shown = f"{failure.message} {failure.advice} {failure.service_message}"
    assert ACTIVITY not in shown and "Microsoft.Azure.Documents" not in shown
    assert KEY not in shown


def test_412_on_an_edit_is_a_choice_with_the_current_version(run: Callable[..., Any]) -> None:
    current = {**ORDER, "total": 9, "_etag": '"v2"'}

    def answer(request: Any) -> Any:
        if request.method == "PUT":
            return service_error(412, "PreconditionFailed", "Operation cannot be performed "
                                 "because one of the specified precondition is not met.")
        return ok(current)

    async def scenario() -> ItemChanged:
        async with real_service(answer) as (service, _journal, mock):
            with pytest.raises(ItemChanged) as changed:
                await replace_item(service, ORDERS, LOADED, {**ORDER, "total": 4})
            (put,) = [r for r in mock.requests if r.method == "PUT"]
            assert put.headers.get("If-Match") == '"v1"'
        return changed.value

    changed = run(scenario())
    assert changed.status == 412 and changed.sent_etag == '"v1"'
    assert changed.current_etag == '"v2"' and changed.current is not None
    assert changed.current.document["total"] == 9
    assert "keep yours" in changed.advice and "take theirs" in changed.advice


def test_a_point_read_s_404_names_the_item(run: Callable[..., Any]) -> None:
    async def scenario() -> NotFound:
        answer = service_error(404, "NotFound", "Entity with the specified id does not exist "
                               "in the system.")
        async with real_service(lambda _request: answer) as (service, _journal, _mock):
            with pytest.raises(NotFound) as missing:
                await read_item(service, ORDERS, "o1", "alice")
        return missing.value

    assert "does not exist" in run(scenario()).message
