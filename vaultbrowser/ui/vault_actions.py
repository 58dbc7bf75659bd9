"""``VaultActions``: the Key Vault write actions of the window (secrets, certificates, keys).

Owned by the window; adds its actions to the three Key Vault panes' menus (see
``TreePane.action_providers``). Every write runs through the service layer as a window task,
shows its result and response in the detail pane, and refreshes only the affected node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from vaultbrowser.ui.main_window import MainWindow


class VaultActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        for pane in window.panes[:3]:
            pane.action_providers.append(self.actions_for)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        return []
