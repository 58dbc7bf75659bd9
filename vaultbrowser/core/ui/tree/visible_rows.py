"""``VisibleRows``: which rows of a ``TreePane``'s view are on screen, told once the view
settles.

A model that completes rows in the background (Key Vault's columns its listings lack) must ask
only for what the user sees, and not for rows flying past while a scroll bar is dragged. This
watches the view's scrolling, size, expansion and rows and, debounced, emits ``changed`` with
the source indexes (column 0) of the non-status rows in the viewport, plus a few rows of margin,
top first. A hidden view (its tab left, the window closing) shows nothing: an empty list.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QTimer, Signal

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.ui.tree.tree_table import TreeTable

_SETTLE_EVENTS = (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide)


class VisibleRows(QObject):
    """Tells ``changed(list[QModelIndex])`` (source indexes) after the view settles."""

    changed = Signal(list)

    def __init__(self, view: TreeTable, proxy: FlatTreeModel, *, margin: int = 3,
                 delay_ms: int = 100) -> None:
        super().__init__(view)
        self._view, self._proxy = view, proxy
        self.margin = margin
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._announce)
        # Rows arriving page after page (a Load all) would postpone the answer for ever:
        # motion restarts the wait only until it is this old.
        self._longest_wait = 3 * delay_ms / 1000
        self._waiting_since = 0.0
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.layoutChanged,
                       proxy.modelReset, proxy.dataChanged, view.expanded, view.collapsed):
            signal.connect(self.schedule)
        view.verticalScrollBar().valueChanged.connect(self.schedule)
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _SETTLE_EVENTS:
            self.schedule()
        return False

    def schedule(self, *args: Any) -> None:
        """Announce the rows in view once nothing has moved for the delay."""
        now = time.monotonic()
        if not self._timer.isActive():
            self._waiting_since = now
            self._timer.start()
        elif now - self._waiting_since < self._longest_wait:
            self._timer.start()  # restart: still moving

    def rows(self) -> list[QModelIndex]:
        """The source indexes (column 0) of the item rows in view and its margin, top first."""
        view, proxy = self._view, self._proxy
        count = proxy.rowCount()
        if not view.isVisible() or count == 0:
            return []
        viewport = view.viewport().rect()
        top = view.rowAt(viewport.top())
        if top < 0:
            return []
        bottom = view.rowAt(viewport.bottom())
        last = min(count - 1, (count - 1 if bottom < 0 else bottom) + self.margin)
        found = []
        for row in range(max(0, top - self.margin), last + 1):
            source = proxy.mapToSource(proxy.index(row, 0))
            if source.isValid() and source.data(STATUS_ROLE) is None:
                found.append(source)
        return found

    def _announce(self) -> None:
        self.changed.emit(self.rows())
