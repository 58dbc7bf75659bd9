"""The background fill of the columns Key Vault listings lack (``row_fill.py``), driven through
``KeyVaultTreeModel.rows_in_view`` against the real emulator: what is asked, in what order, how
many at once, what cancels it, and how refusals and throttling stop it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.models.item_types import CERTIFICATES, KEYS, SECRETS
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.opener import open_vault

CERTS = 300
SEED = {
    "secrets": [{"name": "plain", "value": "p"}],
    "keys": [{"name": f"key-{i:02d}", "kty": "EC", "crv": "P-256" if i % 2 else "P-384"}
             for i in range(40)],
    "certificates": [{"name": f"cert-{i:03d}", "subject": f"CN=cert-{i:03d}.local",
                      "kty": "EC", "crv": "P-256"} for i in range(CERTS)],
}
SUBJECT, TYPE, SIZE = 2, 2, 3  # columns: Name, Enabled, Subject… / Name, Enabled, Type, Size


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-row-fill"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


@pytest.fixture(autouse=True)
def _no_faults_left(emulator: Any) -> Iterator[None]:
    yield
    emulator.faults.clear()


async def listed(model: KeyVaultTreeModel, emulator: Any, session: ServiceSession, *,
                 read_only: bool = False) -> QModelIndex:
    """The model's vault row, listed to the end."""
    connection = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="fill-vault", ca_path=str(emulator.ca_path),
                            read_only=read_only)
    vault = model.add_root(VaultRoot(connection, open_vault(session, connection)))
    model.load_all(vault)
    await model.wait_idle()
    return vault


def rows(model: KeyVaultTreeModel, vault: QModelIndex, first: int, last: int
         ) -> list[QModelIndex]:
    return [model.index(row, 0, vault) for row in range(first, last + 1)]


def item_gets(emulator: Any, since: int, collection: str) -> list[str]:
    """Names of the items whose own GET the emulator answered since ``since`` (with a token)."""
    names = []
    for entry in emulator.request_log[since:]:
        parts = entry.path.strip("/").split("/")
        if entry.method == "GET" and entry.authorized and len(parts) == 2 \
                and parts[0] == collection:
            names.append(parts[1])
    return names


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


def test_rows_in_view_get_subject_and_type_and_only_they_are_asked(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        certificates = KeyVaultTreeModel(CERTIFICATES)
        vault = await listed(certificates, emulator, session)
        assert certificates.rowCount(vault) == CERTS
        assert certificates.index(5, SUBJECT, vault).data() == ""  # the listing has no subject
        log = len(emulator.request_log)
        # Top first: the order the GETs start in (the order they finish in is the network's:
        # the first row's GET has a kept-alive connection, the next three open theirs).
        started: list[str] = []
        filler = certificates.filler
        fetch = filler._fetch
        filler._fetch = lambda node: (started.append(node.record.name), fetch(node))[1]
        certificates.rows_in_view([vault, *rows(certificates, vault, 5, 16)])  # a vault row too
        await certificates.wait_idle()
        asked = item_gets(emulator, log, "certificates")
        assert sorted(asked) == [f"cert-{i:03d}" for i in range(5, 17)]
        assert started == [f"cert-{i:03d}" for i in range(5, 17)]
        for row in range(5, 17):
            assert certificates.index(row, SUBJECT, vault).data() == f"CN=cert-{row:03d}.local"
            item = certificates.record_of(certificates.index(row, 0, vault))
            assert item.version is None and item.id.endswith(f"/certificates/cert-{row:03d}")
        assert certificates.index(4, SUBJECT, vault).data() == ""  # not in view: not asked
        assert certificates.index(17, SUBJECT, vault).data() == ""

        keys = KeyVaultTreeModel(KEYS)
        key_vault = await listed(keys, emulator, session)
        first = keys.find_item(key_vault, "key-00").row()  # after the certificates' keys
        log = len(emulator.request_log)
        keys.rows_in_view(rows(keys, key_vault, first, first + 3))
        await keys.wait_idle()
        assert sorted(item_gets(emulator, log, "keys")) == ["key-00", "key-01", "key-02",
                                                            "key-03"]
        assert [keys.index(first + r, TYPE, key_vault).data() for r in range(5)] == [
            "EC", "EC", "EC", "EC", ""]
        assert [keys.index(first + r, SIZE, key_vault).data() for r in range(4)] == [
            "P-384", "P-256", "P-384", "P-256"]

        secrets = KeyVaultTreeModel(SECRETS)  # the listing carries every column: no GET
        secret_vault = await listed(secrets, emulator, session)
        log = len(emulator.request_log)
        secrets.rows_in_view(rows(secrets, secret_vault, 0, secrets.rowCount(secret_vault) - 1))
        await asyncio.sleep(0.1)
        assert secrets.filler is None and emulator.request_log[log:] == []

    qloop.run_until_complete(body())


def test_a_row_filled_or_asked_is_not_asked_again_until_its_record_changes(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        vault = await listed(model, emulator, session)
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 0, 9))
        await model.wait_idle()
        model.rows_in_view(rows(model, vault, 20, 29))  # scrolled away…
        await model.wait_idle()
        model.rows_in_view(rows(model, vault, 0, 9))  # …and back
        await model.wait_idle()
        names = [model.record_of(index).name for index in rows(model, vault, 0, 29)]
        assert sorted(item_gets(emulator, log, "keys")) == names[:10] + names[20:]

        # A write gives a row a record without the columns (a refresh would too): asked again.
        item = model.index(3, 0, vault)
        bare = model.record_of(item)
        model.update_record(item, type(bare)(bare.vault_url, bare.name, None, bare.id))
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 0, 9))
        await model.wait_idle()
        assert item_gets(emulator, log, "keys") == [names[3]]
        assert model.index(3, TYPE, vault).data() == "EC"

    qloop.run_until_complete(body())


