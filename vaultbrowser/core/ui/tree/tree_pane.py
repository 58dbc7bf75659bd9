"""``TreePane``: one service's tree with filter, sort, paging controls and an honest count.

The view is a ``TreeTable`` over a ``FlatTreeModel`` (``pane.proxy``): a tree whose inserts
cost what they insert, so paging 100,000 blobs never re-lays out the rows already shown.
Filtering and sorting run on the loaded rows only, and the pane says so. Status rows
("Loading…", "N loaded · more available", errors) always stay visible and last. The pane pages
a node whose "more available" row scrolls into view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tree_node import StatusMarker
from vaultbrowser.core.ui.tree.column_fit import ColumnFit
from vaultbrowser.core.ui.tree.tree_table import TreeTable
from vaultbrowser.core.ui.tree.visible_rows import VisibleRows

AnyIndex = QModelIndex | QPersistentModelIndex


class TreePane(QWidget):
    record_selected = Signal(object, QModelIndex)  # record, source index (None when cleared)
    record_activated = Signal(object, QModelIndex)  # Enter / double-click on a leaf row
    visible_rows_changed = Signal(list)  # source indexes of the rows on screen (settled)

    def __init__(self, model: LazyTreeModel, title: str, *, flat_toggle: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        if model.parent() is None:
            model.setParent(self)  # a kind's view builds its models for its panes
        self.title = title
        self.proxy = FlatTreeModel(self)
        self.proxy.setSourceModel(model)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(f"Filter loaded {title.lower()} (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Reload the selected node from its first page (F5)")
        self.load_all_button = QPushButton("Load all")
        self.load_all_button.setToolTip("Page the selected node to the end")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop loading the selected node")
        self.refresh_button.clicked.connect(self.refresh_selected)
        self.load_all_button.clicked.connect(self.load_all_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.flat_check: QCheckBox | None = None
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        if flat_toggle:
            self.flat_check = QCheckBox("Flat")
            self.flat_check.setToolTip("List every blob of a container by full name, no folders")
            top.addWidget(self.flat_check)
        self._top = top
        top.addWidget(self.refresh_button)
        top.addWidget(self.load_all_button)
        top.addWidget(self.cancel_button)
        # Controllers (ui/vault_actions.py, ui/blob_actions.py) add the write actions of the
        # selection: each provider returns, for a source index (invalid: nothing selected),
        # actions it owns (created once, enabled to suit the selection; None: a separator).
        self.action_providers: list[Callable[[QModelIndex], list[QAction | None]]] = []

        self.view = TreeTable()
        self.view.setModel(self.proxy)
        # Unsorted until the user clicks a header: listings arrive in name order, and an
        # active sort would compare every inserted row of every page.
        self.view.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        # Long names keep both ends (the distinguishing suffix too); the tooltip has it whole.
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._on_activated)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 260)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)

        self.summary = QLabel("")
        self._summary_parts = ("", "")  # the listing's name, what is said of it
        # Cut to the pane's width (see _show_summary), never widening it.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

        copy = QAction("Copy name", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selected)
        self.view.addAction(copy)

        # Page in a node whose "more available" row is visible (coalesced).
        self._visible_check = QTimer(self)
        self._visible_check.setSingleShot(True)
        self._visible_check.setInterval(50)
        self._visible_check.timeout.connect(self.fetch_visible_more)
        for signal in (model.rowsInserted, model.rowsRemoved, model.dataChanged,
                       model.layoutChanged, self.view.expanded):
            signal.connect(self._schedule_visible_check)
        self.view.verticalScrollBar().valueChanged.connect(self._schedule_visible_check)
        # The model completes what its listings lack for the rows on screen only. A model
        # that completes nothing is not told: mapping a row of a sorted million back to its
        # source row is a linear search (~14 ms a row, a 400 ms stall after each sort).
        self.visible_rows: VisibleRows | None = None
        if type(model).rows_in_view is not LazyTreeModel.rows_in_view:
            self.visible_rows = VisibleRows(self.view, self.proxy)
            self.visible_rows.changed.connect(self.visible_rows_changed)
            self.visible_rows_changed.connect(model.rows_in_view)
        self.columns = ColumnFit(self.view, model)
        model.page_loaded.connect(self.columns.fit_to_page)
        model.rowsInserted.connect(self._update_summary)
        model.rowsRemoved.connect(self._update_summary)
        # A big sort or filter is computed in slices: the summary says so meanwhile.
        self.proxy.order_pending_changed.connect(self._update_summary)
        self._update_summary()
        self._expand_on_show: list[QPersistentModelIndex] = []
        self._last_selected: object | None = None  # the node whose details were last asked

    # --- deferred expansion -----------------------------------------------------------------

    def expand_when_shown(self, source: QModelIndex) -> None:
        """Expand ``source`` (a model index) now if the pane is on screen, else when it
        first shows: a new vault lists only the tab being looked at, not three at once."""
        if self.isVisible():
            self.view.expand(self.proxy.mapFromSource(source))
        else:
            self._expand_on_show.append(QPersistentModelIndex(source))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        pending, self._expand_on_show = self._expand_on_show, []
        for source in pending:
            if source.isValid():
                self.view.expand(self.proxy.mapFromSource(source))

    # --- selection ------------------------------------------------------------------------

    def selected_source_index(self) -> QModelIndex:
        indexes = self.view.selectionModel().selectedRows(0)
        return self.proxy.mapToSource(indexes[0]) if indexes else QModelIndex()

    def select_source(self, source: QModelIndex) -> None:
        """Select the row of ``source`` (a model index) and scroll to it; an invalid index
        clears the selection."""
        if not source.isValid():
            self.view.clearSelection()
            return
        index = self.proxy.mapFromSource(source)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        source = self.selected_source_index()
        self._update_summary()
        # Rows inserted above (a node expanding) move the selection without changing it: the
        # selected item is not asked for again.
        # (The node, not a QPersistentModelIndex: a Qt value held by a Python object may be
        # freed by the garbage collector on another thread.)
        node = self.model.node_of(source) if source.isValid() else None
        if node is not None and node is self._last_selected:
            return
        self._last_selected = node
        if source.isValid() and not self.model.is_status_index(source):
            self.record_selected.emit(self.model.record_of(source), source)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._schedule_visible_check()  # a taller pane may bring a "more" row into view
        self.columns.schedule_fit()  # a narrower pane: the least important columns step aside
        self._show_summary()

    def _on_activated(self, proxy_index: QModelIndex) -> None:
        """Enter / double-click: load more on a status row, retry an error, expand a node;
        on a leaf row, ``record_activated`` (a discovered vault opens)."""
        source = self.proxy.mapToSource(proxy_index)
        status = source.data(STATUS_ROLE)
        parent = source.parent()
        if status is RowStatus.MORE:
            self.model.fetchMore(parent)
        elif status is RowStatus.ERROR:
            self.model.retry(parent)
        elif status is None and self.model.hasChildren(source):
            self.view.setExpanded(proxy_index, not self.view.isExpanded(proxy_index))
        elif status is None and source.isValid():
            self.record_activated.emit(self.model.record_of(source), source)

    def _node_index(self) -> QModelIndex:
        """The selected node, or the parent of a selected status row, or the first root."""
        source = self.selected_source_index()
        if source.isValid() and self.model.is_status_index(source):
            return source.parent()
        if source.isValid():
            return source
        return self.model.index(0, 0)

    # --- actions ----------------------------------------------------------------------------

    def refresh_selected(self) -> None:
        index = self._node_index()
        node = self.model.node_of(index)
        if index.isValid() and not node.lazy:
            index = index.parent()  # a leaf refreshes its parent's listing
        if index.isValid():
            self.model.refresh(index)

    def load_all_selected(self) -> None:
        index = self._node_index()
        if index.isValid():
            self.view.setExpanded(self.proxy.mapFromSource(index), True)
            self.model.load_all(index)

    def cancel_selected(self) -> None:
        index = self._node_index()
        if index.isValid():
            self.model.cancel(index)

    def copy_selected(self) -> None:
        source = self.selected_source_index()
        record = self.model.record_of(source)
        if record is None:
            return
        text = getattr(record, "id", None) or getattr(record, "name", None) or str(record)
        QGuiApplication.clipboard().setText(str(text))

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def add_top_widget(self, widget: QWidget) -> None:
        """Put a controller's widget (an Upload button, a Deleted box) before Refresh."""
        self._top.insertWidget(self._top.indexOf(self.refresh_button), widget)

    def selection_actions(self) -> list[QAction | None]:
        """The controllers' actions for the selected row (None marks a separator)."""
        source = self.selected_source_index()
        if source.isValid() and self.model.is_status_index(source):
            source = QModelIndex()
        actions: list[QAction | None] = []
        for provide in self.action_providers:
            found = provide(source)
            if found and actions:
                actions.append(None)
            actions.extend(found)
        return actions

    def fill_menu(self, menu: QMenu) -> None:
        """The selection's write actions, then the pane's own."""
        for action in self.selection_actions():
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        if not menu.isEmpty():
            menu.addSeparator()
        menu.addAction("Refresh", self.refresh_selected)
        menu.addAction("Load all", self.load_all_selected)
        menu.addAction("Cancel loading", self.cancel_selected)
        menu.addSeparator()
        menu.addAction("Copy name / id", self.copy_selected)

    def _context_menu(self, position: Any) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)  # a disabled write action says why
        self.fill_menu(menu)
        menu.exec(self.view.viewport().mapToGlobal(position))

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text and getattr(self.model, "expand_to_matches", False):
            self._expand_to_matches(text.casefold())
        self._update_summary()

    def _expand_to_matches(self, folded: str) -> None:
        """Open every loaded node with a matching row below it (a small tree that is all
        loaded, like Azure's: the filter then finds a vault in any subscription)."""
        model = self.model
        opening: list[tuple[int, QModelIndex]] = []

        def visit(index: QModelIndex, depth: int) -> bool:
            found = False
            for row in range(model.rowCount(index)):
                child = model.index(row, 0, index)
                if model.is_status_index(child):
                    continue
                name = str(child.data() or "").casefold()
                below = visit(child, depth + 1)
                found = found or below or folded in name
            if found and index.isValid():
                opening.append((depth, index))
            return found

        visit(QModelIndex(), 0)
        for _depth, index in sorted(opening, key=lambda pair: pair[0]):
            self.view.expand(self.proxy.mapFromSource(index))

    # --- paging what is visible -----------------------------------------------------------

    def _schedule_visible_check(self, *args: Any) -> None:
        if not self._visible_check.isActive():
            self._visible_check.start()

    def fetch_visible_more(self) -> None:
        """Fetch the next page of every node whose "more available" row is on screen."""
        if not self.view.isVisible():
            return
        viewport = self.view.viewport().rect()
        index = self.view.indexAt(viewport.topLeft())
        while index.isValid():
            rect = self.view.visualRect(index)
            if rect.top() > viewport.bottom():
                break
            # Only status rows page: mapping an item row of a sorted million back to its
            # source row would be a linear search per row.
            if type(self.proxy.owner(index.row())) is StatusMarker:
                source = self.proxy.mapToSource(index)
                if source.data(STATUS_ROLE) is RowStatus.MORE:
                    self.model.fetchMore(source.parent())
            index = self.view.indexBelow(index)

    def set_column_widths(self, widths: tuple[int, ...]) -> None:
        """Fixed starting widths (instead of fitting the first page's rows)."""
        self.columns.set_widths(widths)

    # --- honest counts ----------------------------------------------------------------------

    def _update_summary(self, *args: Any) -> None:
        index = self._node_index()
        if index.isValid() and not self.model.node_of(index).listed and index.parent().isValid():
            index = index.parent()  # an unexpanded item: summarise the listing it belongs to
        name, parts = "", []
        if index.isValid():
            summary = self.model.loaded_summary(index)
            if summary:
                name = self.model.index(index.row(), 0, index.parent()).data() or ""
                parts.append(summary)
        if self.proxy.pending:
            parts.append("sorting and filtering the loaded items…")
        elif self.filter_edit.text():
            parts.append("filter and sort cover loaded items only")
        else:
            parts.append("sorting covers loaded items only")
        self._summary_parts = (name, " · ".join(parts))
        self._show_summary()

    def _show_summary(self) -> None:
        """The summary in the label's width: a long name (a query's text, a deep prefix) is cut
        in its middle, never the count after it; the whole line is the tooltip."""
        name, rest = self._summary_parts
        full = f"{name}: {rest}" if name else rest
        if name:
            metrics = self.summary.fontMetrics()
            room = self.summary.width() - metrics.horizontalAdvance(f": {rest}")
            name = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, max(room, 0))
        self.summary.setText(f"{name}: {rest}" if name else rest)
        self.summary.setToolTip(full)
        self.summary.setAccessibleName(full)
