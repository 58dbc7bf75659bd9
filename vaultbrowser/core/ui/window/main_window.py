"""``MainWindow``: each kind's trees (tabs), the detail pane, the activity panel, connections.

The window names no kind: it is given the registry (``kinds``) and asks each kind for its view
(``KindView``: panes, root records, details) and for the service of a connection.

All I/O runs as asyncio tasks on the qasync loop, held by the window (``WindowTasks``); its
close (``WindowShutdown``) ends them and closes every client and session while the loop runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.models.activity_model import ActivityModel
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tones import notice_style
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.kinds import ServiceKind, kind_of, kinds_by_name
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.services.sdk_imports import import_sdk
from vaultbrowser.core.ui.activity_panel import ActivityBadge, ActivityPanel
from vaultbrowser.core.ui.common_dialogs import DialogRunner
from vaultbrowser.core.ui.detail_pane import DetailPane
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.audit_actions import AuditActions
from vaultbrowser.core.ui.window.connection_actions import ConnectionActions
from vaultbrowser.core.ui.window.context import KindView
from vaultbrowser.core.ui.window.kind_tabs import KindTabs
from vaultbrowser.core.ui.window.menus import build_menus
from vaultbrowser.core.ui.window.navigation.address_bar import AddressBar
from vaultbrowser.core.ui.window.navigation.addresses import Navigation
from vaultbrowser.core.ui.window.navigation.quick_access import QuickAccess
from vaultbrowser.core.ui.window.selection_details import SelectionDetails
from vaultbrowser.core.ui.window.shutdown import WindowShutdown
from vaultbrowser.core.ui.window.toolbar import WindowToolbar
from vaultbrowser.core.ui.window.window_state import WindowState
from vaultbrowser.core.ui.window.window_tasks import WindowTasks

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession

READ_ONLY_BANNER = (
    "<b>Read-only audit mode.</b> vaultbrowser refuses every request that could change data "
    "(enforced in the HTTP pipeline, before anything is sent). Revealing a secret value asks "
    "first and is recorded in the audit trail."
)


class MainWindow(QMainWindow):
    details_shown = Signal(object)  # Details, after the selection's GET (tests, status bar)
    closed = Signal()

    def __init__(self, session: ServiceSession, settings: Settings | None = None, *,
                 kinds: Sequence[ServiceKind], reporter: ErrorReporter | None = None,
                 on_closed: Callable[[], Awaitable[None]] | None = None,
                 connection_store: Any = None, trail: AuditTrail | None = None) -> None:
        super().__init__()
        self.session = session
        self.kinds = tuple(kinds)
        self._kinds_by_name = kinds_by_name(kinds)
        self.trail = trail
        # Asked before a value is revealed on a read-only connection; tests replace it.
        self.confirm_reveal: Callable[[str], bool] = self._ask_reveal
        self.settings = settings or Settings()
        self.reporter = reporter or ErrorReporter(self)
        self.tasks = WindowTasks(self.reporter.report)
        self.shutdown = WindowShutdown(self, on_closed)
        self._store = connection_store
        self.connections: list[Connection] = []
        self._roots: dict[str, list[tuple[LazyTreeModel, Any]]] = {}

        self.setWindowTitle("vaultbrowser — read-only audit mode" if session.read_only
                            else "vaultbrowser")
        self.tabs = KindTabs()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.detail_pane = DetailPane(self.settings.clipboard_clear_seconds)
        self.selection_details = SelectionDetails(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        # No connection open: the start screen; from the first one on, the trees.
        self.start_demo: Callable[[], None] | None = None  # set by the app when it can
        self.trees = QStackedWidget()
        self.trees.addWidget(self.tabs)
        splitter.addWidget(self.trees)
        splitter.addWidget(self.detail_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 520])
        self.read_only_banner = QLabel(READ_ONLY_BANNER)
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setStyleSheet(notice_style())
        self.read_only_banner.setVisible(session.read_only)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.read_only_banner)
        self.navigation = Navigation(self)
        self.address_bar = AddressBar(self, self.navigation.open_address, self.run_task)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        self.activity_model = ActivityModel(session.journal, parent=self)
        self.activity_panel = ActivityPanel(self.activity_model)
        self.audit = AuditActions(self)
        self.activity_panel.export_requested.connect(self.audit.export_trail_dialog)
        self.activity_dock = QDockWidget("Activity — every HTTP request of this session", self)
        self.activity_dock.setObjectName("activity")
        self.activity_dock.setWidget(self.activity_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.activity_dock)
        # Quiet by default: a status-bar strip with the counts opens it on demand.
        self.activity_dock.hide()
        self.activity_badge = ActivityBadge(self.activity_model, self.activity_dock)
        self.statusBar().addPermanentWidget(self.activity_badge)

        self.connection_label = QLabel("")
        self.statusBar().addPermanentWidget(self.connection_label)
        # Write actions: dialogs go through this runner (tests answer them without exec).
        self.dialogs = DialogRunner()
        self.panes: list[TreePane] = []
        self._views: dict[str, KindView] = {}
        self._view_of_pane: dict[TreePane, KindView] = {}
        for kind in self.kinds:
            self._add_view(kind, kind.view(self))
        self._update_connection_label()
        self.connection_actions = ConnectionActions(self, connection_store)
        self.actions_menu = build_menus(self)
        self.toolbar = WindowToolbar(self)
        central_layout.insertWidget(1, self.toolbar.breadcrumb)
        self.quick_access = QuickAccess(self.quick_access_menu, self.preferences,
                                        self.navigation.open_address, self.run_task,
                                        self.navigation.selected_address)
        self.resize(1280, 800)
        self.state = WindowState(self)
        self.state.restore()

    def _add_view(self, kind: ServiceKind, view: KindView) -> None:
        self._views[kind.name] = view
        for label, pane in view.panes:
            self.tabs.add_tree(pane, kind, label)
            self.panes.append(pane)
            self._view_of_pane[pane] = view
            pane.record_selected.connect(self.selection_details.show)
            pane.model.load_failed.connect(self.reporter.report)

    def view(self, kind_name: str) -> Any:
        """The view (``KindView``) of a kind, by the kind's name."""
        return self._views[kind_name]

    def kind_views(self) -> list[Any]:
        """Every kind's view, in registry order."""
        return list(self._views.values())

    def pane(self, title: str) -> TreePane:
        """The pane titled ``title`` ("Secrets", "Blobs"…)."""
        return next(pane for pane in self.panes if pane.title == title)

    def show_pane(self, title: str) -> TreePane:
        """Bring the pane titled ``title`` to the front, as clicking its tab does."""
        pane = self.pane(title)
        self.tabs.setCurrentWidget(pane)
        return pane

    def pane_of(self, model: LazyTreeModel) -> TreePane:
        return next(pane for pane in self.panes if pane.model is model)

    def add_panel(self, dock: QDockWidget) -> None:
        """Dock a panel at the bottom, tabbed with the activity panel; hidden until it has
        something to show (the kind shows it)."""
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.tabifyDockWidget(self.activity_dock, dock)
        dock.hide()

    # --- menus and keyboard -------------------------------------------------------------

    def fill_actions_menu(self) -> None:
        self.actions_menu.clear()
        self.current_pane().fill_menu(self.actions_menu)

    # --- what write actions need -------------------------------------------------------------

    def root_of(self, model: LazyTreeModel, index: QModelIndex) -> Any:
        """The connection root record (VaultRoot / AccountRoot) above ``index``, or None."""
        while index.isValid() and index.parent().isValid():
            index = index.parent()
        return model.record_of(index) if index.isValid() else None

    def can_write(self, root: Any) -> bool:
        """Whether writes may be offered for a connection (the pipeline refuses them anyway
        in read-only mode; this only keeps the buttons honest)."""
        if root is None or self.session.read_only:
            return False
        return not root.connection.read_only and not self.session.is_read_only(root.connection)

    def show_details(self, details: Details) -> None:
        """Show ``details`` (a write's result) in the detail pane."""
        self.detail_pane.show_details(details)
        self.details_shown.emit(details)

    def show_response(self, title: str, message: str, response: ResponseInfo | None) -> None:
        """Show a write that returns no record (a delete, a purge): message and response."""
        self.detail_pane.show_message(title, message)
        self.detail_pane.show_response(response)

    def current_pane(self) -> TreePane:
        pane = self.tabs.currentWidget()
        assert isinstance(pane, TreePane)
        return pane

    # --- connections --------------------------------------------------------------------

    def add_connection(self, connection: Connection) -> None:
        """Open the connection's service and add it as a root of the matching tree(s).

        Raises:
            VaultBrowserError: the connection cannot be opened (reported by callers).
        """
        if any(existing.key == connection.key for existing in self.connections):
            return
        if self.session.is_read_only(connection) and not connection.read_only:
            connection = replace(connection, read_only=True)  # the badge shows on its row
        kind = kind_of(self._kinds_by_name, connection)
        view = self._views[kind.name]
        root = view.make_root(connection, kind.open(self.session, connection))
        self._roots[connection.key] = [(pane.model, root) for _label, pane in view.panes]
        for _label, pane in view.panes:
            pane.expand_when_shown(pane.model.add_root(root))
        self.connections.append(connection)
        if len(self.connections) == 1:
            self.tabs.setCurrentWidget(view.panes[0][1])  # a storage-only start: its tree
        self.state.update()
        self._update_connection_label()
        self.read_only_banner.setVisible(any(c.read_only for c in self.connections)
                                         or self.session.read_only)

    def remove_connection(self, connection: Connection, *, forget: bool = True) -> None:
        """Close ``connection``'s rows and service; ``forget`` drops it from the saved ones."""
        for model, record in self._roots.pop(connection.key, []):
            model.remove_root(record)
            service = record.service
            self.tasks.run(self.session.close_service(service))
        self.connections = [c for c in self.connections if c.key != connection.key]
        self.state.update()
        if forget and self._store is not None:
            self._store.remove(connection)
        self._update_connection_label()

    async def open_connection(self, connection: Connection, *, remember: bool = False) -> bool:
        """``add_connection`` once the SDK it needs is imported, off the loop's thread (the
        first import takes about a second). Failures are reported; True when it was added."""
        try:
            await import_sdk(kind_of(self._kinds_by_name, connection).sdk_modules)
            self.add_connection(connection)
        except VaultBrowserError as error:
            self.reporter.report(error)
            return False
        if remember and self._store is not None:
            self._store.add(connection)
        return True

    def root_of_connection(self, connection: Connection) -> Any:
        """The root record (``ConnectionRoot``) of an open connection; None when not open."""
        roots = self._roots.get(connection.key)
        return roots[0][1] if roots else None

    async def open_or_reuse(self, connection: Connection) -> Connection | None:
        """The open connection with ``connection``'s key, else the saved one (its sign-in
        method), else ``connection`` opened for this run (a pasted address is not saved);
        None when it did not open (reported)."""
        existing = next((c for c in self.connections if c.key == connection.key), None)
        if existing is not None:
            return existing
        saved = [c for c in self._store.load() if c.key == connection.key] if (
            self._store is not None and connection.secret is None) else []
        chosen = saved[0] if saved else connection
        return chosen if await self.open_connection(chosen) else None

    def reveal(self, pane: TreePane, index: QModelIndex) -> None:
        """Show ``pane``, open the rows above ``index`` and select it."""
        self.tabs.setCurrentWidget(pane)
        ancestors = []
        parent = index.parent()
        while parent.isValid():
            ancestors.append(parent)
            parent = parent.parent()
        for ancestor in reversed(ancestors):
            pane.view.expand(pane.proxy.mapFromSource(ancestor))
        shown = pane.proxy.mapFromSource(index)
        pane.view.setCurrentIndex(shown)
        pane.view.scrollTo(shown)

    def show_connection(self, connection: Connection) -> None:
        """Switch to ``connection``'s first tab and select its row."""
        roots = self._roots.get(connection.key)
        if not roots:
            return
        model, record = roots[0]
        pane = self.pane_of(model)
        self.tabs.setCurrentWidget(pane)
        for row, node in enumerate(model.root_nodes()):
            if node.record is record:
                pane.view.setCurrentIndex(pane.proxy.mapFromSource(model.index(row, 0)))
                break

    @property
    def preferences(self) -> Any:
        """The saved settings (``QSettings``) when connections are saved; None in tests and
        the demo, where choices last for the run."""
        return self._store.settings if self._store is not None else None

    def _update_connection_label(self) -> None:
        self.connection_label.setText(" · ".join(
            kind.count(sum(1 for c in self.connections if c.kind == kind.name))
            for kind in self.kinds))

    def _on_tab_changed(self, _index: int) -> None:
        pane = self.current_pane()
        source = pane.selected_source_index()
        if source.isValid() and not pane.model.is_status_index(source):
            self.selection_details.show(pane.model.record_of(source), source)

    def view_of_pane(self, pane: TreePane) -> KindView:
        return self._view_of_pane[pane]

    def _ask_reveal(self, what: str) -> bool:
        answer = QMessageBox.question(
            self, "Reveal a secret value",
            f"Reveal the value of {what}?\n\nThis connection is in read-only audit mode: "
            "revealing a value is recorded in the audit trail.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # --- tasks and shutdown -------------------------------------------------------------

    def run_task(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine owned by the window: cancelled on close, failures reported."""
        return self.tasks.run(coroutine)

    def changeEvent(self, event: Any) -> None:
        # A revealed value does not outlive the window losing focus.
        if event.type() == event.Type.ActivationChange and not self.isActiveWindow():
            self.detail_pane.hide_value()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown.close_requested(event)

    async def aclose(self) -> None:
        """Cancel every task, close clients and sessions. Safe to await twice."""
        await self.shutdown.aclose()

    def add_closing_step(self, step: Callable[[], Awaitable[None]]) -> None:
        """Await ``step`` when the window closes, after its clients (a demo started later)."""
        self.shutdown.add_step(step)
