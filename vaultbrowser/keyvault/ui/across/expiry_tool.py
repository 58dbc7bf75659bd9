"""Tools ▸ Expiry timeline…: the action; the window (``expiry_window``) is imported when first
opened, so building the main window does not pay for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.ui.across.vaults import AllVaults

if TYPE_CHECKING:
    from vaultbrowser.keyvault.ui.across.expiry_window import ExpiryTimelineWindow, OpenAddress


class ExpiryTimelineTool:
    """Tools ▸ Expiry timeline…: one window, kept, over the vaults as they are when opened."""

    def __init__(self, window: WindowContext, vaults: AllVaults,
                 open_address: OpenAddress) -> None:
        self.window = window
        self.vaults = vaults
        self.open_address = open_address
        self.dialog: ExpiryTimelineWindow | None = None
        self.action = QAction("Expiry timeline…")
        self.action.setToolTip("What expired, and what expires within 30, 90 or 365 days, "
                               "across every vault open or discovered")
        self.action.triggered.connect(self.open)

    def open(self) -> ExpiryTimelineWindow:
        if self.dialog is None:
            from vaultbrowser.keyvault.ui.across.expiry_window import ExpiryTimelineWindow

            parent = self.window if isinstance(self.window, QWidget) else None
            self.dialog = ExpiryTimelineWindow(self.window, self.vaults, self.open_address,
                                               parent)
        dialog = self.dialog
        dialog.set_choices(self.vaults.choices())
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.reload()
        return dialog
