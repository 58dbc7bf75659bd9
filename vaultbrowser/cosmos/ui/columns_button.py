"""``ColumnsButton``: which top-level properties the item rows show after id and the
partition key (chosen from the first page's common properties until the user picks)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QPushButton, QWidget

from vaultbrowser.cosmos.models.cosmos_tree import PROPERTY_COLUMNS, CosmosTreeModel


class ColumnsButton(QPushButton):
    def __init__(self, model: CosmosTreeModel, parent: QWidget | None = None) -> None:
        super().__init__("Columns…", parent)
        self.model = model
        self.setToolTip(f"Choose up to {PROPERTY_COLUMNS} top-level properties to show as "
                        "columns after id and the partition key")
        self.clicked.connect(self.choose)

    def choose(self) -> None:
        text, accepted = QInputDialog.getText(
            self, "Item columns", f"Top-level properties, comma-separated (at most "
            f"{PROPERTY_COLUMNS}):", text=", ".join(self.model.property_columns))
        if accepted:
            self.apply(text)

    def apply(self, text: str) -> None:
        self.model.set_property_columns(text.split(","))
