"""The Azure tab against the ARM emulator, the Key Vault emulator and Azurite: everything loads
by itself, the filter finds a vault across subscriptions, Enter opens a vault or an account in
its own tab, a tenant signs in on Enter, subscriptions hide (and stay hidden), account keys
come through Resource Manager — never in read-only mode."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings

from vaultbrowser.app import KINDS
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY


class Store:
    """What the window asks of a connection store: its settings (here an INI file)."""

    def __init__(self, path: Path) -> None:
        self.settings = QSettings(str(path), QSettings.Format.IniFormat)
        self.added: list[Connection] = []

    def add(self, connection: Connection) -> None:
        self.added.append(connection)

    def remove(self, connection: Connection) -> None:
        pass


@pytest.fixture(scope="module")
def arm(kv_emulator: Any, azurite: Any) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri=kv_emulator.url + "/", blob_endpoint=azurite.blob_endpoint + "/",
                       account_key=AZURITE_ACCOUNT_KEY)
    # The Key Vault emulator's TLS folder: one CA opens the sign-in and the vault it finds.
    with run_arm_emulator_in_thread(world, data_dir=Path(kv_emulator.ca_path).parent) as running:
        yield running


def azure_connection(arm: ArmEmulator, *, read_only: bool = False) -> Connection:
    return Connection(AZURE, arm.base_url, AuthMethod.LOCAL_EMULATOR, name="Azure (test)",
                      tenant_id=CONTOSO_TENANT_ID, ca_path=str(arm.ca_file), read_only=read_only)


class Harness:
    def __init__(self, qloop: Any, tmp_path: Path, qtbot: Any) -> None:
        self.reporter = ErrorReporter(modal=False)
        self.dialogs: list[Any] = []
        self.reporter.dialog_shown.connect(self.dialogs.append)
        self.store = Store(tmp_path / "settings.ini")
        self.window = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                                 reporter=self.reporter, connection_store=self.store)
        self.window.show()
        self.qloop = qloop
        self.pane = self.window.pane("Azure")
        self.model = self.pane.model

    def run(self, body: Any) -> Any:
        """Run a test's whole body inside the loop (as the app runs everything): tasks never
        step outside a running loop between two awaits of the test."""
        return self.qloop.run_until_complete(asyncio.wait_for(body(), 120))


    async def wait_for(self, condition: Any, timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out"
            await asyncio.sleep(0.02)

    def find(self, name: str, parent: QModelIndex | None = None) -> QModelIndex:
        parent = parent if parent is not None else QModelIndex()
        for row in range(self.model.rowCount(parent)):
            child = self.model.index(row, 0, parent)
            if self.model.is_status_index(child):
                continue
            if child.data() == name:
                return child
            found = self.find(name, child)
            if found.isValid():
                return found
        return QModelIndex()

    def names_under(self, index: QModelIndex) -> list[str]:
        return [self.model.index(row, 0, index).data() for row in range(self.model.rowCount(index))
                if not self.model.is_status_index(self.model.index(row, 0, index))]

    async def loaded(self) -> None:
        """The estate is in: the home tenant's readable subscriptions hold their resources."""
        await self.wait_for(lambda: self.find("devstoreaccount1").isValid()
                            and self.find("kv-dev-open").isValid())
        await self.model.wait_idle()

    def reveal(self, index: QModelIndex) -> QModelIndex:
        """Expand the rows above ``index`` (as a user would), then its row in the view."""
        ancestors = []
        parent = index.parent()
        while parent.isValid():
            ancestors.append(parent)
            parent = parent.parent()
        for ancestor in reversed(ancestors):
            self.pane.view.expand(self.pane.proxy.mapFromSource(ancestor))
        shown = self.pane.proxy.mapFromSource(index)
        assert shown.isValid()
        return shown

    def select(self, index: QModelIndex) -> None:
        self.pane.view.setCurrentIndex(self.reveal(index))

    def activate(self, index: QModelIndex) -> None:
        self.pane.view.activated.emit(self.reveal(index))


@pytest.fixture
def harness(qloop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Harness]:
    made = Harness(qloop, tmp_path, qtbot)
    yield made
    qloop.run_until_complete(made.window.aclose())
    made.reporter.close_all()
    made.window.deleteLater()


