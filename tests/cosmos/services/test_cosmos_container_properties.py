"""A container listed by its database needs no read of its own before its first query: the
listing carries what the SDK would GET again (its _rid and partition key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cosmos.conftest import SeededContainer, cosmos_connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.emulators.cosmos_server import CosmosServer


def _first_page_calls(cosmos_server: CosmosServer, seeded: SeededContainer, listed: bool,
                      run: Callable[..., Any]) -> tuple[list[tuple[str, str]], int]:
    async def scenario() -> tuple[list[tuple[str, str]], int]:
        lister, querier = ServiceSession(), ServiceSession()
        try:
            service = await open_service(lister, cosmos_connection(cosmos_server))
            (container,) = (await service.containers(seeded.database)).items
            session = lister
            if not listed:  # another client's: what its SDK knows of the container is the name
                session = querier
                service = await open_service(querier, cosmos_connection(cosmos_server))
            before = len(session.journal)
            items = await service.items(container)
            calls = [(record.method, record.url) for record in session.journal.records()]
            return calls[before:], len(items.items)
        finally:
            await lister.aclose()
            await querier.aclose()

    return run(scenario())


def test_the_first_query_of_a_listed_container_sends_the_query_only(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(5)
    container = f"/dbs/{seeded.database}/colls/items"

    def reads_of_the_container(calls: list[tuple[str, str]]) -> int:
        # (the client may also read the account, "GET /", when it refreshes its regions)
        return sum(method == "GET" and url.rstrip("/").endswith(container)
                   for method, url in calls)

    calls, count = _first_page_calls(cosmos_server, seeded, True, run)
    assert count == 5
    assert reads_of_the_container(calls) == 0, calls
    assert ("POST", f"{cosmos_server.endpoint.rstrip('/')}{container}/docs/") in calls
    # the SDK alone reads the container first: what the listing saves
    calls, count = _first_page_calls(cosmos_server, seeded, False, run)
    assert count == 5
    assert reads_of_the_container(calls) == 1, calls
