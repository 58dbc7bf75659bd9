"""The compare view's result tree: per kind, four groups — "Only in A", "Only in B",
"Different" (each difference a child row: field, A, B) and "Same" — filled as names stream in.

Columns: name (or field), side A, side B. An item row's A and B cells name the vault (of its
side's set) the item came from. Colours come from the palette's tones and only help the eye:
every row says its state in words.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from vaultbrowser.core.audit.diff_report import DiffItem, DiffState
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.models.tones import Tone, tone_brush

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the DiffItem of an item row (or of its children)
NOTE_ROLE = Qt.ItemDataRole.UserRole + 2  # True on a note row (one text over every column)
COLUMNS = ("Name / field", "Side A", "Side B")
_GROUP_TITLES = {DiffState.ONLY_A: "Only in A", DiffState.ONLY_B: "Only in B",
                 DiffState.DIFFERENT: "Different", DiffState.SAME: "Same"}
_GROUP_TONES = {DiffState.ONLY_A: Tone.WARNING, DiffState.ONLY_B: Tone.WARNING,
                DiffState.DIFFERENT: Tone.ERROR, DiffState.SAME: Tone.SUCCESS}
KIND_TITLES = {ItemKind.SECRET: "Secrets", ItemKind.CERTIFICATE: "Certificates",
               ItemKind.KEY: "Keys"}


def _cell(text: str, *, tone: Tone | None = None, bold: bool = False,
          tip: str | None = None) -> QStandardItem:
    cell = QStandardItem(text)
    cell.setEditable(False)
    if tone is not None:
        cell.setForeground(tone_brush(tone))
    if bold:
        font = QFont()
        font.setBold(True)
        cell.setFont(font)
    if tip:
        cell.setToolTip(tip)
    return cell


class CompareResultModel(QStandardItemModel):
    """``start(kinds)`` makes the empty groups; ``add(item)`` files one compared name."""

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._kinds: dict[ItemKind, QStandardItem] = {}
        self._groups: dict[tuple[ItemKind, DiffState], QStandardItem] = {}
        self._counts: dict[tuple[ItemKind, DiffState], int] = {}

    def start(self, kinds: Sequence[ItemKind], side_a: str = "A", side_b: str = "B") -> None:
        """Forget every row; one row per kind with its four (empty) groups."""
        self.removeRows(0, self.rowCount())
        self.setHorizontalHeaderLabels([COLUMNS[0], f"A: {side_a}", f"B: {side_b}"])
        self._kinds.clear()
        self._groups.clear()
        self._counts.clear()
        for kind in kinds:
            row = _cell(KIND_TITLES.get(kind, str(kind)), bold=True)
            self.appendRow([row, _cell(""), _cell("")])
            self._kinds[kind] = row
            for state in DiffState:
                group = _cell("", tone=_GROUP_TONES[state], bold=state != DiffState.SAME)
                row.appendRow([group, _cell(""), _cell("")])
                self._groups[(kind, state)] = group
                self._counts[(kind, state)] = 0
            for state in DiffState:
                self._retitle(kind, state)

    def add(self, item: DiffItem) -> QModelIndex:
        """File ``item`` in its group; the index of its row (invalid: a kind not started)."""
        if item.kind not in self._kinds:
            return QModelIndex()
        group = self._groups[(item.kind, item.state)]
        tip = "; ".join(item.notes) or None
        name = _cell(item.name, tip=tip)
        name.setData(item, ITEM_ROLE)
        # Names stream in as GETs finish: kept in name order within their group.
        row = next((r for r in range(group.rowCount())
                    if group.child(r).data(ITEM_ROLE).name.lower() > item.name.lower()),
                   group.rowCount())
        group.insertRow(row, [name, _cell(item.source_a or "—", tip=tip),
                              _cell(item.source_b or "—", tip=tip)])
        if item.state == DiffState.SAME and item.value:
            name.setText(f"{item.name}  ({item.value})")
        for difference in item.differences:
            field = _cell(difference.field, tone=Tone.MUTED)
            field.setData(item, ITEM_ROLE)
            name.appendRow([field, _cell(difference.a, tone=Tone.ERROR),
                            _cell(difference.b, tone=Tone.ERROR)])
        for note in item.notes:  # one text: the view spans it over the columns
            cell = _cell(f"note: {note}", tone=Tone.MUTED, tip=note)
            cell.setData(item, ITEM_ROLE)
            cell.setData(True, NOTE_ROLE)
            name.appendRow([cell, _cell(""), _cell("")])
        self._counts[(item.kind, item.state)] += 1
        self._retitle(item.kind, item.state)
        return name.index()

    def _retitle(self, kind: ItemKind, state: DiffState) -> None:
        count = self._counts[(kind, state)]
        group = self._groups[(kind, state)]
        group.setText(f"{_GROUP_TITLES[state]} ({count})")
        group.setForeground(tone_brush(_GROUP_TONES[state] if count else Tone.MUTED))
        summary = " · ".join(f"{self._counts[(kind, s)]} {s.value}" for s in DiffState)
        self._kinds[kind].setText(f"{KIND_TITLES.get(kind, str(kind))} — {summary}")

    # --- what the view asks ----------------------------------------------------------------

    def count(self, kind: ItemKind, state: DiffState) -> int:
        return self._counts.get((kind, state), 0)

    def group_index(self, kind: ItemKind, state: DiffState) -> QModelIndex:
        group = self._groups.get((kind, state))
        return group.index() if group is not None else QModelIndex()

    def kinds(self) -> list[ItemKind]:
        return list(self._kinds)

    def kind_indexes(self) -> list[QModelIndex]:
        return [row.index() for row in self._kinds.values()]

    def item_of(self, index: QModelIndex) -> DiffItem | None:
        """The compared item of a row (an item, one of its differences or notes), else None."""
        if not index.isValid():
            return None
        value = index.siblingAtColumn(0).data(ITEM_ROLE)
        return value if isinstance(value, DiffItem) else None