def test_the_estate_loads_by_itself_and_says_what_stands_in_the_way(
        harness: Harness, arm: ArmEmulator) -> None:
    async def body() -> None:
        window, model = harness.window, harness.model
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        root = model.index(0, 0)
        assert harness.names_under(root) == ["Contoso Demo", "Fabrikam Partner"]
        contoso = harness.find("Contoso Demo")
        assert harness.names_under(contoso) == [
            "Contoso Development", "Contoso Production", "Contoso Restricted"]
        production = harness.find("Contoso Production")
        assert harness.names_under(production) == ["demo-vault", "devstoreaccount1"]
        vault = harness.find("demo-vault")
        assert model.index(vault.row(), 1, vault.parent()).data() == "Key Vault"
        assert "firewall" in model.index(vault.row(), 4, vault.parent()).data()
        # Expected failures stay on their rows: no dialog for them.
        restricted = harness.find("Contoso Restricted")
        status = model.index(0, 0, restricted)
        assert model.is_status_index(status) and "No access" in status.data()
        fabrikam = harness.find("Fabrikam Partner")
        await harness.wait_for(lambda: model.needs_sign_in(fabrikam) is not None)
        assert "press Enter to sign in" in model.index(0, 0, fabrikam).data()
        assert harness.dialogs == []
        # One Resource Graph query answered the home tenant's subscriptions.
        graph = [r for r in arm.requests if "ResourceGraph" in r.path
                 and r.tenant_id == CONTOSO_TENANT_ID]
        assert len(graph) >= 1
        # The filter finds vaults across subscriptions.
        harness.pane.filter_edit.setText("kv-dev")
        proxy = harness.pane.proxy
        shown = [proxy.index(row, 0).data() for row in range(proxy.rowCount())]
        assert {"kv-dev-legacy", "kv-dev-open"} <= set(shown) and "demo-vault" not in shown
        # The details say what ARM knows.
        harness.pane.filter_edit.clear()
        harness.select(harness.find("kv-dev-legacy"))
        await harness.wait_for(lambda: window.detail_pane.details is not None
                                     and window.detail_pane.details.title == "kv-dev-legacy")
        details = window.detail_pane.details
        rows = {label: value for section in details.sections for label, value in section.rows}
        assert rows["Access model"] == "Access policies"

    harness.run(body)


def test_enter_opens_a_vault_and_an_account_in_their_tabs(
        harness: Harness, arm: ArmEmulator, kv_emulator: Any, azurite: Any) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        harness.activate(harness.find("demo-vault"))
        await harness.wait_for(lambda: any(c.kind == "keyvault" for c in window.connections)
                                     or harness.dialogs)
        assert not harness.dialogs, [dialog.error for dialog in harness.dialogs]
        vault = next(c for c in window.connections if c.kind == "keyvault")
        assert vault.url == kv_emulator.url and vault.auth is AuthMethod.LOCAL_EMULATOR
        assert window.tabs.currentWidget() is window.pane("Secrets")
        secrets = window.pane("Secrets").model
        await harness.wait_for(lambda: secrets.root_nodes()[0].listed)
        assert secrets.root_nodes()[0].listing.error is None
        assert harness.store.added == [vault]  # opened by the user: remembered (no secret in it)
        harness.activate(harness.find("devstoreaccount1"))
        await harness.wait_for(lambda: any(c.kind == "blob" for c in window.connections))
        blobs = window.pane("Blobs").model
        await harness.wait_for(lambda: blobs.root_nodes() and blobs.root_nodes()[0].listed)
        assert blobs.root_nodes()[0].listing.error is None
        assert harness.dialogs == []

    harness.run(body)


def test_a_tenant_signs_in_on_enter(harness: Harness, arm: ArmEmulator) -> None:
    async def body() -> None:
        window, model = harness.window, harness.model
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        fabrikam_row = lambda: harness.find("Fabrikam Partner")  # noqa: E731
        await harness.wait_for(lambda: fabrikam_row().isValid()
                                     and model.needs_sign_in(fabrikam_row()) is not None)
        harness.activate(model.index(0, 0, fabrikam_row()))  # Enter on its error row
        await harness.wait_for(lambda: harness.find("kv-fabrikam-shared").isValid())
        assert harness.names_under(fabrikam_row()) == ["Fabrikam Shared"]
        assert harness.dialogs == []

    harness.run(body)


def test_hidden_subscriptions_stay_hidden(harness: Harness, arm: ArmEmulator) -> None:
    async def body() -> None:
        window, model = harness.window, harness.model
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        harness.select(harness.find("Contoso Development"))
        view = window.view(AZURE)
        view.actions.toggle_hidden_selected()
        contoso = lambda: harness.find("Contoso Demo")  # noqa: E731
        await harness.wait_for(lambda: "Contoso Development" not in harness.names_under(
            contoso()) and "Contoso Production" in harness.names_under(contoso()))
        saved = harness.store.settings.value("azure/hidden_subscriptions")
        assert saved and "3c2d1e0f-9a8b-4c7d-9e6f-5a4b3c2d1e0f" in saved
        view.actions.show_hidden.setChecked(True)
        await harness.wait_for(lambda: "Contoso Development  (hidden)" in harness.names_under(
            contoso()))
        # Un-hide it again (remembered too).
        harness.select(harness.find("Contoso Development  (hidden)"))
        view.actions.toggle_hidden_selected()
        await harness.wait_for(lambda: "Contoso Development" in harness.names_under(
            contoso()))
        assert not harness.store.settings.value("azure/hidden_subscriptions")
        del model

    harness.run(body)


