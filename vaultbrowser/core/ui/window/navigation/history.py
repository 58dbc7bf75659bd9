"""Back, forward and up through what was selected, across tabs (as a file browser does).

An entry is a pane and a tree node, not a QModelIndex: a node outlives row moves and sorting,
and an entry whose node has left its tree (refreshed away, connection closed) is skipped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Signal

from vaultbrowser.core.models.tree_node import Node

_LIMIT = 200  # entries kept: enough to walk back through a session, bounded


def is_in_tree(node: Node, root: Node) -> bool:
    """Whether ``node`` still hangs below ``root`` (rows removed keep their parent link)."""
    while node.parent is not None:
        if not any(child is node for child in node.parent.children):
            return False
        node = node.parent
    return node is root


class SelectionHistory(QObject):
    """``window`` is the ``MainWindow`` (not imported here: it imports this module)."""

    changed = Signal()  # can_back / can_forward may have changed

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self._entries: list[tuple[Any, Node]] = []
        self._position = -1
        self._moving = False

    def can_back(self) -> bool:
        return self._position > 0

    def can_forward(self) -> bool:
        return self._position < len(self._entries) - 1

    def record(self, pane: Any, source: QModelIndex) -> None:
        """A row was selected (by the user, or by back/forward: then nothing is recorded)."""
        if self._moving or not source.isValid() or pane.model.is_status_index(source):
            return
        node = pane.model.node_of(source)
        if self._position >= 0:
            current_pane, current = self._entries[self._position]
            if current_pane is pane and current is node:
                return
        del self._entries[self._position + 1:]
        self._entries.append((pane, node))
        if len(self._entries) > _LIMIT:
            del self._entries[0]
        self._position = len(self._entries) - 1
        self.changed.emit()

    def back(self) -> None:
        self._step(-1)

    def forward(self) -> None:
        self._step(1)

    def up(self) -> None:
        """Select the parent row of the selection (a version's item, an item's vault)."""
        pane = self._window.current_pane()
        source = pane.selected_source_index()
        if source.isValid() and source.parent().isValid():
            pane.select_source(source.parent())

    def _step(self, direction: int) -> None:
        position = self._position + direction
        while 0 <= position < len(self._entries):
            pane, node = self._entries[position]
            if is_in_tree(node, pane.model.root_node):
                self._position = position
                self._moving = True
                try:
                    self._window.tabs.setCurrentWidget(pane)
                    pane.select_source(pane.model.index_of(node))
                finally:
                    self._moving = False
                break
            del self._entries[position]  # gone from its tree: forget it
            if direction < 0:
                self._position -= 1
                position -= 1
        self.changed.emit()
