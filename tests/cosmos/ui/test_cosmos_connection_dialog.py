"""The connection dialog makes Cosmos DB connections from the registry: a sovereign cloud's
endpoint, and a local server with its own CA file (the dialog's CA row, for a local server
only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog

from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.cosmos.kind import KIND


def test_the_dialog_makes_a_local_server_connection_with_its_ca(qtbot: Any,
                                                                 tmp_path: Path) -> None:
    ca = tmp_path / "local-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog = ConnectionDialog(kinds=(KIND,), kind="cosmos")
    qtbot.addWidget(dialog)
    assert dialog.kind_combo.currentText() == "Cosmos DB"
    qtbot.keyClicks(dialog.url_edit, "https://acct.documents.azure.us:443/")
    assert dialog.is_valid
    assert dialog.connection().url == "https://acct.documents.azure.us/"
    methods = [dialog.auth_combo.itemData(i) for i in range(dialog.auth_combo.count())]
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "https://127.0.0.1:8081/")
    dialog.auth_combo.setCurrentIndex(methods.index(AuthMethod.LOCAL_EMULATOR))
    qtbot.keyClicks(dialog.ca_edit, str(tmp_path / "missing.pem"))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "does not exist" in dialog.message
    dialog.ca_edit.clear()
    qtbot.keyClicks(dialog.ca_edit, str(ca))
    dialog.accept()
    connection = dialog.connection()
    assert (connection.url, connection.auth, connection.ca_path) == (
        "https://127.0.0.1:8081/", AuthMethod.LOCAL_EMULATOR, str(ca))
    assert connection.display_name == "127.0.0.1:8081"
