"""Key Vault tree models against the emulator, inside a live qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.models.item_types import CERTIFICATES, KEYS, SECRETS
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.opener import open_vault

SEED = {
    "secrets": [
        {"name": f"app-secret-{i:03d}", "value": f"value-{i}", "contentType": "text/plain",
         "versions": [{"value": "v1"}, {"value": "v2"}, {"value": "v3"}] if i == 0 else None}
        for i in range(60)
    ],
    "keys": [{"name": "signing", "kty": "RSA", "key_size": 2048}],
    "certificates": [{"name": "web", "subject": "CN=web.local", "dns_names": ["web.local"]}],
}
for entry in SEED["secrets"]:
    if entry["versions"] is None:
        del entry["versions"]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-models"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def vault_root(emulator: Any, session: ServiceSession) -> VaultRoot:
    connection = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="demo-vault", ca_path=str(emulator.ca_path))
    return VaultRoot(connection, open_vault(session, connection))


async def settle(model: KeyVaultTreeModel) -> None:
    await model.wait_idle()


def test_expanding_a_vault_pages_in_secrets(qloop: Any, emulator: Any,
                                            session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        model.connecting_status_delay = 0.0  # "Loading…" at the first step (the delay: below)
        vault = model.add_root(vault_root(emulator, session))
        assert model.hasChildren(vault) and model.rowCount(vault) == 0
        assert model.canFetchMore(vault)
        model.fetchMore(vault)
        assert not model.canFetchMore(vault)  # one page in flight per node
        await asyncio.sleep(0)
        # While the page is in flight the vault shows one "Loading…" row.
        assert model.rowCount(vault) == 1
        assert model.index(0, 0, vault).data(STATUS_ROLE) is RowStatus.LOADING
        assert model.index(0, 0, vault).data().startswith("Loading")
        await settle(model)

        # First page is 25 items plus the "more available" row.
        assert model.rowCount(vault) == 26
        status = model.index(25, 0, vault)
        assert status.data(STATUS_ROLE) is RowStatus.MORE
        assert status.data() == "25 loaded · more available"
        assert model.canFetchMore(vault)
        # (No live model tester here: it would expand and list all 61 items' versions on
        # every insert; the other tests run it.)
        while model.canFetchMore(vault):
            model.fetchMore(vault)
            await settle(model)
        # Complete: no status row left. The certificate's backing secret is listed too
        # (managed), as Key Vault does.
        assert model.rowCount(vault) == 61
        names = [model.index(row, 0, vault).data() for row in range(61)]
        assert names == [*sorted(f"app-secret-{i:03d}" for i in range(60)), "web"]
        assert model.loaded_summary(vault) == "61 (complete)"

    qloop.run_until_complete(body())


def test_versions_load_when_an_item_is_expanded(qloop: Any, qtmodeltester: Any,
                                                emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        model.fetchMore(vault)
        await settle(model)
        item = model.index(0, 0, vault)
        assert item.data() == "app-secret-000" and model.hasChildren(item)
        assert model.rowCount(item) == 0
        model.fetchMore(item)
        await settle(model)
        assert model.rowCount(item) == 3
        versions = {model.index(row, 0, item).data() for row in range(3)}
        assert all(len(version) == 32 for version in versions)
        assert not model.hasChildren(model.index(0, 0, item))  # a version is a leaf
        qtmodeltester.check(model)

    qloop.run_until_complete(body())


def test_load_all_reports_progress_and_completes(qloop: Any, emulator: Any,
                                                 session: ServiceSession, qtbot: Any) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        progress: list[int] = []
        finished: list[bool] = []
        model.load_all_progress.connect(lambda _index, count: progress.append(count))
        model.load_all_finished.connect(lambda _index, complete: finished.append(complete))
        model.load_all(vault)
        await settle(model)
        assert model.rowCount(vault) == 61
        assert progress == [25, 50, 61] and finished == [True]

    qloop.run_until_complete(body())


def test_failed_page_marks_the_node_and_retry_recovers(qloop: Any, emulator: Any,
                                                       session: ServiceSession,
                                                       qtmodeltester: Any) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        qtmodeltester.check(model)
        failures: list[Any] = []
        model.load_failed.connect(failures.append)
        vault = model.add_root(vault_root(emulator, session))
        emulator.faults.forbid("/keys", code="ForbiddenByRbac")
        try:
            model.fetchMore(vault)
            await settle(model)
        finally:
            emulator.faults.clear()
        assert len(failures) == 1 and isinstance(failures[0], AccessDenied)
        error_row = model.index(0, 0, vault)
        assert error_row.data(STATUS_ROLE) is RowStatus.ERROR
        assert "Access denied" in error_row.data()
        assert not model.canFetchMore(vault)  # no silent re-fetch loop on a failed node
        model.retry(vault)
        await settle(model)
        rows = [model.index(r, 0, vault).data() for r in range(model.rowCount(vault))]
        assert rows == ["signing", "web"]  # "web" backs the certificate

    qloop.run_until_complete(body())


def test_refresh_during_a_page_in_flight_is_silent_and_consistent(
        qloop: Any, emulator: Any, session: ServiceSession, qtmodeltester: Any) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        qtmodeltester.check(model)
        failures: list[Any] = []
        model.load_failed.connect(failures.append)
        vault = model.add_root(vault_root(emulator, session))
        model.fetchMore(vault)
        model.refresh(vault)  # cancels the first task and starts again
        await settle(model)
        assert failures == []
        assert [model.index(r, 0, vault).data() for r in range(model.rowCount(vault))] == ["web"]
        assert model.index(0, 0, QModelIndex()).data() == "demo-vault"

    qloop.run_until_complete(body())


def test_cancel_before_the_first_step_leaves_no_loading_row(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        model.refresh(vault)  # starts a page task…
        model.cancel(vault)  # …cancelled before it ever ran
        await asyncio.sleep(0.05)
        node = model.node_of(vault)
        assert node.listing.task is None and node.status() is None and model.rowCount(vault) == 0
        assert model.canFetchMore(vault)  # the user can simply expand again
        model.load_all(vault)
        await settle(model)
        assert model.rowCount(vault) == 61

    qloop.run_until_complete(body())


def test_load_all_of_a_two_thousand_secret_vault(
        qloop: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": {f"bulk-{i:04d}": f"v{i}" for i in range(2_000)}}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-2000"),
                                seed=seed) as big:
        session = ServiceSession()

        async def body() -> tuple[int, list[str]]:
            model = KeyVaultTreeModel(SECRETS)
            vault = model.add_root(vault_root(big, session))
            finished: list[bool] = []
            model.load_all_finished.connect(lambda _index, complete: finished.append(complete))
            model.load_all(vault)
            await settle(model)
            names = [model.index(r, 0, vault).data() for r in range(model.rowCount(vault))]
            await session.aclose()
            assert finished == [True]
            return model.node_of(vault).listing.pages_loaded, names

        pages, names = qloop.run_until_complete(body())
    assert names == [f"bulk-{i:04d}" for i in range(2_000)]  # complete, in order, no status row
    assert pages == 80
