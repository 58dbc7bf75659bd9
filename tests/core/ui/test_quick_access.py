"""Quick access: pins (most opened first, remembered, never a SAS) reopen through the saved
connection's sign-in; where the user was at close opens again at the next start."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.connection_store import ConnectionStore
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.keyvault import run_emulator_in_thread

SEED = {"secrets": [{"name": f"pin-{i:02d}", "value": f"v{i}"} for i in range(30)]}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-pins"),
                                seed=SEED) as emulator:
        yield emulator


def make_window(settings_path: Path) -> tuple[MainWindow, ConnectionStore, list[Any]]:
    store = ConnectionStore(QSettings(str(settings_path), QSettings.Format.IniFormat),
                            kinds=KINDS)
    reporter = ErrorReporter(modal=False)
    reported: list[Any] = []
    reporter.dialog_shown.connect(lambda dialog: reported.append(dialog.error))
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter,
                        connection_store=store)
    window.show()
    return window, store, reported


def close(qloop: Any, window: MainWindow) -> None:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.close()
    qloop.run_until_complete(asyncio.wait_for(closed.wait(), 30))
    window.reporter.close_all()
    window.deleteLater()


def test_pins_reopen_most_opened_first_and_the_last_place_comes_back(
        qloop: Any, tmp_path: Path, vault: Any) -> None:
    settings_path = tmp_path / "settings.ini"
    saved = Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR, name="pins-vault",
                       ca_path=str(vault.ca_path))
    window, store, reported = make_window(settings_path)

    async def first_run() -> None:
        assert await window.open_connection(saved, remember=True)
        await window.navigation.open_address(f"{vault.url}/secrets/pin-25")
        quick = window.quick_access
        quick.pin_selected()
        pane = window.pane("Secrets")
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(pane.model.index(0, 0)))
        quick.pin_selected()  # the vault itself
        host = vault.url.split("://", 1)[1]
        assert [p.label for p in quick.pins()] == [f"pin-25 (secret in {host})", "pins-vault"]
        with pytest.raises(InvalidInput, match="never keeps a query"):
            quick.pin("https://acme.blob.core.windows.net/logs?sv=1&sig=x", "sas")
        quick.open_pin(f"{vault.url}/secrets/pin-25")
        await asyncio.sleep(0.5)
        assert quick.pins()[0].address == f"{vault.url}/secrets/pin-25"
        assert quick.pins()[0].opened == 1
        # Where the user ends up:
        await window.navigation.open_address(f"{vault.url}/secrets/pin-07")

    try:
        qloop.run_until_complete(asyncio.wait_for(first_run(), 60))
        assert reported == []
    finally:
        close(qloop, window)
    text = settings_path.read_text()
    assert "pin-07" in text and "pin-25" in text and "sig=" not in text

    # The next start: the saved vault opens, and so does the last selection.
    window, store, reported = make_window(settings_path)

    async def second_run() -> None:
        for connection in store.load():
            assert await window.open_connection(connection)
        await window.navigation.restore_last()
        record = window.current_pane().model.record_of(
            window.current_pane().selected_source_index())
        assert record is not None and record.name == "pin-07"
        assert window.quick_access.pins()[0].opened == 1  # counts remembered
        # A pin opens through the saved connection (its sign-in), not a new default one.
        window.quick_access.open_pin(vault.url)
        await asyncio.sleep(0.3)
        assert [c.auth for c in window.connections] == [AuthMethod.LOCAL_EMULATOR]

    try:
        qloop.run_until_complete(asyncio.wait_for(second_run(), 60))
        assert reported == []
    finally:
        close(qloop, window)
