"""The connection dialog offers Azure Managed Redis from the registry: its address rule, its
sign-in methods and the access key checked at once (never repeated)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog


def test_the_dialog_makes_redis_connections(qtbot: Any) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="redis")
    qtbot.addWidget(dialog)
    assert dialog.kind_combo.currentText() == "Azure Managed Redis"
    assert dialog.form.labelForField(dialog.url_edit).text() == "Redis address"
    methods = [dialog.auth_combo.itemData(i) for i in range(dialog.auth_combo.count())]
    assert methods[-2:] == [AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR]
    qtbot.keyClicks(dialog.url_edit, "redis://cache.example.com")
    assert not dialog.is_valid and "loopback" in dialog.message
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "myredis.westeurope.redis.azure.net")
    assert dialog.is_valid
    assert dialog.connection().url == "rediss://myredis.westeurope.redis.azure.net:10000"
    dialog.auth_combo.setCurrentIndex(methods.index(AuthMethod.ACCOUNT_KEY))
    qtbot.keyClicks(dialog.secret_edit, "bad key with spaces")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "access key" in dialog.message and "bad key" not in dialog.message
    dialog.secret_edit.clear()
    qtbot.keyClicks(dialog.secret_edit, "GoodKey0123456789=")
    dialog.accept()
    connection = dialog.connection()
    assert connection.auth is AuthMethod.ACCOUNT_KEY
    assert connection.secret is not None and connection.secret.reveal() == "GoodKey0123456789="
    assert "GoodKey" not in repr(connection) and "GoodKey" not in str(connection.to_settings())
