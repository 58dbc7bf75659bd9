"""``ActivityModel``: the session's HTTP exchanges as a table, live from an ``HttpJournal``.

Rows are appended as the journal records them (newest last) and the oldest are dropped beyond
``capacity``. Failed exchanges (status >= 400, or no response at all) are red and bold.
``ActivityFilterProxy`` sorts by ``SORT_ROLE`` and filters by text and "failed only".
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.node_tree import RECORD_ROLE, SORT_ROLE
from vaultbrowser.core.models.tones import Tone, tone_brush
from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

class Column(IntEnum):
    TIME = 0
    METHOD = 1
    URL = 2
    STATUS = 3
    DURATION = 4
    REQUEST_ID = 5
    CONNECTION = 6


TITLES = ("Time", "Method", "URL", "Status", "Duration (ms)", "Request id", "Connection")


def time_text(record: ExchangeRecord) -> str:
    """Local wall-clock time to the millisecond: HH:MM:SS.mmm."""
    local = record.started_at.astimezone()
    return f"{local:%H:%M:%S}.{local.microsecond // 1000:03d}"


def status_text(record: ExchangeRecord) -> str:
    """"200 OK", or the failure that prevented a response."""
    if record.is_auth_challenge:
        return f"{record.response.status_line} (sign-in challenge)" if record.response else ""
    if record.expected and record.response is not None:
        return f"{record.response.status_line} (expected: it was looked up)"
    if record.cancelled:
        return "Cancelled"
    if record.response is not None:
        return record.response.status_line
    if record.reply is not None:  # a Redis command's answer: its size and the node
        return record.reply.text
    return record.failure or "No response"


def cell_text(record: ExchangeRecord, column: int) -> str:
    if column == Column.TIME:
        return time_text(record)
    if column == Column.METHOD:
        return record.method
    if column == Column.URL:
        return record.url
    if column == Column.STATUS:
        return status_text(record)
    if column == Column.DURATION:
        return f"{record.elapsed * 1000:,.0f}"
    if column == Column.REQUEST_ID:
        return (record.response.request_id or "") if record.response is not None else ""
    if column == Column.CONNECTION:
        return record.connection
    return ""


def sort_value(record: ExchangeRecord, column: int) -> Any:
    if column == Column.TIME:
        return record.started_at.timestamp()
    if column == Column.STATUS:
        return record.response.status if record.response is not None else 0
    if column == Column.DURATION:
        return record.elapsed
    return cell_text(record, column)


@guard_model_methods
class ActivityModel(QAbstractTableModel):
    """A bounded, live table of ``ExchangeRecord``s (``RECORD_ROLE`` gives the record back)."""

    counts_changed = Signal(int, int)  # rows, failed rows
    _arrived = Signal(object)  # journal listeners on another thread hop to ours through this

    def __init__(self, journal: HttpJournal, capacity: int = 5_000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._journal: HttpJournal | None = journal
        self._capacity = capacity
        self._rows: list[ExchangeRecord] = journal.records()[-capacity:]
        self._failed = sum(1 for record in self._rows if record.failed)
        self._arrived.connect(self.append)
        journal.add_listener(self._on_record)

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def failed_count(self) -> int:
        return self._failed

    def records(self) -> list[ExchangeRecord]:
        return list(self._rows)

    def record_at(self, row: int) -> ExchangeRecord:
        return self._rows[row]

    def close(self) -> None:
        """Stop listening to the journal (the rows stay)."""
        if self._journal is not None:
            self._journal.remove_listener(self._on_record)
            self._journal = None

    def _on_record(self, record: ExchangeRecord) -> None:
        self._arrived.emit(record)  # direct on our thread, queued from any other

    def append(self, record: ExchangeRecord) -> None:
        """Add ``record`` as the newest row, dropping the oldest beyond capacity."""
        if len(self._rows) >= self._capacity:
            excess = len(self._rows) - self._capacity + 1
            self.beginRemoveRows(_TOP, 0, excess - 1)
            dropped, self._rows = self._rows[:excess], self._rows[excess:]
            self._failed -= sum(1 for old in dropped if old.failed)
            self.endRemoveRows()
        row = len(self._rows)
        self.beginInsertRows(_TOP, row, row)
        self._rows.append(record)
        self._failed += record.failed
        self.endInsertRows()
        self.counts_changed.emit(len(self._rows), self._failed)

    def clear(self) -> None:
        """Empty the table (the journal keeps its records)."""
        if not self._rows:
            return
        self.beginResetModel()
        self._rows, self._failed = [], 0
        self.endResetModel()
        self.counts_changed.emit(0, 0)

    # --- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        return 0 if parent.isValid() else len(TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(TITLES)):
            return TITLES[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(record, column)
        if role == RECORD_ROLE:
            return record
        if role == SORT_ROLE:
            return sort_value(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.STATUS and record.response is None:
                return record.failure or "No response was received."
            return cell_text(record, column) if column == Column.URL else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.DURATION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if record.failed:
            if role == Qt.ItemDataRole.ForegroundRole:
                return tone_brush(Tone.ERROR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None


@guard_model_methods
class ActivityFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE``; keeps rows matching the text in any column, failed-only on demand."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._failed_only = False
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    @property
    def failed_only(self) -> bool:
        return self._failed_only

    def set_failed_only(self, failed_only: bool) -> None:
        if failed_only == self._failed_only:
            return
        self.beginFilterChange()
        self._failed_only = failed_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._failed_only:
            record = self.sourceModel().index(source_row, 0, source_parent).data(RECORD_ROLE)
            if record is None or not record.failed:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
