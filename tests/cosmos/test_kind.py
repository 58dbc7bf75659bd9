"""The Cosmos DB kind's registration: its words, addresses, command-line options, the pasted
connection string (never quoted), the account key's check, its icon."""

from __future__ import annotations

from typing import Any

import pytest

from vaultbrowser.app import build_parser, connections_from_args
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import parse_address
from vaultbrowser.cosmos.kind import KIND

ONLY = (KIND,)
KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
CONNECTION_STRING = f"AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey={KEY};"


def test_the_kind_s_words_and_sign_in_methods() -> None:
    assert KIND.name == "cosmos" and KIND.label == "Cosmos DB"
    assert KIND.resource_type == "microsoft.documentdb/databaseaccounts"
    assert KIND.connection_for_resource is not None
    for method in (AuthMethod.DEFAULT, AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR):
        assert method in KIND.auth_methods
    assert [p.auth for p in KIND.pasted_connections] == [AuthMethod.CONNECTION_STRING]
    assert KIND.count(1) == "1 Cosmos DB account"


def test_urls_are_normalized_by_the_cosmos_rule() -> None:
    assert KIND.normalize_url("acct") == "https://acct.documents.azure.com/"
    assert KIND.normalize_url("https://acct.documents.azure.com:443/") == (
        "https://acct.documents.azure.com/")
    with pytest.raises(InvalidInput):
        KIND.normalize_url("http://acct.documents.azure.com/")


def test_a_pasted_endpoint_or_connection_string_opens_an_account() -> None:
    address = parse_address(ONLY, "https://acct.documents.azure.com/")
    assert address.kind == "cosmos" and address.connection is not None
    assert address.connection.auth is AuthMethod.DEFAULT
    address = parse_address(ONLY, CONNECTION_STRING)
    assert address.connection is not None
    assert address.connection.auth is AuthMethod.CONNECTION_STRING
    assert address.connection.url == "https://acct.documents.azure.com/"
    assert KEY not in repr(address.connection)
    assert KIND.parse_address is not None
    assert KIND.parse_address("https://myvault.vault.azure.net/") is None
    with pytest.raises(InvalidInput) as caught:
        KIND.pasted_connections[0].build("AccountEndpoint=https://acct.documents.azure.com/;"
                                         "AccountKey=not base64 at all;", "", False)
    assert "not base64 at all" not in caught.value.message + caught.value.advice


def test_command_line_options(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser(ONLY).parse_args(["--cosmos", "acct", "--cosmos",
                                          "https://127.0.0.1:8081/"])
    connections = connections_from_args(args, ONLY)
    assert [(c.url, c.auth) for c in connections] == [
        ("https://acct.documents.azure.com/", AuthMethod.DEFAULT),
        ("https://127.0.0.1:8081/", AuthMethod.LOCAL_EMULATOR)]
    monkeypatch.setenv("MY_COSMOS", CONNECTION_STRING)
    (keyed,) = connections_from_args(build_parser(ONLY).parse_args(
        ["--cosmos-connection-string-env", "MY_COSMOS"]), ONLY)
    assert keyed.auth is AuthMethod.CONNECTION_STRING and keyed.secret_env == "MY_COSMOS"
    assert keyed.secret is None and keyed.url == "https://acct.documents.azure.com/"
    monkeypatch.delenv("MY_COSMOS")
    with pytest.raises(InvalidInput):
        connections_from_args(build_parser(ONLY).parse_args(
            ["--cosmos-connection-string-env", "MY_COSMOS"]), ONLY)


def test_the_account_key_is_checked_without_repeating_it() -> None:
    assert KIND.check_secret(AuthMethod.ACCOUNT_KEY, KEY).reveal() == KEY
    with pytest.raises(InvalidInput) as caught:
        KIND.check_secret(AuthMethod.ACCOUNT_KEY, "two words")
    assert "two words" not in caught.value.message


@pytest.mark.parametrize("background", ["#ffffff", "#1e1e1e"])
def test_the_icon_draws_at_16_px(qapp: Any, background: str) -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(KIND.icon_svg.encode()))
    assert renderer.isValid()
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    base = QColor(background)
    differing = sum(1 for x in range(16) for y in range(16)
                    if abs(QColor(image.pixel(x, y)).lightness() - base.lightness()) > 60)
    assert differing > 40  # a visible shape on either background


# --- the demo provider ------------------------------------------------------------------------


def test_the_demo_starts_a_seeded_server_and_stops_it(tmp_path: Any) -> None:
    import asyncio

    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.cosmos.services.demo.cosmos_demo import CosmosDemo, demo_documents
    from vaultbrowser.cosmos.services.opening import open_service
    from vaultbrowser.emulators.cosmos_server import CosmosServer

    if CosmosServer.find_package() is None:
        pytest.skip("@vercel/cosmosdb-server is not installed (npm install in the project)")
    demo = KIND.demo(tmp_path, True)
    assert isinstance(demo, CosmosDemo) and "Cosmos DB" in demo.starting
    expected = {key: len(items) for key, (_path, items, _ttl) in demo_documents().items()}

    async def run() -> dict[tuple[str, str], int]:
        connection = await demo.start({})
        assert connection.kind == "cosmos" and connection.auth is AuthMethod.LOCAL_EMULATOR
        session = ServiceSession()
        service = await open_service(session, connection)
        try:
            counts = {}
            for database, container in expected:
                proxy = service.client.get_database_client(database).get_container_client(
                    container)
                (counts[(database, container)],) = [n async for n in proxy.query_items(
                    "SELECT VALUE COUNT(1) FROM c")]
            return counts
        finally:
            await session.aclose()
            await demo.stop()

    assert asyncio.run(run()) == expected
    assert sum(expected.values()) > 3000
    assert not demo.server.running
    asyncio.run(demo.stop())  # idempotent


def test_the_demo_is_unavailable_with_advice_without_the_server(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from vaultbrowser.core.services.kinds import DemoUnavailable

    monkeypatch.setenv("VAULTBROWSER_COSMOSDB_SERVER", str(tmp_path / "nowhere"))
    demo = KIND.demo(tmp_path, True)
    with pytest.raises(DemoUnavailable) as caught:
        asyncio.run(demo.start({}))
    assert "npm install" in str(caught.value)
    asyncio.run(demo.stop())
