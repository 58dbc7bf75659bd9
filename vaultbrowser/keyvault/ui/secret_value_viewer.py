"""``SecretValueViewer``: a revealed secret value in a viewer that suits it.

It sits under the detail pane's value row. Before Reveal it shows at most the format the
secret's content type announces ("Format: PEM, from the content type") — no value is fetched
for it. After Reveal (``show_value``) ``value_formats.analyse`` picks the views (Text, JSON tree,
PEM summary, Base64 decoded) and the first suitable one opens. Hide, a new selection or the
pane hiding the value after inactivity (``clear``) drops every text the viewer held.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.details import Details
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.records import SecretRecord
from vaultbrowser.keyvault.services.value_formats import (
    ValueAnalysis,
    ValueFormat,
    analyse,
    format_hint,
)

VIEW_NAMES: dict[ValueFormat, str] = {"text": "Text", "json": "JSON tree",
                                      "pem": "PEM summary", "base64": "Base64 decoded"}
MAX_JSON_ITEMS = 5000  # tree rows built for one value (a 25 KB value stays far below)
MAX_JSON_DEPTH = 64
_SCALAR_TEXT = 500


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setColumnCount(len(headers))
    tree.setHeaderLabels(headers)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setStretchLastSection(True)
    return tree


class SecretValueViewer(QWidget):
    """The views of one revealed value (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.analysis: ValueAnalysis | None = None
        self.hint_label = QLabel("")
        self.hint_label.setStyleSheet("color: palette(mid);")
        self.format_label = QLabel("")
        self.format_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        self.tabs.currentChanged.connect(self._show_tab)
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text_view.setFont(mono)
        self.text_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.json_tree = _tree(["Key", "Value", "Type"])
        header = self.json_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # The label columns: wide enough for the row labels, not for the spanned block titles
        # (which would squeeze the values).
        self.pem_tree = _tree(["Block", "Value"])
        self.pem_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.pem_tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance(
            "Thumbprint (SHA-256)") + 48)
        self.decoded_tree = _tree(["Decoded", "Value"])
        self.decoded_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.decoded_tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance(
            "First 48 bytes (hex)") + 24)
        self.decoded_tree.setRootIsDecorated(False)
        self.decoded_tree.setWordWrap(True)
        self.pages: dict[ValueFormat, QWidget] = {
            "text": self.text_view, "json": self.json_tree, "pem": self.pem_tree,
            "base64": self.decoded_tree}
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.tab_views: list[ValueFormat] = []

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.format_label)
        bar.addStretch(1)
        bar.addWidget(self.tabs)
        self.body = QWidget()
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(bar)
        body_layout.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.body, 1)
        self.body.hide()
        self.hint_label.hide()
        self.hide()

    # --- before Reveal ---------------------------------------------------------------------

    def show_details(self, details: Details | None) -> None:
        """A new selection: forget any value; say the announced format of a secret, if any."""
        self.clear()
        record = details.record if details is not None else None
        hint = (format_hint(record.content_type) if isinstance(record, SecretRecord)
                and details is not None and details.secret_value_available else None)
        if hint is None:
            return
        self.hint_label.setText(f"Format: {hint} (from the content type; Reveal to view it)")
        self.hint_label.show()
        self._grow(False)  # one line: no share of the pane's height
        self.show()

    # --- after Reveal ------------------------------------------------------------------------

    @property
    def current_view(self) -> ValueFormat | None:
        index = self.tabs.currentIndex()
        return self.tab_views[index] if 0 <= index < len(self.tab_views) else None

    def show_value(self, value: SecretValue, content_type: str | None) -> None:
        """Analyse the revealed value and fill the views that suit it."""
        self.clear()
        text = value.reveal()
        analysis = analyse(text, content_type)
        self.analysis = analysis
        self.format_label.setText(f"Detected: {analysis.name}")
        self.text_view.setPlainText(text)
        del text
        if analysis.json_value is not None:
            self._fill_json(analysis.json_value)
        for block in analysis.pem_blocks:
            head = QTreeWidgetItem([block.summary, ""])
            head.setFirstColumnSpanned(True)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for label, shown in block.rows:
                child = QTreeWidgetItem([label, shown])
                child.setToolTip(1, shown)
                head.addChild(child)
            self.pem_tree.addTopLevelItem(head)
        self.pem_tree.expandAll()
        for label, shown in analysis.decoded_rows:
            self.decoded_tree.addTopLevelItem(QTreeWidgetItem([label, shown]))
        self.tabs.blockSignals(True)
        for view in analysis.views:
            self.tab_views.append(view)
            self.tabs.addTab(VIEW_NAMES[view])
        self.tabs.blockSignals(False)
        self.tabs.setCurrentIndex(0)
        self._show_tab(0)
        self.hint_label.hide()
        self.body.show()
        self._grow(True)
        self.show()

    def _grow(self, grows: bool) -> None:
        vertical = QSizePolicy.Policy.Expanding if grows else QSizePolicy.Policy.Maximum
        self.setSizePolicy(QSizePolicy.Policy.Preferred, vertical)

    def _show_tab(self, index: int) -> None:
        if 0 <= index < len(self.tab_views):
            self.stack.setCurrentWidget(self.pages[self.tab_views[index]])

    def select_view(self, view: ValueFormat) -> None:
        if view in self.tab_views:
            self.tabs.setCurrentIndex(self.tab_views.index(view))

    def _fill_json(self, value: Any) -> None:
        budget = [MAX_JSON_ITEMS]
        root = self.json_tree.invisibleRootItem()
        self._add_json_children(root, value, budget, 0)
        self.json_tree.expandToDepth(1)

    def _add_json_children(self, parent: QTreeWidgetItem, value: Any, budget: list[int],
                           depth: int) -> None:
        members = (value.items() if isinstance(value, dict)
                   else ((f"[{i}]", item) for i, item in enumerate(value)))
        for key, item in members:
            if budget[0] <= 0:
                parent.addChild(QTreeWidgetItem(["…", f"more than {MAX_JSON_ITEMS:,} "
                                                 "entries: see the Text view", ""]))
                return
            budget[0] -= 1
            child = QTreeWidgetItem([str(key)[:_SCALAR_TEXT], *_json_cells(item)])
            parent.addChild(child)
            if isinstance(item, dict | list) and item:
                if depth + 1 >= MAX_JSON_DEPTH:
                    child.addChild(QTreeWidgetItem(["…", "nested too deeply: see the Text "
                                                    "view", ""]))
                else:
                    self._add_json_children(child, item, budget, depth + 1)

    # --- forgetting ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Drop every text of the value (Hide, a new selection, inactivity)."""
        self.analysis = None
        self.text_view.clear()
        self.json_tree.clear()
        self.pem_tree.clear()
        self.decoded_tree.clear()
        self.format_label.clear()
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        self.tabs.blockSignals(False)
        self.tab_views = []
        self.body.hide()
        self.hint_label.hide()
        self.hide()

    def shown_texts(self) -> list[str]:
        """Every text the viewer holds (tests: what must be gone after Hide)."""
        texts = [self.text_view.toPlainText(), self.format_label.text()]
        for tree in (self.json_tree, self.pem_tree, self.decoded_tree):
            stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
            while stack:
                item = stack.pop()
                texts.extend(item.text(c) for c in range(tree.columnCount()))
                stack.extend(item.child(i) for i in range(item.childCount()))
        return [text for text in texts if text]


def _json_cells(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return f"{{{len(item):,} members}}", "object"
    if isinstance(item, list):
        return f"[{len(item):,} items]", "array"
    if isinstance(item, str):
        return item[:_SCALAR_TEXT], "string"
    if isinstance(item, bool):
        return ("true" if item else "false"), "boolean"
    if item is None:
        return "null", "null"
    return str(item)[:_SCALAR_TEXT], "number"
