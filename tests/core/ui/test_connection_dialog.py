"""``ConnectionDialog`` validation and ``ConnectionStore`` persistence (real QSettings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.core.ui.connection_form import FROM_ENV
from vaultbrowser.core.ui.connection_store import ConnectionStore

SHOTS = Path("/tmp/vb-shots")
KEY = "SECRETKEY" + "x" * 43  # canonical base64, as account keys are
CONNECTION_STRING = (f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={KEY};"
                     "EndpointSuffix=core.windows.net")
SAS_URL = ("https://acme.blob.core.windows.net/?sv=2022-11-02&ss=b&srt=sco&sp=rl"
           "&se=2030-01-01T00:00:00Z&sig=SECRETSIG%2Fab")


@pytest.fixture
def dialog(qtbot: Any) -> ConnectionDialog:
    widget = ConnectionDialog(kinds=KINDS)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "vaultbrowser.ini"


def store_at(path: Path) -> ConnectionStore:
    return ConnectionStore(QSettings(str(path), QSettings.Format.IniFormat), kinds=KINDS)


def choose(combo: Any, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def shoot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def test_bad_vault_url_disables_ok_with_the_typed_message(dialog: ConnectionDialog,
                                                          qtbot: Any) -> None:
    assert not dialog.is_valid  # empty form
    qtbot.keyClicks(dialog.url_edit, "https://example.com")
    assert not dialog.is_valid
    assert "is not a Key Vault address" in dialog.message
    dialog.url_edit.setText("http://demo.vault.azure.net")
    assert dialog.message == "Key Vault is only reachable over https://."
    dialog.show()
    shoot(dialog, "connection_dialog_invalid")
    dialog.accept()  # refused while invalid
    assert dialog.result() == 0 and dialog.isVisible()


def test_bare_vault_name_is_normalized(dialog: ConnectionDialog, qtbot: Any) -> None:
    qtbot.keyClicks(dialog.url_edit, "demo-vault")
    dialog.read_only_check.setChecked(True)
    dialog.name_edit.setText("Demo")
    assert dialog.is_valid
    assert dialog.message == "Connects to https://demo-vault.vault.azure.net"
    dialog.ok_button.click()
    connection = dialog.connection()
    assert connection == Connection("keyvault", "https://demo-vault.vault.azure.net",
                                    AuthMethod.DEFAULT, name="Demo", read_only=True)


def test_sign_in_methods_and_fields_follow_kind_and_method(dialog: ConnectionDialog) -> None:
    methods = [dialog.auth_combo.itemData(i) for i in range(dialog.auth_combo.count())]
    assert AuthMethod.ACCOUNT_KEY not in methods and AuthMethod.SAS not in methods
    assert dialog.auth_combo.itemText(0) == AuthMethod.DEFAULT.label
    assert not dialog.form.isRowVisible(dialog.mode_combo)
    choose(dialog.auth_combo, AuthMethod.SERVICE_PRINCIPAL_SECRET)
    assert dialog.form.isRowVisible(dialog.tenant_edit)
    assert dialog.form.isRowVisible(dialog.secret_edit)
    assert not dialog.form.isRowVisible(dialog.cert_edit.parentWidget())
    choose(dialog.auth_combo, AuthMethod.AZURE_CLI)
    assert not dialog.form.isRowVisible(dialog.secret_edit)
    assert not dialog.form.isRowVisible(dialog.client_edit)
    choose(dialog.kind_combo, "blob")
    methods = [dialog.auth_combo.itemData(i) for i in range(dialog.auth_combo.count())]
    assert AuthMethod.ACCOUNT_KEY in methods
    assert dialog.auth_combo.currentData() == AuthMethod.AZURE_CLI  # kept across kinds
    assert dialog.form.isRowVisible(dialog.mode_combo)


def test_connection_string_secret_never_reaches_the_settings_file(qtbot: Any,
                                                                   ini: Path) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="blob")
    qtbot.addWidget(dialog)
    choose(dialog.mode_combo, "connection-string")
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Password
    dialog.secret_edit.setText("AccountName=acme;AccountKey")  # malformed
    assert not dialog.is_valid and "malformed" in dialog.message
    dialog.secret_edit.setText(f"AccountName=acme;AccountKey={KEY};BlobEndpoint=ftp://{KEY}")
    assert not dialog.is_valid and KEY not in dialog.message
    dialog.secret_edit.setText(CONNECTION_STRING)
    assert dialog.is_valid
    dialog.show()
    shoot(dialog, "connection_dialog_connection_string")
    dialog.ok_button.click()
    assert dialog.secret_edit.text() == ""  # the secret now lives only in the Connection
    connection = dialog.connection()
    assert connection.auth is AuthMethod.CONNECTION_STRING
    assert connection.url == "https://acme.blob.core.windows.net"
    assert connection.secret is not None and KEY in connection.secret.reveal()

    store_at(ini).save([connection])
    text = ini.read_text()
    assert "SECRET" not in text and "AccountKey" not in text
    assert "acme.blob.core.windows.net" in text
    loaded = store_at(ini).load()
    assert loaded == [connection] and loaded[0].secret is None


def test_sas_url(qtbot: Any, ini: Path) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="blob")
    qtbot.addWidget(dialog)
    choose(dialog.mode_combo, "sas")
    dialog.secret_edit.setText(SAS_URL.replace("&sig=SECRETSIG%2Fab", ""))
    assert not dialog.is_valid and "no signature" in dialog.message
    dialog.secret_edit.setText(SAS_URL)
    assert dialog.is_valid
    dialog.ok_button.click()
    connection = dialog.connection()
    assert connection.auth is AuthMethod.SAS
    assert connection.url == "https://acme.blob.core.windows.net"
    assert "sig=SECRETSIG" in connection.secret.reveal()
    store_at(ini).save([connection])
    assert "SECRETSIG" not in ini.read_text()


def test_secret_from_environment_variable(qtbot: Any, ini: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = ConnectionDialog(kinds=KINDS)
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("https://demo.vault.azure.net/")
    choose(dialog.auth_combo, AuthMethod.SERVICE_PRINCIPAL_SECRET)
    assert "Paste the client secret" in dialog.message
    dialog.tenant_edit.setText("contoso.onmicrosoft.com")
    dialog.client_edit.setText("00000000-0000-0000-0000-000000000001")
    choose(dialog.source_combo, FROM_ENV)
    assert dialog.form.isRowVisible(dialog.env_edit)
    assert not dialog.form.isRowVisible(dialog.secret_edit)
    dialog.env_edit.setText("9-bad")
    assert not dialog.is_valid and "not a valid environment variable name" in dialog.message
    monkeypatch.delenv("VB_TEST_CLIENT_SECRET", raising=False)
    dialog.env_edit.setText("VB_TEST_CLIENT_SECRET")
    assert dialog.is_valid and "not set now" in dialog.message  # a note, not an error
    dialog.show()
    shoot(dialog, "connection_dialog_env_secret")
    dialog.ok_button.click()
    connection = dialog.connection()
    assert connection.secret is None and connection.secret_env == "VB_TEST_CLIENT_SECRET"
    assert connection.tenant_id == "contoso.onmicrosoft.com"
    store_at(ini).add(connection)
    monkeypatch.setenv("VB_TEST_CLIENT_SECRET", "s3cret-value")
    (loaded,) = store_at(ini).load()
    assert loaded.resolve_secret().reveal() == "s3cret-value"
    assert "s3cret" not in ini.read_text()


def test_store_round_trip_add_remove_and_skip_invalid(ini: Path) -> None:
    vault = Connection("keyvault", "https://a.vault.azure.net", name="A",
                       read_only=True, tenant_id="t1")
    blob = Connection("blob", "http://127.0.0.1:10000/devstoreaccount1",
                      AuthMethod.LOCAL_EMULATOR)
    store = store_at(ini)
    store.save([vault, blob])
    assert store_at(ini).load() == [vault, blob]
    assert store_at(ini).load()[0].read_only is True

    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.beginWriteArray("connections", 3)
    settings.setArrayIndex(2)
    settings.setValue("kind", "keyvault")
    settings.setValue("url", "https://evil.example.com")
    settings.endArray()
    settings.sync()
    reported: list[InvalidInput] = []
    store = ConnectionStore(QSettings(str(ini), QSettings.Format.IniFormat),
                            kinds=KINDS, on_invalid=reported.append)
    assert store.load() == [vault, blob]
    assert len(reported) == 1 and "not a Key Vault address" in reported[0].message
    assert store.skipped == reported

    renamed = Connection("keyvault", "https://a.vault.azure.net", name="Renamed")
    assert store.add(renamed) == [blob, renamed]  # same key replaces
    assert store.remove(blob) == [renamed]
    assert store_at(ini).load() == [renamed]


def test_storage_account_url_with_account_key_or_local_emulator(qtbot: Any) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="blob")
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("http://acme.blob.core.windows.net")
    assert not dialog.is_valid and "https://" in dialog.message
    dialog.url_edit.setText("acme")
    choose(dialog.auth_combo, AuthMethod.ACCOUNT_KEY)
    assert not dialog.is_valid and "Paste the account key" in dialog.message
    dialog.secret_edit.setText(KEY)
    assert dialog.is_valid
    assert dialog.connection().secret.reveal() == KEY
    assert dialog.connection().url == "https://acme.blob.core.windows.net"
    choose(dialog.auth_combo, AuthMethod.LOCAL_EMULATOR)
    dialog.url_edit.setText("http://127.0.0.1:10000/devstoreaccount1")
    assert dialog.is_valid
    connection = dialog.connection()
    assert connection.auth is AuthMethod.LOCAL_EMULATOR and connection.secret is None
