"""The Key Vault tools of the Tools menu: what works across every vault open or discovered."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from PySide6.QtGui import QAction

from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.ui.across.compare_tool import CompareVaultsTool
from vaultbrowser.keyvault.ui.across.copy_tool import CopyToVaultTool
from vaultbrowser.keyvault.ui.across.expiry_tool import ExpiryTimelineTool
from vaultbrowser.keyvault.ui.across.search_tool import CrossVaultSearchTool
from vaultbrowser.keyvault.ui.across.vaults import AllVaults


class KeyVaultPanes(Protocol):
    """What the tools use of the Key Vault view (``KeyVaultView``: named here, not imported,
    as the view builds the tools)."""

    secrets_pane: TreePane
    certificates_pane: TreePane
    keys_pane: TreePane

    def open_address(self, address: Address) -> Awaitable[None]:
        """Open a vault or item address and select the item in its tab."""


class KeyVaultTools:
    """The tools, each with its ``QAction``; ``actions`` is the Tools menu, in this order."""

    def __init__(self, window: WindowContext, view: KeyVaultPanes) -> None:
        self.window = window
        self.view = view
        self.vaults = AllVaults(window)
        self.actions: list[QAction] = []
        self.search = CrossVaultSearchTool(window, self.vaults)
        self.compare = CompareVaultsTool(window, self.vaults)
        self.copy = CopyToVaultTool(window, self)
        self.expiry = ExpiryTimelineTool(window, self.vaults, view.open_address)
        self.actions += [self.search.action, self.compare.action, self.copy.action,
                         self.expiry.action]
