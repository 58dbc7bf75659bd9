"""Opening a Cosmos connection: every sign-in the kind takes, through the session's transport
(the account read is in the journal, over TLS verified against our CA)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cosmos.conftest import cosmos_connection
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.errors import InvalidInput, NetworkError
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.emulators.cosmos_server import COSMOS_SERVER_KEY, CosmosServer


def _connection_string(server: CosmosServer) -> str:
    return f"AccountEndpoint={server.endpoint};AccountKey={COSMOS_SERVER_KEY};"


@pytest.mark.parametrize("how", ["key", "key from the environment", "connection string",
                                 "local server"])
def test_opens_with_every_way_to_sign_in(run: Callable[..., Any], cosmos_server: CosmosServer,
                                        monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setenv("VB_TEST_COSMOS_KEY", COSMOS_SERVER_KEY)
    connection = {
        "key": cosmos_connection(cosmos_server, auth=AuthMethod.ACCOUNT_KEY,
                                 secret=SecretValue(COSMOS_SERVER_KEY)),
        "key from the environment": cosmos_connection(
            cosmos_server, auth=AuthMethod.ACCOUNT_KEY, secret_env="VB_TEST_COSMOS_KEY"),
        "connection string": cosmos_connection(
            cosmos_server, auth=AuthMethod.CONNECTION_STRING,
            secret=SecretValue(_connection_string(cosmos_server))),
        "local server": cosmos_connection(cosmos_server),
    }[how]

    async def scenario() -> None:
        session = ServiceSession()
        try:
            service = await open_service(session, connection)
            assert service.endpoint == cosmos_server.endpoint
            await service.databases()
            first = session.journal.records()[0]
            assert first.method == "GET" and first.response.status == 200
            assert first.authorized
            shown = repr(session.journal.records())
            assert COSMOS_SERVER_KEY not in shown and "sig%3D" not in shown
        finally:
            await session.aclose()

    run(scenario())


def test_a_connection_string_of_another_account_is_refused(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    other = (f"AccountEndpoint=https://other.documents.azure.com/;"
             f"AccountKey={COSMOS_SERVER_KEY};")
    connection = cosmos_connection(cosmos_server, auth=AuthMethod.CONNECTION_STRING,
                                   secret=SecretValue(other))

    async def scenario() -> None:
        session = ServiceSession()
        try:
            with pytest.raises(InvalidInput) as refused:
                await open_service(session, connection)
            assert COSMOS_SERVER_KEY not in str(refused.value)
        finally:
            await session.aclose()

    run(scenario())


def test_a_sign_in_cosmos_does_not_take_is_refused(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    async def scenario() -> None:
        session = ServiceSession()
        try:
            with pytest.raises(InvalidInput):
                await open_service(session, cosmos_connection(
                    cosmos_server, auth=AuthMethod.SAS, secret=SecretValue("sv=1&sig=x")))
        finally:
            await session.aclose()

    run(scenario())


def test_the_server_is_verified_against_our_ca_only(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    """Without the CA the server's certificate is not trusted: TLS is verified, never off."""
    async def scenario() -> None:
        session = ServiceSession()
        try:
            with pytest.raises(NetworkError) as failed:
                await open_service(session, cosmos_connection(cosmos_server, ca_path=None))
            assert "certificate" in failed.value.message
        finally:
            await session.aclose()

    run(scenario())


def test_the_activity_names_who_signed_never_the_signature() -> None:
    import base64
    import json
    from urllib.parse import quote

    from vaultbrowser.core.services.http.identity import identity_from_authorization

    claims = base64.urlsafe_b64encode(json.dumps({"upn": "alice@contoso.com"}).encode())
    token = f"eyJhbGciOiJub25lIn0.{claims.decode().rstrip('=')}.c2lnbmF0dXJl"
    aad = quote(f"type=aad&ver=1.0&sig={token}", safe="")
    master = quote("type=master&ver=1.0&sig=hzPoaYY4e4IGyte1255HSEi8uJsaE=", safe="")
    assert identity_from_authorization(aad) == "alice@contoso.com (user)"
    assert identity_from_authorization(master) == "account key"
    assert identity_from_authorization("sig%3Dabc") == "credentials"
