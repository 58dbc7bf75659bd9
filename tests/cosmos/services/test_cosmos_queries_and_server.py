"""Queries checked before they are sent, and the local server's own lifecycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.cosmos.services.queries import ItemQuery, key_path_sql
from vaultbrowser.emulators.cosmos_server import (
    COSMOS_SERVER_ENV_VAR,
    CosmosServer,
    CosmosServerUnavailable,
)


def test_parameters_are_checked_before_sending() -> None:
    query = ItemQuery.of("SELECT * FROM c WHERE c.city = @city AND c.note = '@not'",
                         {"@city": "Oslo"})
    assert query.sdk_parameters() == [{"name": "@city", "value": "Oslo"}]
    assert not query.scoped and query.in_partition(None).scoped  # null is a key value too
    with pytest.raises(InvalidInput, match="@city"):
        ItemQuery.of("SELECT * FROM c WHERE c.city = @city")
    with pytest.raises(InvalidInput, match="not named"):
        ItemQuery.of("SELECT * FROM c", {"city": "Oslo"})
    with pytest.raises(InvalidInput, match="empty"):
        ItemQuery.of("   ")


def test_key_paths_become_quoted_references() -> None:
    assert key_path_sql("/tenant/id") == 'c["tenant"]["id"]'
    assert key_path_sql('/odd "name"') == 'c["odd \\"name\\""]'
    scoped = ItemQuery.partition_items("/tenant", "t1")
    assert scoped.text == 'SELECT * FROM c WHERE c["tenant"] = @vb_partition_key'
    assert scoped.partition_key == "t1"


def test_a_missing_package_is_said_not_guessed(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv(COSMOS_SERVER_ENV_VAR, str(tmp_path / "nowhere"))
    server = CosmosServer(workdir=tmp_path)
    with pytest.raises(CosmosServerUnavailable, match="npm install"):
        server.start()
    assert not server.running
    server.stop()  # idempotent


def test_the_server_stops_with_its_process(tmp_path: Path) -> None:
    if CosmosServer.find_package() is None:
        pytest.skip("@vercel/cosmosdb-server is not installed (npm install)")
    server = CosmosServer(workdir=tmp_path)
    try:
        server.start()
    except CosmosServerUnavailable as exc:
        pytest.skip(f"The local Cosmos DB server cannot start: {exc}")
    process = server._server.process
    assert server.running and server.endpoint.startswith("https://127.0.0.1:")
    assert server.ca_path.is_file()
    server.stop()
    assert process is not None and process.poll() is not None and not server.running
