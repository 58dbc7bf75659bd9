"""``SearchResultsModel``: the rows a blob search found (prefix, deep or tag search), as a
flat table the search panel shows. Rows are appended as pages land and cleared when a new
search starts; each row is the service's record, so details and "show in tree" use it as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.model_guard import guard_model_methods

SearchRecord = BlobRecord | BlobPrefixRecord
RESULT_COLUMNS = ("Name", "Container", "Size", "Last modified", "Tags")
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


@guard_model_methods
class SearchResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[SearchRecord] = []

    # --- changes ------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self._records = []
        self.endResetModel()

    def append(self, records: Sequence[SearchRecord]) -> None:
        if not records:
            return
        first = len(self._records)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        self.endInsertRows()

    def record_at(self, row: int) -> SearchRecord | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    @property
    def records(self) -> tuple[SearchRecord, ...]:
        return tuple(self._records)

    # --- Qt -----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RESULT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(RESULT_COLUMNS)):
            return RESULT_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.record_at(index.row()) if index.isValid() else None
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return record.prefix if isinstance(record, BlobPrefixRecord) else record.name
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if isinstance(record, BlobPrefixRecord):
            return (fmt.visible_name(record.prefix), record.container, "folder", "", "")[column]
        if column == 0:
            return fmt.visible_name(record.name)
        if column == 1:
            return record.container
        if column == 2:
            return fmt.size(record.size) if record.size is not None else ""
        if column == 3:
            return fmt.when(record.last_modified) if record.last_modified else ""
        return fmt.tags(record.tags) if record.tags else ""
