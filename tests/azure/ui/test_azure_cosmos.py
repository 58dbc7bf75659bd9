"""Cosmos DB in the Azure tab: the ARM emulator describes two accounts whose endpoint is the real
local Cosmos DB server (one CA for both). The node shows ARM's view; "Open with account key"
is offered where ARM says local auth is enabled (never in read-only mode, never for an account
that refuses its keys) and opens the Cosmos tab with the key Resource Manager handed out (held
in memory, never saved)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.azure.ui.open_with_key import open_with_key
from tests.azure.ui.test_azure_view import Harness, harness
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.emulators.arm.seed import cosmos_keys, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.cosmos_server import CosmosServer, CosmosServerUnavailable

__all__ = ["harness"]  # a fixture used by name

KEY = cosmos_keys("cosmos-dev-catalog")[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosServer]:
    running = CosmosServer(workdir=tmp_path_factory.mktemp("cosmos-and-arm"))
    try:
        running.start()
    except CosmosServerUnavailable as exc:
        pytest.skip(f"The local Cosmos DB server cannot start: {exc}")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def arm(server: CosmosServer) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri="https://127.0.0.1:9/",
                       blob_endpoint="http://127.0.0.1:9/devstoreaccount1/",
                       account_key="ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ==",
                       cosmos_endpoint=server.endpoint)
    # the server's TLS folder: one CA opens the sign-in and the account it finds
    with run_arm_emulator_in_thread(world, data_dir=Path(server.ca_path).parent) as running:
        yield running


def test_the_node_shows_arm_and_opens_with_the_account_key(harness: Harness, arm: ArmEmulator,
                                                           server: CosmosServer) -> None:
    async def body() -> None:
        window = harness.window
        opened = await open_with_key(
            harness, arm, kind="cosmos", keyed="cosmos-dev-catalog",
            entra_only="cosmos-prod-orders", label="Open with account &key",
            arm_says={"Default consistency level": "Eventual", "Disable local auth": "false",
                      "Public network access": "Enabled"})
        assert opened.auth is AuthMethod.ACCOUNT_KEY and opened.name.endswith("(account key)")
        assert opened.url == server.endpoint
        assert dict(opened.resource_properties)["disableLocalAuth"] == "false"
        assert opened not in harness.store.added  # a key is never saved
        assert KEY not in repr(opened)
        await harness.wait_for(lambda: any(
            r.url.startswith(server.endpoint) and r.response is not None
            and r.response.status == 200 for r in window.session.journal.records()))
        assert harness.dialogs == []

    harness.run(body)
