"""``BlobActions``: the Blob Storage write actions of the window (containers, uploads,
downloads, deletes, metadata, tags, SAS).

Owned by the window; adds its actions to the blob pane's menus (see
``TreePane.action_providers``). Every write runs through the service layer as a window task,
shows its result and response in the detail pane, and refreshes only the affected node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from vaultbrowser.ui.main_window import MainWindow


class BlobActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.panes[3].action_providers.append(self.actions_for)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        return []
