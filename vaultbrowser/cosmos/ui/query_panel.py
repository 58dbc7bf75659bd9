"""``QueryPanel``: the query editor of the selected container, docked at the bottom.

SQL with parameters (name/value rows, values as JSON), an optional partition key scope, the
results paged lazily in a tree pane of their own ("N loaded · more", Load all, Cancel), the
request charge of each page and in total, and the recent queries (kept in the window's
preferences, or for this run when none are saved: the query text, the parameters and the
partition key as typed). A syntax error is reported and its
first problem selected in the editor (``QuerySyntaxError.problems``: offsets into the SQL,
from the service's message).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.cosmos.models import details as cosmos_details
from vaultbrowser.cosmos.models.cosmos_tree import CosmosTreeModel
from vaultbrowser.cosmos.models.query_results import (
    HISTORY_LENGTH,
    QueryResultsModel,
    QueryRun,
    QueryText,
    parse_json_value,
    parse_parameters,
)
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, ItemRow
from vaultbrowser.cosmos.services.queries import DEFAULT_QUERY

HISTORY_KEY = "cosmos/query_history"


class QueryPanel(QWidget):
    """The editor, its history and its results; ``dock`` is its panel in the window."""

    def __init__(self, window: WindowContext, tree: CosmosTreeModel, pane: TreePane) -> None:
        super().__init__()
        self.window = window
        self.tree = tree
        self.tree_pane = pane
        self.container: ContainerRow | None = None
        self.root: CosmosRoot | None = None
        self.last_error: VaultBrowserError | None = None
        self._this_run = "[]"  # the history when nothing is saved (tests, the demo)

        self.target = QLabel("Select a container (or an item) in the Cosmos DB tree.")
        self.target.setWordWrap(True)  # a long account or container name wraps, not widens
        self.history = QComboBox()
        self.history.setToolTip("Recent queries (the text and the parameters as typed)")
        self.history.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.history.setMinimumContentsLength(18)
        self.history.activated.connect(self._history_chosen)
        self.editor = QPlainTextEdit(DEFAULT_QUERY)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(mono)
        self.editor.setAccessibleName("Query SQL")
        self.parameters = QTableWidget(0, 2)
        self.parameters.setHorizontalHeaderLabels(["Parameter", "Value (JSON)"])
        self.parameters.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.parameters.verticalHeader().hide()
        add = QPushButton("+ Parameter")
        add.clicked.connect(lambda: self.add_parameter("@", ""))
        remove = QPushButton("− Parameter")
        remove.clicked.connect(self._remove_parameter)
        self.scope_check = QCheckBox("Only partition key")
        self.scope_value = QLineEdit()
        self.scope_value.setMinimumWidth(60)
        self.scope_value.setPlaceholderText('the value as JSON: "c1" or 42')
        self.run_button = QPushButton("Run query")
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.run_query)
        self.charge = QLabel("")
        self.charge.setWordWrap(True)
        self.charge.setAccessibleName("Request charge")

        self.results = QueryResultsModel()
        self.results_pane = TreePane(self.results, "Query results")
        self.results_pane.set_column_widths((170, 110, 500))
        self.results.charged.connect(self._show_charge)
        self.results.load_failed.connect(self._failed)
        self.results_pane.record_selected.connect(self._result_selected)

        editor_side = QWidget()
        left = QVBoxLayout(editor_side)
        left.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.target, 1)
        top.addWidget(self.history)
        left.addLayout(top)
        left.addWidget(self.editor, 2)
        left.addWidget(self.parameters, 1)
        buttons = QHBoxLayout()
        for widget in (add, remove, self.scope_check, self.scope_value):
            buttons.addWidget(widget)
        left.addLayout(buttons)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.charge, 1)
        left.addLayout(run_row)
        splitter = QSplitter()
        splitter.addWidget(editor_side)
        splitter.addWidget(self.results_pane)
        splitter.setSizes([500, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self.dock = QDockWidget("Cosmos DB query", window)  # type: ignore[arg-type]
        self.dock.setObjectName("cosmos-query")
        self.dock.setWidget(self)
        window.add_panel(self.dock)
        pane.record_selected.connect(self._tree_selected)
        self._load_history()

    # --- the target container -----------------------------------------------------------------

    def _tree_selected(self, record: Any, index: QModelIndex) -> None:
        if not isinstance(record, ContainerRow | ItemRow) or not index.isValid():
            return
        node = self.tree.container_index_of(self.tree.node_of(index))
        if node is None or not isinstance(node.record, ContainerRow):
            return
        root = self.tree.root_of_node(node)
        self.set_target(root, node.record)

    def set_target(self, root: CosmosRoot, container: ContainerRow) -> None:
        self.root, self.container = root, container
        self.target.setText(f"{root.name} · {container.display_name}  (partition key "
                            f"{', '.join(container.partition_key_paths) or '?'})")
        self.run_button.setEnabled(True)

    def show_for(self, root: CosmosRoot, container: ContainerRow) -> None:
        """Open the panel on ``container`` (the tree's "Query…" action)."""
        self.set_target(root, container)
        self.dock.show()
        self.dock.raise_()
        self.editor.setFocus()

    # --- parameters -----------------------------------------------------------------------------

    def add_parameter(self, name: str, value: str) -> None:
        row = self.parameters.rowCount()
        self.parameters.insertRow(row)
        self.parameters.setItem(row, 0, QTableWidgetItem(name))
        self.parameters.setItem(row, 1, QTableWidgetItem(value))

    def _remove_parameter(self) -> None:
        row = self.parameters.currentRow()
        if row >= 0:
            self.parameters.removeRow(row)

    def parameter_rows(self) -> list[tuple[str, str]]:
        rows = []
        for row in range(self.parameters.rowCount()):
            name, value = self.parameters.item(row, 0), self.parameters.item(row, 1)
            rows.append((name.text() if name else "", value.text() if value else ""))
        return rows

    # --- running ------------------------------------------------------------------------------

    def query_text(self) -> QueryText:
        """What the editor holds, checked.

        Raises:
            InvalidInput: a parameter row that is not valid.
        """
        scoped = self.scope_check.isChecked()
        return QueryText(self.editor.toPlainText().strip(),
                         parse_parameters(self.parameter_rows()),
                         parse_json_value(self.scope_value.text()) if scoped else None, scoped)

    def run_query(self) -> None:
        if self.root is None or self.container is None:
            return
        try:
            query = self.query_text()
            item_query = query.item_query()
        except VaultBrowserError as error:
            self.window.reporter.report(error)
            return
        self.last_error = None
        self.editor.setExtraSelections([])
        self.charge.setText("Running…")
        self.remember(query)
        index = self.results.start(QueryRun(self.root, self.container, query, item_query))
        self.results_pane.view.expand(self.results_pane.proxy.mapFromSource(index))
        self.dock.show()

    def _show_charge(self) -> None:
        run = self.results.current_run()
        if run is None or not run.charges:
            return
        pages = len(run.charges)
        self.charge.setText(f"Request charge: {run.charges[-1]:,.2f} RU this page · "
                            f"{run.total_charge:,.2f} RU in total ({pages} page"
                            f"{'s' if pages != 1 else ''})")

    def _failed(self, error: VaultBrowserError) -> None:
        """A failed page: the error dialog, and a syntax error's position selected."""
        self.last_error = error
        self.charge.setText(f"⚠ {error.title}")
        problems = getattr(error, "problems", ())  # QuerySyntaxError: offsets into the SQL
        if problems:
            first = problems[0]
            self.select_position(first.start, max(1, first.end - first.start))
        self.window.reporter.report(error)

    def select_position(self, offset: int, length: int = 1) -> None:
        """Select the text at ``offset`` (characters into the SQL) in the editor."""
        text = self.editor.toPlainText()
        start = max(0, min(offset, len(text)))
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(min(len(text), start + max(1, length)),
                           QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _result_selected(self, record: Any, index: QModelIndex) -> None:
        if isinstance(record, ItemRow):  # the document as the query returned it: no call
            self.window.show_details(cosmos_details.describe_item(record))

    # --- history ------------------------------------------------------------------------------

    def _history_entries(self) -> list[QueryText]:
        settings = self.window.preferences
        raw = settings.value(HISTORY_KEY, "[]") if settings is not None else self._this_run
        try:
            data = json.loads(raw if isinstance(raw, str) else "[]")
        except ValueError:
            data = []
        entries = [QueryText.from_json(entry) for entry in data] if isinstance(data, list) else []
        return [entry for entry in entries if entry is not None]

    def _load_history(self) -> None:
        self.history.clear()
        self.history.addItem("Recent queries…")
        for entry in self._history_entries():
            self.history.addItem(entry.label, json.dumps(entry.to_json()))

    def remember(self, query: QueryText) -> None:
        entries = [entry for entry in self._history_entries() if entry != query]
        entries.insert(0, query)
        settings = self.window.preferences
        kept = json.dumps([entry.to_json() for entry in entries[:HISTORY_LENGTH]])
        if settings is not None:
            settings.setValue(HISTORY_KEY, kept)
        else:
            self._this_run = kept
        self._load_history()

    def _history_chosen(self, position: int) -> None:
        data = self.history.itemData(position)
        query = QueryText.from_json(json.loads(data)) if isinstance(data, str) else None
        if query is None:
            return
        self.restore(query)

    def restore(self, query: QueryText) -> None:
        self.editor.setPlainText(query.sql)
        self.parameters.setRowCount(0)
        for name, value in query.parameters:
            self.add_parameter(name, json.dumps(value, ensure_ascii=False))
        self.scope_check.setChecked(query.scoped)
        self.scope_value.setText("" if query.partition_key is None
                                 else json.dumps(query.partition_key, ensure_ascii=False))
