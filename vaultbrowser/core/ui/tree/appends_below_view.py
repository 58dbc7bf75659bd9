"""``AppendsBelowView``: whether a view's pending relayout comes only from rows added below the
rows it shows.

Qt answers every insert with a relayout that repaints the whole viewport (``doItemsLayout``:
``updateGeometries`` and ``viewport().update()``). While Load all appends a million rows under a
screenful that does not change, that repaint of every visible cell (~15 ms, several times a
second, longer on a busy machine) was most of the loop's longest stalls. Rows appended below the
last row in view change the scroll bar, not a pixel of the rows shown, so the view may then lay
out its scroll bars only (``TreeTable.doItemsLayout``).

Anything else that changes the rows (an insert in view or above it, a removal, a move, a sort,
a reset, columns) asks for the full relayout, as Qt does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtWidgets import QAbstractItemView

AnyIndex = QModelIndex | QPersistentModelIndex


class AppendsBelowView(QObject):
    """Watches ``view``'s model; ``take()`` says whether every change since the last layout
    was rows appended below the rows in view (and forgets it: the layout is about to run)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._model: QAbstractItemModel | None = None
        # None: nothing seen since the last layout; True: appends below the view only;
        # False: some change the full relayout must answer.
        self._below_only: bool | None = None

    def watch(self, model: QAbstractItemModel | None) -> None:
        if self._model is not None:
            for signal, slot in self._connections(self._model):
                signal.disconnect(slot)
        self._model = model
        self._below_only = None
        if model is not None:
            for signal, slot in self._connections(model):
                signal.connect(slot)

    def _connections(self, model: QAbstractItemModel) -> list[tuple[Any, Any]]:
        changed = self._changed
        return [(model.rowsAboutToBeInserted, self._rows_coming),
                (model.rowsRemoved, changed), (model.rowsMoved, changed),
                (model.columnsInserted, changed), (model.columnsRemoved, changed),
                (model.columnsMoved, changed), (model.layoutChanged, changed),
                (model.modelReset, changed)]

    def take(self) -> bool:
        below_only = self._below_only is True
        self._below_only = None
        return below_only

    def _rows_coming(self, parent: AnyIndex, first: int, _last: int) -> None:
        # Told before the rows exist: the view's last row in view is still the old one. Rows
        # that land after it, while the rows in view fill the viewport, are out of sight.
        view = self._view
        bottom = view.rowAt(view.viewport().height() - 1)
        below = not parent.isValid() and 0 <= bottom < first
        if not below:
            self._below_only = False
        elif self._below_only is None:
            self._below_only = True

    def _changed(self, *_args: Any) -> None:
        self._below_only = False
