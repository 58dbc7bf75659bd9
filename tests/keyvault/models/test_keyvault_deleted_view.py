"""The Key Vault models' deleted view and the rows writes insert, against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.models.item_types import CERTIFICATES, KEYS, SECRETS
from vaultbrowser.keyvault.models.vault_tree import (
    KeyVaultTreeModel,
    VaultRoot,
    item_row,
)
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.records import SecretRecord

SEED = {
    "secrets": [
        *({"name": f"live-{i:02d}", "value": "v"} for i in range(30)),
        {"name": "gone-a", "value": "v", "contentType": "text/plain", "deleted": True},
        {"name": "gone-b", "value": "v", "deleted": True},
    ],
    "keys": [{"name": "old-key", "kty": "EC", "crv": "P-256", "deleted": True}],
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-deleted-model"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def vault_root(emulator: Any, session: ServiceSession) -> VaultRoot:
    connection = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="deleted-vault", ca_path=str(emulator.ca_path))
    return VaultRoot(connection, open_vault(session, connection))


def titles_of(model: KeyVaultTreeModel) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def names(model: KeyVaultTreeModel, parent: Any) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))
            if model.index(r, 0, parent).data(STATUS_ROLE) is None]


def test_deleted_mode_lists_soft_deleted_items_with_their_dates(
        qloop: Any, emulator: Any, session: ServiceSession, qtmodeltester: Any) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        qtmodeltester.check(model)
        resets: list[bool] = []
        model.modelReset.connect(lambda: resets.append(True))
        vault = model.add_root(vault_root(emulator, session))
        model.fetchMore(vault)
        await model.wait_idle()
        assert "gone-a" not in names(model, vault) and len(names(model, vault)) == 30
        active_titles = titles_of(model)
        assert "Deleted on" not in active_titles

        model.set_show_deleted(True)
        assert resets == [True]
        titles = titles_of(model)
        assert titles[:4] == ["Name", "Deleted on", "Purge scheduled", "Recovery level"]
        vault = model.index(0, 0)  # the vault row is the same row, listed again
        assert "deleted secrets" in vault.data()
        await model.wait_idle()
        assert names(model, vault) == ["gone-a", "gone-b"]
        row = model.index(0, 0, vault)
        record = model.record_of(row)
        assert record.is_deleted and record.deleted_on and record.scheduled_purge_on
        assert not model.hasChildren(row)  # a deleted item has no versions to list
        assert model.index(0, 1, vault).data()  # deleted on
        assert model.index(0, 2, vault).data()  # purge scheduled
        assert model.index(0, 3, vault).data() == "Recoverable+Purgeable"
        assert "purge scheduled" in model.index(0, 0, vault).data(3)  # tooltip
        qtmodeltester.check(model)

        model.set_show_deleted(False)
        await model.wait_idle()
        assert model.columnCount() == len(active_titles)
        assert names(model, model.index(0, 0))[:2] == ["live-00", "live-01"]

    qloop.run_until_complete(body())


def test_switching_mode_while_a_page_is_in_flight_is_silent(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        failures: list[Any] = []
        model.load_failed.connect(failures.append)
        vault = model.add_root(vault_root(emulator, session))
        emulator.faults.latency_ms = 200
        try:
            model.fetchMore(vault)
            await asyncio.sleep(0.05)
            model.set_show_deleted(True)
            await model.wait_idle()
        finally:
            emulator.faults.latency_ms = 0
        assert failures == []
        assert names(model, model.index(0, 0)) == ["old-key"]

    qloop.run_until_complete(body())


def test_a_vault_never_listed_stays_unlisted_when_the_mode_changes(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        model.set_show_deleted(True)
        await model.wait_idle()
        assert model.rowCount(vault) == 0 and model.canFetchMore(model.index(0, 0))

    qloop.run_until_complete(body())


def record(name: str, version: str | None = "abc123") -> SecretRecord:
    base = "https://vault.example/secrets/" + name
    return SecretRecord(vault_url="https://vault.example", name=name, version=version,
                        id=f"{base}/{version}" if version else base, enabled=True)


def test_item_row_drops_the_version() -> None:
    row = item_row(record("db"))
    assert row.version is None and row.id == "https://vault.example/secrets/db"
    assert item_row(row) is row


def test_insert_item_places_the_row_where_the_listing_would(
        qloop: Any, emulator: Any, session: ServiceSession, qtmodeltester: Any) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        # Not listed yet: nothing inserted (the first page will bring it).
        assert not model.insert_item(vault, record("aaa")).isValid()
        model.fetchMore(vault)
        await model.wait_idle()
        loaded = names(model, vault)
        assert len(loaded) == 25 and loaded[-1] == "live-24"  # more pages remain
        index = model.insert_item(vault, record("live-05x"))
        assert index.isValid() and index.row() == 6 and index.data() == "live-05x"
        assert model.record_of(index).version is None and model.hasChildren(index)
        # After the loaded rows while more remain: its page will bring it.
        assert not model.insert_item(vault, record("zzz")).isValid()
        assert "zzz" not in names(model, vault)
        # An existing name (any case) is updated in place, never shown twice.
        again = model.insert_item(vault, replace(record("LIVE-05X"), enabled=False))
        assert again.row() == 6 and model.record_of(again).enabled is False
        assert names(model, vault).count("live-05x") + names(model, vault).count(
            "LIVE-05X") == 1
        assert model.find_item(vault, "Live-05x") == again
        qtmodeltester.check(model)
        model.load_all(vault)  # the next page does not bring the inserted row twice
        await model.wait_idle()
        assert names(model, vault)[6] == "LIVE-05X" and len(names(model, vault)) == 31

    qloop.run_until_complete(body())


def test_insert_into_an_empty_listing_removes_the_empty_row(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        vault = model.add_root(vault_root(emulator, session))
        model.fetchMore(vault)
        await model.wait_idle()
        assert model.index(0, 0, vault).data(STATUS_ROLE) is RowStatus.EMPTY
        model.insert_item(vault, record("new-cert"))
        assert model.rowCount(vault) == 1 and model.index(0, 0, vault).data() == "new-cert"
        assert model.vault_index(model.index(0, 0, vault)) == vault
        model.remove_record(model.index(0, 0, vault))
        assert model.index(0, 0, vault).data(STATUS_ROLE) is None  # (listed, children gone)

    qloop.run_until_complete(body())
