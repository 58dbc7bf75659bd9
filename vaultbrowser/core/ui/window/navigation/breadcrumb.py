"""Where the selection is: the tab, then each row above it down to the selection, as
buttons that select that row ("Secrets › my-vault › db-password › 3f2a…")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.ui.window.navigation.history import is_in_tree

_SEGMENT_CHARS = 48  # a segment longer than this is elided in the middle (tooltip: whole)


def _elided(text: str) -> str:
    if len(text) <= _SEGMENT_CHARS:
        return text
    half = (_SEGMENT_CHARS - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


class Breadcrumb(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Location")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self._layout.setSpacing(0)
        self._segments: list[str] = []

    def segments(self) -> list[str]:
        """The texts shown, tab first (what a test or a screen reader reads)."""
        return list(self._segments)

    def show_path(self, pane: Any, tab_label: str, tab_icon: Any) -> None:
        """The path of ``pane``'s selection (just the tab when nothing is selected)."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        # Nodes, not indexes: a button clicked later finds its row again (or nothing).
        model = pane.model
        chain: list[Node] = []
        source = pane.selected_source_index()
        if source.isValid() and model.is_status_index(source):
            source = source.parent()
        node = model.node_of(source) if source.isValid() else model.root_node
        while node is not model.root_node and node.parent is not None:
            chain.insert(0, node)
            node = node.parent
        self._segments = [tab_label]
        self._add_button(tab_label, tab_icon, lambda: pane.select_source(QModelIndex()))
        for node in chain:
            index = model.index_of(node)
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            self._segments.append(text)
            self._add_separator()
            self._add_button(text, index.data(Qt.ItemDataRole.DecorationRole),
                             lambda target=node: self._select(pane, target))
        self._layout.addStretch(1)

    @staticmethod
    def _select(pane: Any, node: Node) -> None:
        if is_in_tree(node, pane.model.root_node):
            pane.select_source(pane.model.index_of(node))

    def _add_separator(self) -> None:
        separator = QLabel()
        separator.setPixmap(icon(Icon.BREADCRUMB_SEPARATOR).pixmap(12, 12))
        separator.setAccessibleName("›")
        self._layout.addWidget(separator)

    def _add_button(self, text: str, button_icon: Any, select: Any) -> None:
        button = QToolButton(self)
        button.setText(_elided(text))
        button.setToolTip(text)
        button.setAccessibleName(text)
        if button_icon is not None:
            button.setIcon(button_icon)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the tree keeps the keyboard
        button.clicked.connect(lambda _checked=False: select())
        self._layout.addWidget(button)
