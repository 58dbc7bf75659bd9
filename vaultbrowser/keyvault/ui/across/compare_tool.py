"""Tools ▸ Compare vaults…: the action; the window (``compare_view``) is imported when first
opened, so building the main window does not pay for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.ui.across.vaults import AllVaults

if TYPE_CHECKING:
    from vaultbrowser.keyvault.ui.across.compare_view import CompareDialog


class CompareVaultsTool:
    """The Tools menu's "Compare vaults…": one dialog, made when first asked for."""

    def __init__(self, window: WindowContext, vaults: AllVaults) -> None:
        self.window = window
        self.vaults = vaults
        self.dialog: CompareDialog | None = None
        self.action = QAction("Compare vaults…", window)  # type: ignore[arg-type]
        self.action.setToolTip("Compare two vaults (or two sets of vaults): what exists on "
                               "one side only and how common items differ")
        self.action.triggered.connect(self.open)

    def open(self) -> CompareDialog:
        if self.dialog is None:
            from vaultbrowser.keyvault.ui.across.compare_view import CompareDialog

            self.dialog = CompareDialog(self.window, self.vaults)
        elif self.dialog.task is None or self.dialog.task.done():
            self.dialog.refresh_choices()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