def test_at_most_four_in_flight_started_top_first(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        vault = await listed(model, emulator, session)
        assert model.filler is not None and model.filler.max_in_flight == 4
        emulator.faults.slow(0.15, path_prefix="/certificates/", method="GET", times=None)
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 40, 59))
        peak = 0
        while model.filler.in_flight():
            peak = max(peak, model.filler.in_flight())
            await asyncio.sleep(0.005)
        await model.wait_idle()
        assert peak == 4
        assert sorted(item_gets(emulator, log, "certificates")) == [
            f"cert-{i:03d}" for i in range(40, 60)]
        # The emulator's side: never more than four of these GETs at the same moment.
        spans = [(e.time, e.time + e.duration_ms / 1000) for e in emulator.request_log[log:]
                 if e.method == "GET" and e.path.startswith("/certificates/")]
        overlapping = max(sum(1 for start, end in spans if start <= moment < end)
                          for moment, _ in spans)
        assert overlapping <= 4
        assert all(model.index(r, SUBJECT, vault).data() for r in range(40, 60))

    qloop.run_until_complete(body())


def test_rows_scrolled_away_are_cancelled_queued_or_in_flight_and_left_untouched(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        failures: list[Any] = []
        model.load_failed.connect(failures.append)
        vault = await listed(model, emulator, session)
        emulator.faults.slow(0.5, path_prefix="/certificates/", method="GET", times=None)
        journal = session.journal
        seen = len(journal)
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 100, 111))
        await wait_for(lambda: model.filler.in_flight() == 4)
        await asyncio.sleep(0.05)  # the four requests are on the wire
        model.rows_in_view(rows(model, vault, 200, 203))  # scrolled far away
        emulator.faults.clear()
        await model.wait_idle()
        await asyncio.sleep(0.6)  # long enough for a cancelled answer to have landed
        assert all(model.index(r, SUBJECT, vault).data() == "" for r in range(100, 112))
        assert all(model.index(r, SUBJECT, vault).data() for r in range(200, 204))
        cancelled = [r.url for r in journal.records()[seen:] if r.cancelled]
        assert len(cancelled) == 4 and all("/certificates/cert-10" in url for url in cancelled)
        # The eight rows still queued were never sent.
        sent = item_gets(emulator, log, "certificates")
        assert not {f"cert-{i:03d}" for i in range(104, 112)} & set(sent)
        assert failures == [] and not [r for r in journal.records()[seen:] if r.failed]

        # Back in view, a row whose GET was cancelled is asked again (it was never answered).
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 100, 101))
        await model.wait_idle()
        assert sorted(item_gets(emulator, log, "certificates")) == ["cert-100", "cert-101"]

    qloop.run_until_complete(body())


@pytest.mark.parametrize("stop", ["refresh", "remove_root", "show_deleted", "cancel_all"])
def test_refresh_removal_reset_and_close_cancel_the_fills(
        qloop: Any, emulator: Any, session: ServiceSession, stop: str) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        vault = await listed(model, emulator, session)
        node = model.node_of(model.index(0, 0, vault))
        emulator.faults.slow(0.4, path_prefix="/keys/", method="GET", times=None)
        model.rows_in_view(rows(model, vault, 0, 9))
        await wait_for(lambda: model.filler.in_flight() == 4)
        if stop == "refresh":
            model.refresh(vault)
        elif stop == "remove_root":
            model.remove_root(model.record_of(vault))
        elif stop == "show_deleted":
            model.set_show_deleted(True)
        else:
            model.cancel_all()
        assert model.filler.in_flight() == 0  # cancelled at once, not when answered
        emulator.faults.clear()
        await model.wait_idle()
        await asyncio.sleep(0.5)
        assert node.record.key_type is None  # the removed row was never touched
        if stop == "cancel_all":  # the window closes: nothing is asked any more
            model.rows_in_view(rows(model, vault, 0, 3))
            assert model.filler.in_flight() == 0

    qloop.run_until_complete(body())


