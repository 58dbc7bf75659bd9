"""The Key Vault tools of the Tools menu: what works across every vault open or discovered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.ui.across.vaults import AllVaults

if TYPE_CHECKING:
    from vaultbrowser.keyvault.ui.view import KeyVaultView


class KeyVaultTools:
    """Each tool adds its ``QAction`` to ``actions`` (shown in the Tools menu, in this order)."""

    def __init__(self, window: WindowContext, view: KeyVaultView) -> None:
        self.window = window
        self.view = view
        self.vaults = AllVaults(window)
        self.actions: list[QAction] = []
        # Each tool below: one line, building it and adding its action.
        # (tools: add here)
