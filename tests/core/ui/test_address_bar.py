"""The address bar against the emulators: an item id selects the item (paging on to find it), a
container SAS opens that container alone, a blob URL opens the way through its folders, an
Azure resource id is looked up through the Azure sign-in; a bad address is a typed error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

from vaultbrowser.app import KINDS
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, NotFound
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    demo_world,
)
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY
from vaultbrowser.emulators.keyvault import run_emulator_in_thread

CONTAINER = "address-bar"
SEED = {"secrets": [{"name": f"item-{i:03d}", "value": f"v{i}"} for i in range(80)]}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-address"),
                                seed=SEED) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def blobs(azurite: Any) -> str:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        for name in (CONTAINER, "other-container"):
            container = client.create_container(name)
            for blob in ("top.txt", "a/b/deep.txt", "a/side.txt"):
                container.upload_blob(blob, b"data")
    return CONTAINER


@pytest.fixture
def window(qloop: Any) -> Iterator[MainWindow]:
    reporter = ErrorReporter(modal=False)
    made = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    made.reported: list[Any] = []  # type: ignore[attr-defined]
    reporter.dialog_shown.connect(lambda dialog: made.reported.append(dialog.error))  # type: ignore[attr-defined]
    made.show()
    yield made
    qloop.run_until_complete(made.aclose())
    reporter.close_all()
    made.deleteLater()


def selected(window: MainWindow) -> Any:
    pane = window.current_pane()
    index = pane.selected_source_index()
    return pane.model.record_of(index) if index.isValid() else None


def run(qloop: Any, body: Any) -> None:
    qloop.run_until_complete(asyncio.wait_for(body(), 90))


def test_an_item_id_selects_the_item_paging_on_to_find_it(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        opened = Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                            ca_path=str(vault.ca_path))
        assert await window.open_connection(opened)
        # Beyond the first page:
        await window.navigation.open_address(f"{vault.url}/secrets/item-077")
        record = selected(window)
        assert window.current_pane() is window.pane("Secrets")
        assert record is not None and record.name == "item-077"
        assert window.connections == [opened]  # the open vault was reused
        versions = [v for v in vault.store.secrets.get("item-003").versions]
        await window.navigation.open_address(f"{vault.url}/secrets/item-003/{versions[0]}")
        record = selected(window)
        assert record.name == "item-003" and record.version == versions[0]
        await window.navigation.open_address(f"{vault.url}/secrets/no-such-item")
        assert isinstance(window.reported[-1], NotFound)  # type: ignore[attr-defined]

    run(qloop, body)


def test_a_container_sas_opens_that_container_alone_and_a_blob_url_its_folders(
        qloop: Any, window: MainWindow, azurite: Any, blobs: str) -> None:
    sas = generate_container_sas(
        "devstoreaccount1", CONTAINER, account_key=AZURITE_ACCOUNT_KEY,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1))

    async def body() -> None:
        await window.navigation.open_address(
            f"{azurite.blob_endpoint}/{CONTAINER}/a/b/deep.txt?{sas}")
        assert window.reported == []  # type: ignore[attr-defined]
        [connection] = window.connections
        assert connection.auth is AuthMethod.SAS and connection.scope == CONTAINER
        assert "sig=" not in connection.display_name and "sig=" not in str(
            connection.to_settings())
        record = selected(window)
        assert record is not None and record.name == "a/b/deep.txt"
        model = window.pane("Blobs").model
        account = model.index(0, 0)
        assert [model.index(r, 0, account).data() for r in range(model.rowCount(account))] == [
            CONTAINER]  # the account is not listed: a container SAS cannot
        await window.navigation.open_address(f"{azurite.blob_endpoint}/{CONTAINER}/top.txt?{sas}")
        assert selected(window).name == "top.txt" and len(window.connections) == 1

    run(qloop, body)


def test_a_resource_id_is_looked_up_through_the_azure_sign_in(
        qloop: Any, window: MainWindow, vault: Any, azurite: Any, tmp_path: Path) -> None:
    world = demo_world(vault_uri=vault.url + "/", blob_endpoint=azurite.blob_endpoint + "/",
                       account_key=AZURITE_ACCOUNT_KEY)
    with run_arm_emulator_in_thread(world, data_dir=Path(vault.ca_path).parent) as arm:
        async def body() -> None:
            sign_in = Connection(AZURE, arm.base_url, AuthMethod.LOCAL_EMULATOR,
                                 tenant_id=CONTOSO_TENANT_ID, ca_path=str(arm.ca_file))
            assert await window.open_connection(sign_in)
            await window.navigation.open_address(
                f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-secrets/"
                "providers/Microsoft.KeyVault/vaults/demo-vault")
            assert window.reported == []  # type: ignore[attr-defined]
            opened = [c for c in window.connections if c.kind == "keyvault"]
            assert [c.url for c in opened] == [vault.url]
            assert window.current_pane() is window.pane("Secrets")
            await window.navigation.open_address(
                f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-secrets/"
                "providers/Microsoft.KeyVault/vaults/no-such-vault")
            assert isinstance(window.reported[-1], NotFound)  # type: ignore[attr-defined]

        run(qloop, body)


def test_the_bar_clears_what_was_pasted_and_reports_a_bad_address(
        qloop: Any, window: MainWindow) -> None:
    async def body() -> None:
        bar = window.address_bar
        bar.setText("https://acme.blob.core.windows.net/logs?sv=2023-11-03&sr=c&sp=r"
                    "&se=2020-01-01T00:00:00Z&sig=SECRETSIGNATUR%3D%3D")
        bar.open_typed()
        assert bar.text() == ""  # a SAS must not linger on screen
        await asyncio.sleep(0.2)
        error = window.reported[-1]  # type: ignore[attr-defined]
        assert isinstance(error, InvalidInput) and "expired" in error.message
        assert "SECRETSIG" not in error.message

    run(qloop, body)


def test_a_selected_blob_or_folder_has_an_address_that_opens_it_again(
        qloop: Any, window: MainWindow, azurite: Any, blobs: str) -> None:
    async def body() -> None:
        await window.navigation.open_address(f"{azurite.blob_endpoint}/{CONTAINER}/a/b/deep.txt")
        address, label = window.navigation.selected_address() or ("", "")
        assert address == f"{azurite.blob_endpoint}/{CONTAINER}/a/b/deep.txt"
        assert label == f"a/b/deep.txt (in {CONTAINER})"
        pane = window.current_pane()
        folder = pane.selected_source_index().parent()
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(folder))
        folder_address, _label = window.navigation.selected_address() or ("", "")
        assert folder_address.endswith(f"/{CONTAINER}/a/b/")
        pane.view.collapse(pane.proxy.mapFromSource(folder.parent()))
        await window.navigation.open_address(folder_address)
        assert selected(window).prefix == "a/b/"
        assert window.reported == []  # type: ignore[attr-defined]

    run(qloop, body)


def test_a_wrong_sas_is_reported_with_what_it_allows_and_until_when(
        qloop: Any, window: MainWindow, azurite: Any, blobs: str) -> None:
    import base64

    wrong_key = base64.b64encode(b"not the account's key" * 3).decode()
    sas = generate_container_sas(
        "devstoreaccount1", CONTAINER, account_key=wrong_key,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime(2099, 1, 1, tzinfo=UTC))

    async def body() -> None:
        await window.navigation.open_address(f"{azurite.blob_endpoint}/{CONTAINER}/top.txt?{sas}")
        deadline = asyncio.get_running_loop().time() + 20
        while not window.reported:  # type: ignore[attr-defined]
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        error = window.reported[-1]  # type: ignore[attr-defined]
        assert error.status == 403
        assert "permissions: read, list; expires 2099-01-01 00:00 UTC" in error.advice
        assert "sig=" not in error.advice and "sig=" not in error.message

    run(qloop, body)
