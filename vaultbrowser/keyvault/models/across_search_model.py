"""The tables of the search across vaults: ``SearchHitsModel`` (the matches, a Vault column
first, appended as vaults answer) and ``VaultProgressModel`` (one row per vault: "prod: 1,240
scanned, 3 matches", throttled, failed…)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tones import Tone, tone_brush
from vaultbrowser.keyvault.services.across.search import SearchHit, VaultProgress, VaultState
from vaultbrowser.keyvault.services.records import (
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
)

HIT_COLUMNS = ("Vault", "Name", "Kind", "Enabled", "Expires", "Content type / subject", "Tags")
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex


def _description(record: VaultItemRecord) -> str:
    """What the sixth column says of a record: a secret's content type, a certificate's
    subject (when read) or thumbprint, a key's type."""
    if isinstance(record, SecretRecord):
        notes = [record.content_type or ""]
        if record.managed:
            notes.append("(backs a certificate)")
        return " ".join(note for note in notes if note)
    if isinstance(record, CertificateRecord):
        if record.subject:
            return record.subject
        return f"SHA-1 {record.x509_thumbprint}" if record.x509_thumbprint else ""
    if isinstance(record, KeyRecord):
        return " ".join(part for part in (record.key_type or "",
                                          "(backs a certificate)" if record.managed else "")
                        if part)
    return ""


@guard_model_methods
class SearchHitsModel(QAbstractTableModel):
    """The matches, in the order they arrived; each row's ``SearchHit`` is ``HIT_ROLE``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def clear(self) -> None:
        self.beginResetModel()
        self._hits = []
        self.endResetModel()

    def append(self, hits: Sequence[SearchHit]) -> None:
        if not hits:
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._hits.extend(hits)
        self.endInsertRows()

    def hit_at(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    @property
    def hits(self) -> tuple[SearchHit, ...]:
        return tuple(self._hits)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HIT_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HIT_COLUMNS)):
            return HIT_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit_at(index.row()) if index.isValid() else None
        if hit is None:
            return None
        record, column = hit.record, index.column()
        if role == HIT_ROLE:
            return hit
        if role == SORT_ROLE:
            if column == 4:  # by the moment, not its text; no expiry sorts last
                return record.expires_on.timestamp() if record.expires_on else float("inf")
            return str(self.data(index) or "").casefold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return hit.vault.url
            if column == 1:
                return record.id
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 4:
                state = fmt.expiry_state(record.expires_on)
                return tone_brush(Tone.ERROR if state == "expired" else Tone.WARNING) if (
                    state) else None
            if column == 3 and record.enabled is False:
                return tone_brush(Tone.MUTED)
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == 0:
            return hit.vault.label
        if column == 1:
            return fmt.visible_name(record.name)
        if column == 2:
            return hit.kind.noun
        if column == 3:
            return fmt.yes_no(record.enabled)
        if column == 4:
            return fmt.with_expiry_word(record)
        if column == 5:
            return _description(record)
        return fmt.tags(record.tags) if record.tags else ""


_STATE_TONES = {VaultState.FAILED: Tone.ERROR, VaultState.THROTTLED: Tone.WARNING,
                VaultState.DONE: Tone.SUCCESS, VaultState.QUEUED: Tone.MUTED,
                VaultState.CANCELLED: Tone.MUTED}
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3


@guard_model_methods
class VaultProgressModel(QAbstractTableModel):
    """One row per vault searched (by URL), its ``VaultProgress.text()`` toned by state."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[VaultProgress] = []

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def update(self, progress: VaultProgress) -> None:
        for row, known in enumerate(self._rows):
            if known.url == progress.url:
                self._rows[row] = progress
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
                return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(progress)
        self.endInsertRows()

    @property
    def rows(self) -> tuple[VaultProgress, ...]:
        return tuple(self._rows)

    def summary(self) -> str:
        """"2 of 3 vaults done, 1 failed, 41 matches" (the line under the table)."""
        rows = self._rows
        finished = sum(1 for p in rows if p.state.finished)
        failed = sum(1 for p in rows if p.state is VaultState.FAILED)
        throttled = sum(1 for p in rows if p.state is VaultState.THROTTLED)
        matches = sum(p.matches for p in rows)
        parts = [f"{finished} of {len(rows)} vault{'s' if len(rows) != 1 else ''} finished"]
        if failed:
            parts.append(f"{failed} failed")
        if throttled:
            parts.append(f"{throttled} throttled")
        parts.append(f"{matches:,} match{'es' if matches != 1 else ''}")
        return ", ".join(parts)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and section == 0):
            return "Progress per vault"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row() if index.isValid() else -1
        if not 0 <= row < len(self._rows):
            return None
        progress = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return progress.text()
        if role == PROGRESS_ROLE:
            return progress
        if role == Qt.ItemDataRole.ToolTipRole:
            details = progress.error.message if progress.error is not None else ""
            return "\n".join(part for part in (progress.url, details) if part)
        if role == Qt.ItemDataRole.ForegroundRole:
            tone = _STATE_TONES.get(progress.state)
            return tone_brush(tone) if tone is not None else None
        return None