def test_account_keys_come_through_resource_manager_never_when_read_only(
        harness: Harness, arm: ArmEmulator) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm, read_only=True))
        window.show_pane("Azure")
        await harness.loaded()
        view = window.view(AZURE)
        account = harness.find("devstoreaccount1")
        actions = view.actions.actions_for(account)
        assert view.actions.open_with_key_action in actions
        assert not view.actions.open_with_key_action.isEnabled()
        assert "read-only" in view.actions.open_with_key_action.toolTip()
        window.remove_connection(window.connections[0])

        await window.open_connection(azure_connection(arm))
        await harness.loaded()
        account = harness.find("devstoreaccount1")
        view.actions.actions_for(account)
        assert view.actions.open_with_key_action.isEnabled()
        lake = harness.find("stdevdatalake")
        view.actions.actions_for(lake)
        assert not view.actions.open_with_key_action.isEnabled()  # shared keys refused there
        harness.select(account)
        view.actions.open_selected_with_key()
        await harness.wait_for(lambda: any(c.auth is AuthMethod.ACCOUNT_KEY
                                                 for c in window.connections))
        opened = next(c for c in window.connections if c.auth is AuthMethod.ACCOUNT_KEY)
        assert opened.name.endswith("(account key)") and opened not in harness.store.added
        blobs = window.pane("Blobs").model
        await harness.wait_for(lambda: blobs.root_nodes() and blobs.root_nodes()[0].listed)
        assert blobs.root_nodes()[0].listing.error is None and harness.dialogs == []

    harness.run(body)


def test_audit_this_subscription_writes_a_report_of_it_alone(
        harness: Harness, arm: ArmEmulator, tmp_path: Path) -> None:
    import json

    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        asked: list[Any] = []
        window.audit.export_report_dialog = lambda connections, name: asked.append(
            (connections, name))
        harness.select(harness.find("Contoso Production"))
        view = window.view(AZURE)
        assert view.actions.audit_action in view.actions.actions_for(
            harness.find("Contoso Production"))
        view.actions.audit_selected()
        [(connections, name)] = asked
        assert name == "audit-Contoso-Production"
        [connection] = connections
        assert connection.read_only and connection.scope == "6a5b4c3d-2e1f-4a0b-8c9d-7e6f5a4b3c2d"
        target = tmp_path / "production.json"
        await window.audit.export_report(target, "json", connections)
        report = json.loads(target.read_text())
        names = sorted(resource["name"] for resource in report["resources"])
        assert names == ["demo-vault", "devstoreaccount1"]

    harness.run(body)


def test_what_resource_manager_said_is_in_the_advice_when_access_fails(
        harness: Harness, arm: ArmEmulator, kv_emulator: Any) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        kv_emulator.faults.forbid(path_prefix="/secrets", times=5)
        try:
            harness.activate(harness.find("demo-vault"))  # behind a firewall, says ARM
            await harness.wait_for(lambda: harness.dialogs)
        finally:
            kv_emulator.faults.clear()
        error = harness.dialogs[-1].error
        assert error.status == 403
        assert "Resource Manager says it is behind a firewall" in error.advice

    harness.run(body)


def test_resources_group_by_resource_group(harness: Harness, arm: ArmEmulator) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm))
        window.show_pane("Azure")
        await harness.loaded()
        view = window.view(AZURE)
        view.actions.group_check.setChecked(True)
        await harness.wait_for(lambda: harness.find("rg-prod-secrets").isValid()
                               and harness.find("rg-dev-shared").isValid())
        await harness.model.wait_idle()
        production = harness.find("Contoso Production")
        assert harness.names_under(production) == ["rg-prod-data", "rg-prod-secrets"]
        assert harness.names_under(harness.find("rg-prod-secrets")) == ["demo-vault"]
        assert harness.names_under(harness.find("rg-dev-shared")) == [
            "kv-dev-open", "stdevdatalake"]
        view.actions.group_check.setChecked(False)
        await harness.wait_for(lambda: "demo-vault" in harness.names_under(
            harness.find("Contoso Production")))
        assert harness.dialogs == []

    harness.run(body)
