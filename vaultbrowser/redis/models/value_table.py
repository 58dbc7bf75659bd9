"""``ValueTableModel``: the rows of a collection's value (hash fields, members, list entries,
stream entries) as a table that grows page by page (``append``), never reset per page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vaultbrowser.core.models.model_guard import guard_model_methods

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()


@guard_model_methods
class ValueTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: tuple[str, ...] = ()
        self._rows: list[tuple[str, ...]] = []

    def reset(self, columns: Sequence[str]) -> None:
        self.beginResetModel()
        self._columns = tuple(columns)
        self._rows = []
        self.endResetModel()

    def append(self, rows: Sequence[tuple[str, ...]]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def replace_row(self, row: int, values: tuple[str, ...]) -> None:
        """A row a write changed (an edited hash field or list entry)."""
        if 0 <= row < len(self._rows):
            self._rows[row] = values
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        return row[index.column()] if index.column() < len(row) else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._columns)):
            return self._columns[section]
        return None
