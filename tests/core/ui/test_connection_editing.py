"""Connections as users expect them: edit one (secrets kept, never shown), command-line
connections for the run only, a connection that fails never saved."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from vaultbrowser.app import KINDS, startup_connections
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.core.ui.connection_form import FROM_ENV
from vaultbrowser.core.ui.connection_store import ConnectionStore
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

KEY = "SECRETKEY" + "x" * 43
CONNECTION_STRING = (f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={KEY};"
                     "EndpointSuffix=core.windows.net")


def store_at(path: Path) -> ConnectionStore:
    return ConnectionStore(QSettings(str(path), QSettings.Format.IniFormat), kinds=KINDS)


def test_editing_starts_from_the_connection(qtbot: Any) -> None:
    vault = Connection("keyvault", "https://kv1.vault.azure.net",
                       AuthMethod.SERVICE_PRINCIPAL_SECRET, name="prod",
                       tenant_id="contoso.onmicrosoft.com", client_id="app-1", read_only=True,
                       secret=SecretValue("client-secret-123"))
    dialog = ConnectionDialog(kinds=KINDS, editing=vault)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit connection" and dialog.ok_button.text() == "Save"
    assert not dialog.kind_combo.isEnabled() and dialog.kind.name == "keyvault"
    assert dialog.url_edit.text() == vault.url and dialog.name_edit.text() == "prod"
    assert dialog.tenant_edit.text() == "contoso.onmicrosoft.com"
    assert dialog.client_edit.text() == "app-1" and dialog.read_only_check.isChecked()
    # The secret is never shown; left empty it is kept.
    assert dialog.secret_edit.text() == "" and "keep" in dialog.secret_edit.placeholderText()
    assert dialog.is_valid
    dialog.url_edit.setText("kv2")
    dialog.ok_button.click()
    edited = dialog.connection()
    assert edited.url == "https://kv2.vault.azure.net" and edited.secret == vault.secret
    assert (edited.auth, edited.tenant_id, edited.client_id, edited.read_only) == (
        vault.auth, vault.tenant_id, vault.client_id, True)


def test_editing_keeps_a_pasted_connection_string_and_an_environment_variable(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pasted = ConnectionDialog(kinds=KINDS, kind="blob")
    qtbot.addWidget(pasted)
    pasted.mode_combo.setCurrentIndex(pasted.mode_combo.findData("connection-string"))
    pasted.secret_edit.setText(CONNECTION_STRING)
    pasted.ok_button.click()
    account = pasted.connection()
    dialog = ConnectionDialog(kinds=KINDS, editing=account)
    qtbot.addWidget(dialog)
    assert dialog.mode == "connection-string" and dialog.secret_edit.text() == ""
    dialog.name_edit.setText("acme (renamed)")
    assert dialog.is_valid
    dialog.ok_button.click()
    renamed = dialog.connection()
    assert renamed.name == "acme (renamed)" and renamed.url == account.url
    assert renamed.secret == account.secret and KEY not in dialog.message

    monkeypatch.setenv("VB_TEST_SECRET", "from-the-environment")
    from_env = Connection("keyvault", "https://kv1.vault.azure.net",
                          AuthMethod.SERVICE_PRINCIPAL_SECRET, tenant_id="t", client_id="c",
                          secret_env="VB_TEST_SECRET")
    dialog = ConnectionDialog(kinds=KINDS, editing=from_env)
    qtbot.addWidget(dialog)
    assert dialog.source_combo.currentData() == FROM_ENV
    assert dialog.env_edit.text() == "VB_TEST_SECRET" and dialog.is_valid
    assert dialog.connection().secret_env == "VB_TEST_SECRET"


def test_command_line_connections_are_for_the_run_only(tmp_path: Path) -> None:
    store = store_at(tmp_path / "settings.ini")
    saved = Connection("keyvault", "https://saved.vault.azure.net")
    store.save([saved])
    named = [Connection("keyvault", "https://typo.vault.azure.net"),
             Connection("keyvault", "https://saved.vault.azure.net", read_only=True)]
    opened = startup_connections(named, store)
    assert [c.url for c in opened] == ["https://typo.vault.azure.net",
                                       "https://saved.vault.azure.net"]
    assert opened[1].read_only  # the command line's own flags win for this run
    assert store_at(tmp_path / "settings.ini").load() == [saved]  # nothing added


def test_a_connection_that_fails_is_not_saved_and_edit_replaces_a_saved_one(
        qloop: Any, tmp_path: Path, kv_emulator: Any) -> None:
    store = store_at(tmp_path / "settings.ini")
    reporter = ErrorReporter(modal=False)
    shown: list[Any] = []
    reporter.dialog_shown.connect(shown.append)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter,
                        connection_store=store)
    good = Connection("keyvault", kv_emulator.url, AuthMethod.LOCAL_EMULATOR, name="good",
                      ca_path=str(kv_emulator.ca_path))

    async def body() -> None:
        # A sign-in method Key Vault lacks cannot open: reported, and never saved.
        bad = Connection("keyvault", "https://kv9.vault.azure.net", AuthMethod.ACCOUNT_KEY,
                         secret=SecretValue("k"))
        assert not await window.open_connection(bad, remember=True)
        assert store.load() == []
        assert await window.open_connection(good, remember=True)
        assert store.load() == [good]
        window.tabs.setCurrentWidget(window.pane("Secrets"))
        pane = window.pane("Secrets")
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(pane.model.index(0, 0)))
        assert window.connection_actions.selected() == good
        renamed = Connection("keyvault", kv_emulator.url, AuthMethod.LOCAL_EMULATOR,
                             name="renamed", read_only=True, ca_path=str(kv_emulator.ca_path))
        assert await window.connection_actions.replace(good, renamed)
        assert [c.name for c in window.connections] == ["renamed"]
        assert [(c.name, c.read_only) for c in store.load()] == [("renamed", True)]
        await pane.model.wait_idle()

    try:
        qloop.run_until_complete(asyncio.wait_for(body(), 60))
        assert len(shown) == 1  # the bad one's dialog, nothing else
    finally:
        qloop.run_until_complete(window.aclose())
        reporter.close_all()
        window.deleteLater()


def test_an_azure_sign_in_picks_its_cloud(qtbot: Any) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="azure")
    qtbot.addWidget(dialog)
    labels = [dialog.url_choice_combo.itemText(i) for i in range(dialog.url_choice_combo.count())]
    assert labels[:3] == ["Azure public", "Azure US Government", "Azure China (21Vianet)"]
    assert dialog.url_edit.text() == "https://management.azure.com" and dialog.is_valid
    dialog.url_choice_combo.activated.emit(2)
    assert dialog.url_edit.text() == "https://management.chinacloudapi.cn"
    dialog.ok_button.click()
    assert dialog.connection().url == "https://management.chinacloudapi.cn"
    vault_dialog = ConnectionDialog(kinds=KINDS, kind="keyvault")
    qtbot.addWidget(vault_dialog)
    assert vault_dialog.url_choice_combo.count() == 0  # no picker where a kind has no presets
