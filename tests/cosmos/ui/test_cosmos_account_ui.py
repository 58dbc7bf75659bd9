"""The account's row in the window: its own details (consistency, regions) in the detail pane
once it opened, and its name: a local server is ``127.0.0.1:<port>``, never "127"."""

from __future__ import annotations

from typing import Any

from tests.cosmos.ui.cosmos_window import CosmosWindow, section
from vaultbrowser.core.models.details import Details
from vaultbrowser.cosmos.services.addresses import account_name
from vaultbrowser.emulators.cosmos_server import CosmosServer


def test_the_account_row_shows_its_own_details_and_a_local_name(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer) -> None:
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server, name="")  # named by its endpoint
        local = account_name(cosmos_server.endpoint)
        assert local.startswith("127.0.0.1:") and h.model.index(root.row(), 0).data() == local
        pane = h.window.detail_pane
        shown: list[Details] = []
        pane.details_changed.connect(shown.append)
        h.window.reveal(h.pane, root)
        await h.wait_for(lambda: shown and shown[-1].record == h.model.record_of(root))
        account = section(shown[-1], "Account")
        assert account["Default consistency"] == "Session"
        assert account["Write regions"] == "South Central US" == account["Read regions"]
        assert account["Multi-region writes"] == "No"
        assert pane.title.text() == local
    qloop.run_until_complete(run())
    assert not h.errors
