"""Typed errors with advice for what the real service answers and the local server cannot
(auth refusals, the real 404, 429 with retry-after, syntax errors with their position,
partition-key mismatch, 413, cross-partition refusal), through the mock transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from azure.core.rest import HttpRequest

from tests.cosmos.services.real_service import (
    ACTIVITY,
    KEY,
    ok,
    real_service,
    service_error,
)
from tests.mock_transport import MockResponse
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    NotFound,
    Throttled,
)
from vaultbrowser.cosmos.services.details import read_throughput
from vaultbrowser.cosmos.services.failures import (
    CONTRIBUTOR_ROLE,
    READER_ROLE,
    CrossPartitionQueryRefused,
    PartitionKeyMismatch,
    QuerySyntaxError,
    RequestTooLarge,
)
from vaultbrowser.cosmos.services.items import create_item, read_item
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import CallFacts, ContainerRecord

CONTAINER = ContainerRecord("shop", "orders", ("/customer",))
RBAC_403 = ("Request blocked by Auth contoso : Request is blocked because principal "
            "[6a1f0000-0000-0000-0000-000000000000] does not have required RBAC permissions to "
            "perform action [Microsoft.DocumentDB/databaseAccounts/readMetadata] on resource "
            "[/]. Learn more: https://aka.ms/cosmos-native-rbac.")


def _always(response: MockResponse) -> Callable[[HttpRequest], MockResponse]:
    return lambda _request: response


def test_a_missing_data_plane_role_names_the_role_and_the_command(
        run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(403, "Forbidden", RBAC_403, sub_status=5301))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(AccessDenied) as denied:
                await service.databases()
        error = denied.value
        assert READER_ROLE in error.advice and CONTRIBUTOR_ROLE in error.advice
        assert "az cosmosdb sql role assignment create" in error.advice
        assert error.status == 403 and error.request_id == ACTIVITY
        assert error.service_message.startswith("Request blocked by Auth")
        assert "ActivityId" not in error.message

    run(scenario())


def test_local_auth_disabled_says_so(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(
            401, "Unauthorized",
            "Local Authorization is disabled. Use an AAD token to authorize all requests."))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(AuthenticationRequired) as refused:
                await service.containers("shop")
        assert "local (key) authentication is disabled" in refused.value.advice
        assert "Entra ID" in refused.value.advice

    run(scenario())


def test_the_real_404_of_a_point_read_is_not_found_at_once(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(
            404, "NotFound", "Entity with the specified id does not exist in the system. More "
            "info: https://aka.ms/cosmosdb-tsg-not-found"))
        async with real_service(answer) as (service, _journal, mock):
            with pytest.raises(NotFound) as missing:
                await read_item(service, CONTAINER, "order-1", "alice")
            # no existence query: that is for the local server's 500 only
            assert [r.method for r in mock.requests
                    if r.url.rstrip("/").endswith("order-1")] == ["GET"]
            assert not any(r.method == "POST" for r in mock.requests)
        assert missing.value.status == 404

    run(scenario())


def test_429_is_retried_as_the_service_asks_and_each_try_is_in_the_journal(
        run: Callable[..., Any]) -> None:
    throttled = service_error(
        429, "TooManyRequests",
        'Message: {"Errors":["Request rate is large. More Request Units may be needed, so no '
        'changes were made. Please retry this request later."]}', sub_status=3200,
        headers={"x-ms-retry-after-ms": "20"})
    tries: list[int] = []

    def answer(request: HttpRequest) -> MockResponse:
        tries.append(1)
        return throttled if len(tries) <= 2 else ok({"_rid": "", "Databases": [], "_count": 0})

    async def scenario() -> None:
        async with real_service(answer) as (service, journal, _mock):
            page = await service.databases()
            assert page.items == ()
            listed = [r for r in journal.records() if r.url.endswith("/dbs")]
            assert [r.response.status for r in listed] == [429, 429, 200]
            facts = CallFacts.of(listed[0].response)
            assert facts.retry_after == 0.02 and facts.request_charge == 1.0

    run(scenario())


def test_429_past_the_retries_is_throttled_with_the_wait(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(429, "TooManyRequests", "Request rate is large.",
                                       sub_status=3200, headers={"x-ms-retry-after-ms": "5"}))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(Throttled) as throttled:
                await service.databases()
        assert throttled.value.retry_after == 0.005
        assert "wait" in throttled.value.message

    run(scenario())


def test_a_syntax_error_says_where_it_is(run: Callable[..., Any]) -> None:
    errors = {"errors": [{"severity": "Error", "location": {"start": 9, "end": 13},
                          "code": "SC1001", "message": "Syntax error, incorrect syntax near "
                                                       "'FORM'."}]}

    async def scenario() -> None:
        answer = _always(service_error(400, "BadRequest",
                                       "Gateway Failed to Retrieve Query Plan: Message: "
                                       + json.dumps(errors, separators=(",", ":"))))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(QuerySyntaxError) as bad:
                await service.items(CONTAINER, ItemQuery.of("SELECT * FORM c"))
        (problem,) = bad.value.problems
        assert (problem.start, problem.end, problem.code) == (9, 13, "SC1001")
        assert "SELECT * FORM c"[problem.start:problem.end] == "FORM"
        assert "incorrect syntax near 'FORM'" in bad.value.message

    run(scenario())


@pytest.mark.parametrize(("status", "code", "message", "sub_status", "error"), [
    (400, "BadRequest", 'Message: {"Errors":["PartitionKey extracted from document doesn\'t '
     'match the one specified in the header. Learn more: '
     'https://aka.ms/CosmosDB/sql/errors/wrong-pk-value"]}', 1001, PartitionKeyMismatch),
    (413, "RequestEntityTooLarge", 'Message: {"Errors":["Request size is too large"]}', None,
     RequestTooLarge),
])
def test_write_refusals(run: Callable[..., Any], status: int, code: str, message: str,
                        sub_status: int | None, error: type[Exception]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(status, code, message, sub_status=sub_status))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(error):
                await create_item(service, CONTAINER, {"id": "o1", "customer": "alice"})

    run(scenario())


def test_a_cross_partition_query_refused(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(
            400, "BadRequest", "Cross partition query is required but disabled. Please set "
            "x-ms-documentdb-query-enablecrosspartition to true, specify "
            "x-ms-documentdb-partitionkey, or revise your query to avoid this exception."))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(CrossPartitionQueryRefused):
                await service.items(CONTAINER)

    run(scenario())


def test_throughput_not_readable_with_a_data_role_is_a_fact(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(403, "Forbidden", RBAC_403, sub_status=5301))
        async with real_service(answer) as (service, _journal, _mock):
            throughput = await read_throughput(service.container_client(CONTAINER))
        assert throughput.manual_ru is None and "HTTP 403" in throughput.unavailable

    run(scenario())


def test_session_tokens_and_keys_never_leave(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(ok({"_rid": "", "Databases": [], "_count": 0},
                            headers={"x-ms-session-token": "0:-1#1234"}))
        async with real_service(answer) as (service, journal, mock):
            page = await service.databases()
            assert mock.requests[-1].headers.get("Authorization")  # the key signed it
        assert page.response.header("x-ms-session-token") == "REDACTED"
        assert CallFacts.of(page.response).session_token_sent
        shown = repr([(r.url, r.response and r.response.headers) for r in journal.records()])
        assert "1234" not in shown and KEY not in shown and "sig%3D" not in shown.lower()

    run(scenario())


def test_a_wrong_key_says_so_without_the_signed_payload(run: Callable[..., Any]) -> None:
    async def scenario() -> None:
        answer = _always(service_error(
            401, "Unauthorized",
            "The input authorization token can't serve the request. The wrong key is being used "
            "or the expected payload is not built as per the protocol. For more info: "
            "https://aka.ms/cosmosdb-ts-401. Server used the following payload to sign: "
            "'get\\ndbs\\n\\nsat, 05 dec 2026 00:40:00 gmt\\n\\n'"))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(AuthenticationRequired) as refused:
                await service.databases()
        assert "Keys page" in refused.value.advice
        assert "payload to sign" not in refused.value.message

    run(scenario())


def test_a_problem_says_its_line_and_column() -> None:
    from vaultbrowser.cosmos.services.failures import QueryProblem

    sql = "SELECT *\nFROM c\nWHER c.n = 1"
    problem = QueryProblem(sql.index("WHER"), sql.index("WHER") + 4, "SC1001", "near 'WHER'")
    assert problem.line_column(sql) == (3, 1)
    assert QueryProblem(0, 0, "", "").line_column(sql) == (1, 1)


def test_a_real_500_on_a_point_read_stays_a_service_failure(run: Callable[..., Any]) -> None:
    from vaultbrowser.core.services.errors import ServiceUnavailable

    async def scenario() -> None:
        answer = _always(service_error(500, "InternalServerError", "Unknown server error."))
        async with real_service(answer) as (service, _journal, _mock):
            with pytest.raises(ServiceUnavailable):
                await read_item(service, CONTAINER, "order-1", "alice")

    run(scenario())
