"""``ColumnsButton``: which top-level properties the item rows show after id and the
partition key, for the container the table follows (chosen from its first page's common
properties until the user picks); enabled once a container's items are shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QPushButton, QWidget

from vaultbrowser.cosmos.models.cosmos_tree import PROPERTY_COLUMNS, CosmosTreeModel


class ColumnsButton(QPushButton):
    def __init__(self, model: CosmosTreeModel, parent: QWidget | None = None) -> None:
        super().__init__("Columns…", parent)
        self.model = model
        self.clicked.connect(self.choose)
        model.headerDataChanged.connect(self._follow)
        self._follow()

    def _follow(self, *_args: Any) -> None:
        followed = self.model.followed_container
        self.setEnabled(followed is not None)
        self.setToolTip(
            f"Choose up to {PROPERTY_COLUMNS} top-level properties of {followed[1]}/"
            f"{followed[2]}'s items to show after id and the partition key"
            if followed is not None else "Open a container to choose its item columns")

    def choose(self) -> None:
        followed = self.model.followed_container
        if followed is None:
            return
        text, accepted = QInputDialog.getText(
            self, f"Item columns of {followed[1]}/{followed[2]}",
            f"Top-level properties, comma-separated (at most {PROPERTY_COLUMNS}):",
            text=", ".join(self.model.property_columns))
        if accepted:
            self.apply(text)

    def apply(self, text: str) -> None:
        self.model.set_property_columns(text.split(","))
