"""``JsonViewer``: an item's JSON under its details, pretty and collapsible.

A tree of the document (property, value, type), folded below the second level, or the whole
document as indented text. A big document shows its first ``MAX_TREE_NODES`` values in the
tree (the rest is counted, and complete in the text view).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.cosmos.models.rows import cell_text

MAX_TREE_NODES = 5_000
EXPANDED_DEPTH = 2


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return f"array [{len(value)}]"
    return f"object {{{len(value)}}}"


class JsonViewer(QWidget):
    """Shows one JSON document (``show_document``), or nothing (``clear``: hidden)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Mapping[str, Any] | None = None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Property", "Value", "Type"])
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(0, 160)
        self.tree.setColumnWidth(2, 90)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.text)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: palette(mid);")
        self.mode_button = QPushButton("Text")
        self.mode_button.setToolTip("Show the JSON as indented text (or as a tree again)")
        self.mode_button.setCheckable(True)
        self.mode_button.toggled.connect(self._show_text)
        self.expand_button = QPushButton("Expand all")
        self.expand_button.clicked.connect(self.tree.expandAll)
        self.collapse_button = QPushButton("Collapse")
        self.collapse_button.clicked.connect(self.tree.collapseAll)
        self.copy_button = QPushButton("Copy JSON")
        self.copy_button.clicked.connect(self.copy_json)
        bar = QHBoxLayout()
        title = QLabel("Item JSON")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)  # a font, not a style sheet: the label follows palette changes
        bar.addWidget(title)
        bar.addWidget(self.info, 1)
        for button in (self.expand_button, self.collapse_button, self.mode_button,
                       self.copy_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.hide()

    def clear(self) -> None:
        self.document = None
        self.tree.clear()
        self.text.clear()
        self.hide()

    def show_document(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.tree.clear()
        budget = [MAX_TREE_NODES]
        self._add_children(self.tree.invisibleRootItem(), document, 0, budget)
        text = json.dumps(document, indent=2, ensure_ascii=False)
        self.text.setPlainText(text)
        left_out = -budget[0] if budget[0] < 0 else 0
        self.info.setText(f"{len(text.encode()):,} bytes" + (
            f" · the tree shows the first {MAX_TREE_NODES:,} values ({left_out:,} more in "
            "Text)" if left_out else ""))
        self.show()

    def _add_children(self, parent: QTreeWidgetItem, value: Any, depth: int,
                      budget: list[int]) -> None:
        pairs = value.items() if isinstance(value, Mapping) else (
            (f"[{position}]", entry) for position, entry in enumerate(value))
        for key, entry in pairs:
            budget[0] -= 1
            if budget[0] < 0:
                continue  # counted, not shown
            container = isinstance(entry, Mapping | list)
            shown = "" if container else cell_text(entry, 500)
            if isinstance(entry, str):
                shown = json.dumps(entry, ensure_ascii=False)[:500]
            item = QTreeWidgetItem([str(key), shown, json_type(entry)])
            item.setToolTip(1, shown)
            parent.addChild(item)
            if container:
                self._add_children(item, entry, depth + 1, budget)
                item.setExpanded(depth + 1 < EXPANDED_DEPTH)

    def _show_text(self, text: bool) -> None:
        self.stack.setCurrentIndex(1 if text else 0)
        self.mode_button.setText("Tree" if text else "Text")
        self.expand_button.setEnabled(not text)
        self.collapse_button.setEnabled(not text)

    def copy_json(self) -> None:
        if self.document is not None:
            QGuiApplication.clipboard().setText(self.text.toPlainText())
