"""The start screen while nothing is open; a storage-only start opens on the storage tree."""

from __future__ import annotations

import asyncio
from typing import Any

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.core.ui.window.start_screen import StartScreen


def test_nothing_open_shows_the_ways_in_and_a_connection_shows_its_tree(
        qloop: Any, azurite: Any) -> None:
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                        reporter=ErrorReporter(modal=False))
    started: list[bool] = []
    window.start_demo = lambda: started.append(True)
    window.show()

    async def body() -> None:
        window.state.update()
        screen = window.trees.currentWidget()
        assert isinstance(screen, StartScreen)
        assert set(screen.buttons) == {"sign_in", "open_address", "add_connection", "try_demo"}
        screen.buttons["try_demo"].click()
        assert started == [True]
        screen.buttons["open_address"].click()
        assert window.address_bar.hasFocus() or window.focusWidget() is window.address_bar
        # A storage account alone: the window opens on the storage tree.
        account = Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR)
        assert await window.open_connection(account)
        assert window.trees.currentWidget() is window.tabs
        assert window.current_pane() is window.pane("Blobs")
        window.remove_connection(account)
        assert isinstance(window.trees.currentWidget(), StartScreen)

    try:
        qloop.run_until_complete(asyncio.wait_for(body(), 30))
    finally:
        qloop.run_until_complete(window.aclose())
        window.reporter.close_all()
        window.deleteLater()
