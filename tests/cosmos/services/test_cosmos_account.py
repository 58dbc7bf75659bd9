"""The account's own details (default consistency, regions) from the read the client makes when
it opens (no call of ours), in the account row's details; ARM's view beside them for a
discovered account; before the account opened, the details say when they come."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from tests.cosmos.conftest import cosmos_connection
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.models.details import describe
from vaultbrowser.cosmos.models.rows import CosmosRoot
from vaultbrowser.cosmos.services.account import AccountFacts, AccountRead
from vaultbrowser.cosmos.services.lazy_service import LazyCosmosService
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.emulators.cosmos_server import CosmosServer


def _rows(details: Details, section: str) -> dict[str, str]:
    (found,) = [s for s in details.sections if s.title == section]
    return dict(found.rows)


def test_the_account_read_at_open_is_told_by_the_service_and_the_row(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    connection = cosmos_connection(cosmos_server)

    async def scenario() -> tuple[AccountFacts | None, int]:
        session = ServiceSession()
        try:
            service = await open_service(session, connection)
            before = len(session.journal)
            await service.databases()  # later calls leave the account's facts as they are
            assert len(session.journal) == before + 1
            return service.account, before
        finally:
            await session.aclose()

    account, calls = run(scenario())
    assert calls == 1  # the client's own account read only: nothing extra was sent
    assert account is not None and account.consistency == "Session"
    assert account.write_regions == ("South Central US",) == account.read_regions
    assert account.multiple_write_regions is False
    assert account.response is not None and account.response.status == 200
    assert account.response.method == "GET"


def test_the_account_row_shows_its_own_read_and_arm_s_view() -> None:
    from vaultbrowser.core.services.connections import AuthMethod, Connection

    facts = AccountFacts("contoso", "BoundedStaleness", ("West Europe",),
                         ("West Europe", "North Europe"), True)
    discovered = Connection("cosmos", "https://contoso.documents.azure.com/",
                            AuthMethod.AZURE_CLI,
                            resource_properties=(("publicNetworkAccess", "Disabled"),
                                                 ("disableLocalAuth", "true")))
    opened = CosmosRoot(discovered, LazyCosmosService.of(SimpleNamespace(account=facts)))
    details = describe(opened)
    account = _rows(details, "Account")
    assert account["Default consistency"] == "BoundedStaleness"
    assert account["Read regions"] == "West Europe, North Europe"
    assert account["Multi-region writes"] == "Yes"
    assert _rows(details, "Resource Manager")["disableLocalAuth"] == "true"

    not_open = CosmosRoot(discovered, LazyCosmosService(_never_opened))
    details = describe(not_open)
    assert not [s for s in details.sections if s.title == "Account"]
    assert "read when it opens" in details.note and "Resource Manager" in details.note
    typed = CosmosRoot(Connection("cosmos", "https://contoso.documents.azure.com/"),
                       LazyCosmosService(_never_opened))
    assert [s.title for s in describe(typed).sections] == ["Connection"]


async def _never_opened() -> Any:
    raise AssertionError("describing a row sends nothing")


class _Response:
    """An HTTP response as azure-core hands it to the hook (the parts the hook reads)."""

    def __init__(self, status: int, body: str, request: Any) -> None:
        self.status_code, self._body, self.request = status, body, request
        self.headers: dict[str, str] = {}
        self.reason = ""

    def text(self) -> str:
        return self._body


def test_only_an_account_read_is_kept() -> None:
    read = AccountRead()

    def answer(method: str, url: str, status: int, body: str) -> None:
        request = SimpleNamespace(method=method, url=url)
        response = _Response(status, body, request)
        read.on_response(SimpleNamespace(http_request=request, http_response=response))

    account = '{"id": "a", "userConsistencyPolicy": {"defaultConsistencyLevel": "Eventual"}}'
    answer("GET", "https://a.documents.azure.com/dbs", 200, account)
    answer("GET", "https://a.documents.azure.com/", 403, account)
    answer("GET", "https://a.documents.azure.com/", 200, "not json")
    assert read.facts is None
    answer("GET", "https://a.documents.azure.com/", 200, account)
    assert read.facts is not None and read.facts.consistency == "Eventual"
    answer("GET", "https://a.documents.azure.com/", 200, '{"id": "not an account"}')
    assert read.facts.consistency == "Eventual"
