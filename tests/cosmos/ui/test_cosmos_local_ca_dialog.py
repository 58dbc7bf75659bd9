"""A connection string for the local Cosmos DB server, with its own CA, made in the connection
dialog (no local-emulator sign-in): it opens and lists over verified HTTPS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cosmos.conftest import SeededContainer
from tests.cosmos.ui.cosmos_window import CosmosWindow
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.cosmos.kind import KIND
from vaultbrowser.emulators.cosmos_server import COSMOS_SERVER_KEY, CosmosServer


def test_a_local_servers_connection_string_with_its_ca_opens(
        qloop: Any, qtbot: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(3)
    dialog = ConnectionDialog(kinds=(KIND,), kind="cosmos")
    qtbot.addWidget(dialog)
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("connection-string"))
    qtbot.keyClicks(dialog.secret_edit, f"AccountEndpoint={cosmos_server.endpoint};"
                                        f"AccountKey={COSMOS_SERVER_KEY};")
    assert dialog.form.isRowVisible(dialog.ca_edit.parentWidget())
    qtbot.keyClicks(dialog.ca_edit, str(cosmos_server.ca_path))
    dialog.accept()
    connection = dialog.connection()
    assert connection.auth is AuthMethod.CONNECTION_STRING
    assert connection.ca_path == str(cosmos_server.ca_path)
    h = cosmos_window

    async def run() -> None:
        root = await h.connected(connection)  # TLS verified against the server's own CA
        assert seeded.database in h.names(root)
        database = await h.child(root, seeded.database)
        await h.listed(database)
        assert h.names(database) == ["items"]
    qloop.run_until_complete(run())
    assert not h.errors