def test_access_denied_stops_the_vault_quietly(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        failures: list[Any] = []
        model.load_failed.connect(failures.append)
        vault = await listed(model, emulator, session)
        emulator.faults.forbid("/certificates/", method="GET")
        seen = len(session.journal)
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 0, 19))
        await model.wait_idle()
        await asyncio.sleep(0.05)
        assert model.filler.is_stopped(model.node_of(vault))
        first = item_gets(emulator, log, "certificates")
        assert 1 <= len(first) <= 4  # the first answers stop it; the queue is never sent
        model.rows_in_view(rows(model, vault, 50, 69))
        await asyncio.sleep(0.1)
        assert item_gets(emulator, log, "certificates") == first  # no more asking
        assert failures == []
        answered = [r for r in session.journal.records()[seen:] if r.response is not None]
        assert {r.response.status for r in answered} == {403}
        assert all(r.expected and not r.failed for r in answered)  # quiet in the Activity
        assert all(model.index(r, SUBJECT, vault).data() == "" for r in range(20))

    qloop.run_until_complete(body())


def test_throttling_pauses_the_vault_for_the_retry_after_without_a_loop(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        vault = await listed(model, emulator, session)
        model.filler.min_pause = 0.5
        # Every GET of a key answers 429 "wait 0.05 s": azure-core's policy retries each
        # three times, then the filler waits (at least min_pause) before asking again.
        emulator.faults.add(429, retry_after=0.05, times=None, path_prefix="/keys/",
                            method="GET")
        seen = len(session.journal)
        log = len(emulator.request_log)
        model.rows_in_view(rows(model, vault, 0, 9))
        vault_node = model.node_of(vault)
        await wait_for(lambda: model.filler.paused_for(vault_node) > 0)
        await model.wait_idle()
        asked = len(item_gets(emulator, log, "keys"))
        assert asked <= 4 * 4  # at most the four in flight, each with its three retries
        await asyncio.sleep(0.2)
        assert len(item_gets(emulator, log, "keys")) == asked  # paused: nothing more
        quiet = [r for r in session.journal.records()[seen:] if r.response is not None]
        assert quiet and all(r.response.status == 429 and not r.failed for r in quiet)

        emulator.faults.clear()  # the vault recovers: the rows are asked after the pause
        await wait_for(lambda: all(model.index(r, TYPE, vault).data() for r in range(10)))
        assert model.filler.paused_for(vault_node) == 0

    qloop.run_until_complete(body())


def test_a_read_only_connection_fills_too(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(CERTIFICATES)
        vault = await listed(model, emulator, session, read_only=True)
        model.rows_in_view(rows(model, vault, 0, 2))
        await model.wait_idle()
        assert [model.index(r, SUBJECT, vault).data() for r in range(3)] == [
            "CN=cert-000.local", "CN=cert-001.local", "CN=cert-002.local"]

    qloop.run_until_complete(body())


def test_the_header_says_the_columns_fill_in_the_background(qapp: Any) -> None:
    model = KeyVaultTreeModel(KEYS)
    tip = model.headerData(TYPE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "filled in the background for the rows in view" in tip


def test_a_row_whose_get_failed_for_itself_is_asked_once(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        # Gone meanwhile (404): the row stays as listed and is not asked again; the vault's
        # other rows still fill.
        model = KeyVaultTreeModel(CERTIFICATES)
        vault = await listed(model, emulator, session)
        emulator.faults.add(404, path_prefix="/certificates/cert-007", method="GET",
                            times=None)
        log = len(emulator.request_log)
        for _ in range(3):
            model.rows_in_view(rows(model, vault, 6, 8))
            # Bounded: a filler that forgot the failure would ask again as soon as answered.
            await asyncio.wait_for(model.wait_idle(), 5.0)
        assert sorted(item_gets(emulator, log, "certificates")) == [
            "cert-006", "cert-007", "cert-008"]
        assert [model.index(r, SUBJECT, vault).data() for r in range(6, 9)] == [
            "CN=cert-006.local", "", "CN=cert-008.local"]
        assert not model.filler.is_stopped(model.node_of(vault))

    qloop.run_until_complete(body())


def test_an_answer_for_a_record_replaced_meanwhile_is_dropped(
        qloop: Any, emulator: Any, session: ServiceSession) -> None:
    async def body() -> None:
        model = KeyVaultTreeModel(KEYS)
        vault = await listed(model, emulator, session)
        emulator.faults.slow(0.3, path_prefix="/keys/", method="GET", times=None)
        item = model.index(12, 0, vault)
        model.rows_in_view([item])
        await asyncio.sleep(0.1)
        listed_record = model.record_of(item)
        written = replace(listed_record, tags={"written": "meanwhile"})
        model.update_record(item, written)  # a write's answer lands first
        await model.wait_idle()
        assert model.record_of(item) is written  # the older GET does not overwrite it

    qloop.run_until_complete(body())
