"""A checkable list of every vault open or discovered: which vaults a tool runs over."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from vaultbrowser.keyvault.ui.across.vaults import VaultChoice


class VaultPicker(QListWidget):
    """Open vaults are ticked; discovered ones are listed, unticked, marked "(discovered)"."""

    def __init__(self, choices: Sequence[VaultChoice], *, tick_discovered: bool = False) -> None:
        super().__init__()
        self.setAccessibleName("Vaults")
        self._choices = list(choices)
        for choice in self._choices:
            text = choice.label + ("  (discovered)" if choice.discovered else "")
            item = QListWidgetItem(text)
            item.setToolTip(choice.url)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = tick_discovered or not choice.discovered
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(max(60, min(160, 22 * len(self._choices) + 8)))

    def set_ticked(self, urls: Sequence[str]) -> None:
        wanted = {url.rstrip("/").lower() for url in urls}
        for row, choice in enumerate(self._choices):
            self.item(row).setCheckState(Qt.CheckState.Checked if choice.url.lower() in wanted
                                         else Qt.CheckState.Unchecked)

    def ticked(self) -> list[VaultChoice]:
        return [choice for row, choice in enumerate(self._choices)
                if self.item(row).checkState() == Qt.CheckState.Checked]
