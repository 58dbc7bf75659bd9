"""Cosmos DB in the Azure tab: the ARM emulator describes two accounts whose endpoint is the real
local Cosmos DB server (one CA for both). The node shows ARM's view; "Open with account key"
is offered where ARM says local auth is enabled (never in read-only mode, never for an account
that refuses its keys) and opens the Cosmos tab with the key Resource Manager handed out (held
in memory, never saved)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.azure.ui.test_azure_view import Harness, Store, azure_connection
from vaultbrowser.app import KINDS
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.cosmos.kind import KIND as COSMOS
from vaultbrowser.emulators.arm.seed import cosmos_keys, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.cosmos_server import CosmosServer, CosmosServerUnavailable

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


class CosmosHarness(Harness):
    """The Azure tab's harness with the Cosmos kind registered (whether or not ``app.KINDS``
    names it yet)."""

    def __init__(self, qloop: Any, tmp_path: Path, qtbot: Any) -> None:
        self.reporter = ErrorReporter(modal=False)
        self.dialogs: list[Any] = []
        self.reporter.dialog_shown.connect(self.dialogs.append)
        self.store = Store(tmp_path / "settings.ini")
        kinds = KINDS if any(kind.name == COSMOS.name for kind in KINDS) else (
            *KINDS[:-1], COSMOS, KINDS[-1])
        self.window = MainWindow(ServiceSession(), Settings(), kinds=kinds,
                                 reporter=self.reporter, connection_store=self.store)
        self.window.show()
        self.qloop = qloop
        self.pane = self.window.pane("Azure")
        self.model = self.pane.model


@pytest.fixture
def harness(qloop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Harness]:
    made = CosmosHarness(qloop, tmp_path, qtbot)
    yield made
    qloop.run_until_complete(made.window.aclose())
    made.reporter.close_all()
    made.window.deleteLater()


def test_the_node_shows_arm_and_opens_with_the_account_key(harness: Harness, arm: ArmEmulator,
                                                           server: CosmosServer) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm, read_only=True))
        window.show_pane("Azure")
        await harness.loaded()
        await harness.wait_for(lambda: harness.find("cosmos-dev-catalog").isValid())
        view = window.view(AZURE)
        catalog = harness.find("cosmos-dev-catalog")
        details = view.describe(harness.model.record_of(catalog), None)
        arm_view = dict(next(s for s in details.sections
                             if s.title == "What Resource Manager says").rows)
        assert arm_view["Default consistency level"] == "Eventual"
        assert arm_view["Disable local auth"] == "false"
        assert arm_view["Public network access"] == "Enabled"
        view.actions.actions_for(catalog)
        key_action = view.actions.open_with_key_action
        assert key_action.text() == "Open with account &key"
        assert not key_action.isEnabled() and "read-only" in key_action.toolTip()
        window.remove_connection(window.connections[0])

        await window.open_connection(azure_connection(arm))
        await harness.loaded()
        await harness.wait_for(lambda: harness.find("cosmos-prod-orders").isValid())
        view.actions.actions_for(harness.find("cosmos-prod-orders"))
        assert not key_action.isEnabled() and "Entra ID only" in key_action.toolTip()
        catalog = harness.find("cosmos-dev-catalog")
        view.actions.actions_for(catalog)
        assert key_action.isEnabled()
        harness.select(catalog)
        view.actions.open_selected_with_key()
        await harness.wait_for(lambda: any(c.kind == "cosmos" for c in window.connections))
        opened = next(c for c in window.connections if c.kind == "cosmos")
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
