"""A vault's first page: its request leaves before the "Loading…" row is inserted (and painted),
the row follows a moment later while the service answers; a failing first request still ends
on an error row."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.models.item_types import SECRETS
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.opener import open_vault

SEED = {"secrets": {f"secret-{i:03d}": f"value-{i}" for i in range(30)}}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-first-page"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def vault_root(emulator: Any, session: ServiceSession) -> VaultRoot:
    connection = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="vault", ca_path=str(emulator.ca_path))
    return VaultRoot(connection, open_vault(session, connection))


def status(model: KeyVaultTreeModel, vault: Any) -> Any:
    rows = model.rowCount(vault)
    return model.index(rows - 1, 0, vault).data(STATUS_ROLE) if rows else None


def test_the_first_request_leaves_before_the_loading_row(qloop: Any, emulator: Any,
                                                        session: ServiceSession) -> None:
    async def body() -> None:
        emulator.faults.latency_ms = 150  # the service "thinks": the row shows meanwhile
        try:
            model = KeyVaultTreeModel(SECRETS)
            assert model.connecting_status_delay > 0
            sent: list[int] = []  # the vault's rows when each request was sent
            vault = model.add_root(vault_root(emulator, session))
            real_fetch = model.fetch_page

            async def fetch(node: Any, continuation: Any, size: int) -> Any:
                sent.append(model.rowCount(vault))
                return await real_fetch(node, continuation, size)

            model.fetch_page = fetch  # type: ignore[method-assign]
            model.fetchMore(vault)
            await asyncio.sleep(0)
            assert sent == [0] and model.rowCount(vault) == 0  # asked, no row inserted yet
            await asyncio.sleep(model.connecting_status_delay + 0.05)
            assert model.rowCount(vault) == 1 and status(model, vault) is RowStatus.LOADING
            await model.wait_idle()
            assert model.rowCount(vault) == 26 and status(model, vault) is RowStatus.MORE
            # Later pages (and versions) show "Loading…" at their first step, as before.
            model.fetchMore(vault)
            await asyncio.sleep(0)
            assert status(model, vault) is RowStatus.LOADING
            await model.wait_idle()
            assert model.rowCount(vault) == 30
        finally:
            emulator.faults.latency_ms = 0

    qloop.run_until_complete(body())


def test_a_failing_first_request_still_ends_on_an_error_row(qloop: Any, emulator: Any,
                                                           session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        failures: list[VaultBrowserError] = []
        model.load_failed.connect(failures.append)
        emulator.faults.forbid("/secrets", times=1)
        try:
            vault = model.add_root(vault_root(emulator, session))
            model.fetchMore(vault)
            await model.wait_idle()
            await asyncio.sleep(model.connecting_status_delay + 0.05)  # the late row: none
        finally:
            emulator.faults.clear()
        assert model.rowCount(vault) == 1 and status(model, vault) is RowStatus.ERROR
        assert len(failures) == 1

    qloop.run_until_complete(body())


def test_a_cancelled_first_page_leaves_no_loading_row(qloop: Any, emulator: Any,
                                                      session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(SECRETS)
        vault = model.add_root(vault_root(emulator, session))
        model.fetchMore(vault)
        await asyncio.sleep(0)
        model.cancel(vault)
        await model.wait_idle()
        await asyncio.sleep(model.connecting_status_delay + 0.05)
        assert status(model, vault) is not RowStatus.LOADING

    qloop.run_until_complete(body())
