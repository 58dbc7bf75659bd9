"""The list beside the expiry timeline: the picture's items as rows, for the keyboard (Enter
opens one) and for reading names, dates and states side by side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from vaultbrowser.core.models.tones import Tone, tone_colour
from vaultbrowser.keyvault.services.across.expiry import ExpiringItem
from vaultbrowser.keyvault.ui.across.expiry_timeline import when_text

COLUMNS = ("Expires (UTC)", "When", "Name", "Kind", "Vault", "State")
WIDTHS = (130, 150, 260, 90, 180)


class ExpiryRow(QTreeWidgetItem):
    """A list row: the date columns sort by the expiry itself."""

    def __init__(self, item: ExpiringItem, now: datetime) -> None:
        state = ", ".join(word for word, on in (("expired", item.expires_on <= now),
                                                ("disabled", item.enabled is False)) if on)
        super().__init__([f"{item.expires_on:%Y-%m-%d %H:%M}", when_text(item, now), item.name,
                          item.kind.value, item.vault, state])
        self.item = item
        if item.expires_on <= now:
            for column in (1, 5):
                self.setForeground(column, QBrush(tone_colour(Tone.ERROR)))
        elif item.enabled is False:
            self.setForeground(5, QBrush(tone_colour(Tone.MUTED)))

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        column = tree.sortColumn() if tree is not None else 0
        if column in (0, 1) and isinstance(other, ExpiryRow):
            return (self.item.expires_on, self.item.name) < (other.item.expires_on,
                                                             other.item.name)
        return self.text(column).lower() < other.text(column).lower()


class ExpiryList(QTreeWidget):
    """Rows of ``ExpiringItem``s, soonest first (every column sorts)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Expiring items")
        self.setAccessibleDescription("Every item of the picture, soonest first; Enter opens "
                                      "the item in its vault's tab")
        self.setHeaderLabels(list(COLUMNS))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        for column, width in enumerate(WIDTHS):
            self.setColumnWidth(column, width)

    def show_items(self, items: Sequence[ExpiringItem], now: datetime) -> None:
        """Rows for ``items``; the current row stays current when its item is still there."""
        current = self.currentItem()
        keep = current.item if isinstance(current, ExpiryRow) else None
        self.setSortingEnabled(False)
        self.clear()
        rows = [ExpiryRow(item, now) for item in items]
        self.addTopLevelItems(rows)
        self.setSortingEnabled(True)
        for row in rows:
            if row.item == keep:
                self.setCurrentItem(row)
                break

    def row_of(self, item: ExpiringItem) -> ExpiryRow | None:
        for index in range(self.topLevelItemCount()):
            row = self.topLevelItem(index)
            if isinstance(row, ExpiryRow) and row.item == item:
                return row
        return None
