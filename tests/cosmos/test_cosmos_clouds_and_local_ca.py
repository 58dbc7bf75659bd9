"""Cosmos DB accounts in every Azure cloud (their suffixes are the clouds'), a local server
named by its host and port, and ``--cosmos-ca``: a local server with its own CA, opened from
the command line against the real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.app import build_parser, connections_from_args
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, NetworkError
from vaultbrowser.core.services.kinds import parse_address
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.signin import clouds
from vaultbrowser.core.services.signin.clouds import (
    AZURE_CHINA,
    AZURE_PUBLIC,
    AZURE_US_GOVERNMENT,
    cloud_of_url,
)
from vaultbrowser.cosmos.kind import KIND
from vaultbrowser.cosmos.services.addresses import account_name, normalize_cosmos_url
from vaultbrowser.cosmos.services.discovered import cosmos_connection_for_resource
from vaultbrowser.emulators.cosmos_server import COSMOS_SERVER_KEY, CosmosServer

ONLY = (KIND,)


@pytest.mark.parametrize(("endpoint", "name"), [
    ("https://contoso.documents.azure.com/", "contoso"),
    ("https://contoso.documents.azure.us/", "contoso"),
    ("https://127.0.0.1:8081/", "127.0.0.1:8081"),
    ("https://[::1]:8081/", "[::1]:8081"),
    ("https://localhost:8081/", "localhost:8081"),
    ("http://127.0.0.1/", "127.0.0.1"),
])
def test_an_account_s_name_and_a_local_server_s(endpoint: str, name: str) -> None:
    assert account_name(endpoint) == name


@pytest.mark.parametrize(("url", "cloud"), [
    ("https://acct.documents.azure.com/", AZURE_PUBLIC),
    ("https://acct.documents.azure.us/", AZURE_US_GOVERNMENT),
    ("https://acct.documents.azure.cn/", AZURE_CHINA),
    ("https://127.0.0.1:8081/", None),
])
def test_a_cosmos_account_s_cloud_signs_in_at_its_authority(url: str, cloud: Any) -> None:
    # the credential's authority is the URL's cloud's (login.microsoftonline.us for .us)
    assert cloud_of_url(url) == cloud


@pytest.mark.parametrize("host", ["acct.documents.azure.us", "acct.documents.azure.cn"])
def test_a_sovereign_account_opens_from_any_address(host: str) -> None:
    address = parse_address(ONLY, f"https://{host}:443/")
    assert address.kind == "cosmos" and address.connection is not None
    assert address.connection.url == f"https://{host}/"
    (connection,) = connections_from_args(build_parser(ONLY).parse_args(["--cosmos", f"https://{host}"]),
                                          ONLY)
    assert connection.url == f"https://{host}/" and connection.auth is AuthMethod.DEFAULT


def test_a_discovered_account_stays_in_the_sign_in_s_cloud() -> None:
    sign_in = Connection("azure", "https://management.azure.com", AuthMethod.AZURE_CLI)
    with pytest.raises(InvalidInput) as caught:
        cosmos_connection_for_resource("https://acct.documents.azure.cn:443/", sign_in, None)
    assert "Azure China" in caught.value.message
    china = Connection("azure", "https://management.chinacloudapi.cn", AuthMethod.AZURE_CLI)
    found = cosmos_connection_for_resource("https://acct.documents.azure.cn:443/", china, None)
    assert found.url == "https://acct.documents.azure.cn/"


def test_a_custom_cloud_s_cosmos_suffix(custom_clouds: Path) -> None:
    with pytest.raises(InvalidInput):
        normalize_cosmos_url("https://acct.documents.stack.contoso.com/")
    custom_clouds.write_text(json.dumps([{
        "name": "stack", "label": "Contoso Azure Stack", "authority_host": "login.stack.local",
        "resource_manager": "https://management.stack.contoso.com",
        "vault_suffix": ".vault.stack.contoso.com", "storage_suffix": ".stack.contoso.com",
        "cosmos_suffix": ".documents.stack.contoso.com"}]))
    clouds.available_clouds.cache_clear()
    url = normalize_cosmos_url("https://acct.documents.stack.contoso.com:443/")
    assert url == "https://acct.documents.stack.contoso.com/"
    assert cloud_of_url(url, clouds.available_clouds()).name == "stack"
    address = parse_address(ONLY, url)
    assert address.connection is not None and address.connection.url == url
    custom_clouds.write_text(json.dumps([{**json.loads(custom_clouds.read_text())[0],
                                          "cosmos_suffix": "no-dot.example"}]))
    assert "cosmos_suffix" in (clouds.clouds_file_problem() or "")


# --- --cosmos-ca: a local server with its own CA -----------------------------------------------


def test_cosmos_ca_is_for_local_servers_only(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    connections = connections_from_args(build_parser(ONLY).parse_args(
        ["--cosmos", "https://127.0.0.1:8081/", "--cosmos", "acct", "--cosmos-ca", str(ca)]),
        ONLY)
    assert [(c.auth, c.ca_path) for c in connections] == [
        (AuthMethod.LOCAL_EMULATOR, str(ca)), (AuthMethod.DEFAULT, None)]
    with pytest.raises(InvalidInput) as missing:
        connections_from_args(build_parser(ONLY).parse_args(
            ["--cosmos", "https://127.0.0.1:8081/", "--cosmos-ca", str(tmp_path / "no.pem")]),
            ONLY)
    assert "does not exist" in missing.value.message
    with pytest.raises(InvalidInput) as remote:
        connections_from_args(build_parser(ONLY).parse_args(
            ["--cosmos", "acct", "--cosmos-ca", str(ca)]), ONLY)
    assert "local server" in remote.value.message


def test_a_local_server_with_its_own_ca_opens_from_the_command_line(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    from vaultbrowser.cosmos.services.opening import open_service

    def opened(extra: list[str]) -> list[str]:
        (connection,) = connections_from_args(build_parser(ONLY).parse_args(
            ["--cosmos", cosmos_server.endpoint, *extra]), ONLY)
        assert connection.display_name == account_name(cosmos_server.endpoint)

        async def scenario() -> list[str]:
            session = ServiceSession()
            try:
                service = await open_service(session, connection)
                return [database.id for database in (await service.databases()).items]
            finally:
                await session.aclose()

        return run(scenario())

    with pytest.raises(NetworkError):  # the system's trust store does not know our CA
        opened([])
    assert isinstance(opened(["--cosmos-ca", str(cosmos_server.ca_path)]), list)


def test_a_local_connection_string_trusts_the_ca_too(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The Cosmos DB Emulator's way: its connection string (it checks the key) and its CA."""
    from vaultbrowser.cosmos.services.opening import open_service

    monkeypatch.setenv("VB_LOCAL_COSMOS", f"AccountEndpoint={cosmos_server.endpoint};"
                                          f"AccountKey={COSMOS_SERVER_KEY};")
    (connection,) = connections_from_args(build_parser(ONLY).parse_args(
        ["--cosmos-connection-string-env", "VB_LOCAL_COSMOS",
         "--cosmos-ca", str(cosmos_server.ca_path)]), ONLY)
    assert connection.auth is AuthMethod.CONNECTION_STRING
    assert connection.ca_path == str(cosmos_server.ca_path)

    async def scenario() -> str:
        session = ServiceSession()
        try:
            service = await open_service(session, connection)
            await service.databases()
            assert service.account is not None
            return service.account.consistency or ""
        finally:
            await session.aclose()

    assert run(scenario()) == "Session"
