"""The connection dialog's CA certificate row: for any endpoint on this computer (loopback),
whatever the sign-in (an account key, a pasted connection string, Entra ID, none) and for
every kind; never for an Azure endpoint (refused, plainly); saved with the connection."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog

KEY = base64.b64encode(b"k" * 64).decode()


@pytest.fixture
def ca(tmp_path: Path) -> str:
    path = tmp_path / "local-ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def dialog_for(qtbot: Any, kind: str) -> ConnectionDialog:
    dialog = ConnectionDialog(kinds=KINDS, kind=kind)
    qtbot.addWidget(dialog)
    dialog.url_edit.clear()
    return dialog


def ca_row_shown(dialog: ConnectionDialog) -> bool:
    return dialog.form.isRowVisible(dialog.ca_edit.parentWidget())


def choose(combo: Any, data: object) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_an_account_key_for_a_local_server_takes_a_ca(qtbot: Any, ca: str) -> None:
    dialog = dialog_for(qtbot, "cosmos")
    choose(dialog.auth_combo, AuthMethod.ACCOUNT_KEY)
    qtbot.keyClicks(dialog.url_edit, "https://myacct.documents.azure.com/")
    assert not ca_row_shown(dialog)  # an Azure endpoint: the system's trust store
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "https://127.0.0.1:8081/")
    assert ca_row_shown(dialog)  # shown as soon as the URL is local, before the key
    qtbot.keyClicks(dialog.secret_edit, KEY)
    qtbot.keyClicks(dialog.ca_edit, ca)
    assert dialog.is_valid, dialog.message
    connection = dialog.connection()
    assert (connection.auth, connection.ca_path) == (AuthMethod.ACCOUNT_KEY, ca)
    # saved with the connection (never the key)
    saved = connection.to_settings()
    assert saved["ca_path"] == ca and KEY not in str(saved)
    assert Connection.from_settings(saved, lambda _kind, url: url).ca_path == ca


def test_a_pasted_connection_string_for_a_local_server_takes_a_ca(qtbot: Any,
                                                                   ca: str) -> None:
    dialog = dialog_for(qtbot, "cosmos")
    choose(dialog.mode_combo, "connection-string")
    assert not ca_row_shown(dialog)  # nothing pasted yet: no endpoint to judge
    qtbot.keyClicks(dialog.secret_edit, f"AccountEndpoint=https://localhost:8081/;AccountKey={KEY};")
    assert ca_row_shown(dialog)
    qtbot.keyClicks(dialog.ca_edit, ca)
    assert dialog.is_valid, dialog.message
    assert dialog.connection().ca_path == ca


def test_a_ca_for_an_azure_endpoint_is_refused_plainly(qtbot: Any, ca: str) -> None:
    dialog = dialog_for(qtbot, "cosmos")
    choose(dialog.mode_combo, "connection-string")
    qtbot.keyClicks(dialog.secret_edit, f"AccountEndpoint=https://localhost:8081/;AccountKey={KEY};")
    qtbot.keyClicks(dialog.ca_edit, ca)
    assert dialog.is_valid
    dialog.secret_edit.clear()
    qtbot.keyClicks(dialog.secret_edit,
                    f"AccountEndpoint=https://myacct.documents.azure.com/;AccountKey={KEY};")
    assert not dialog.is_valid
    assert "only for a server on this computer" in dialog.message
    assert KEY not in dialog.message
    assert ca_row_shown(dialog)  # still shown while it holds a path: the user can clear it
    dialog.ca_edit.clear()
    assert dialog.is_valid and not ca_row_shown(dialog)
    assert dialog.connection().ca_path is None


@pytest.mark.parametrize(("kind", "auth", "url"), [
    ("keyvault", AuthMethod.AZURE_CLI, "https://localhost:8443"),
    ("blob", AuthMethod.AZURE_CLI, "https://127.0.0.1:10000/devstoreaccount1"),
    ("cosmos", AuthMethod.AZURE_CLI, "https://[::1]:8081/"),
])
def test_every_kind_takes_a_ca_for_a_loopback_endpoint_only(qtbot: Any, ca: str, kind: str,
                                                            auth: AuthMethod, url: str) -> None:
    dialog = dialog_for(qtbot, kind)
    choose(dialog.auth_combo, auth)
    qtbot.keyClicks(dialog.url_edit, url)
    assert ca_row_shown(dialog)
    qtbot.keyClicks(dialog.ca_edit, ca)
    assert dialog.is_valid, dialog.message
    assert dialog.connection().ca_path == ca


def test_a_missing_ca_file_is_named(qtbot: Any, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, "keyvault")
    qtbot.keyClicks(dialog.url_edit, "https://localhost:8443")
    qtbot.keyClicks(dialog.ca_edit, str(tmp_path / "missing.pem"))
    assert not dialog.is_valid and "does not exist" in dialog.message
