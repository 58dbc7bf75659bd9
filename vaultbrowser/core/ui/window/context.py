"""What a kind's Qt half sees of the window, and what the window asks of it.

A kind's ``view(window)`` (see ``core.services.kinds``) builds a ``KindView`` — its trees
(``TreePane``s, one tab each) and the actions on them — given a ``WindowContext``: the window's
shared parts (session, dialogs, detail pane, tasks), never the window class itself. So no kind
imports the window, and the window names no kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtCore import QModelIndex, QSettings, SignalInstance
    from PySide6.QtWidgets import QDockWidget, QStatusBar

    from vaultbrowser.core.audit.trail import AuditTrail
    from vaultbrowser.core.models.details import Details, Row
    from vaultbrowser.core.models.lazy_tree import LazyTreeModel
    from vaultbrowser.core.models.tree_node import Node
    from vaultbrowser.core.services.config import Settings
    from vaultbrowser.core.services.connections import Connection
    from vaultbrowser.core.services.kinds import Address, ServiceKind
    from vaultbrowser.core.services.records import ResponseInfo
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.core.ui.common_dialogs import DialogRunner
    from vaultbrowser.core.ui.detail_pane import DetailPane
    from vaultbrowser.core.ui.error_dialog import ErrorReporter
    from vaultbrowser.core.ui.tree.tree_pane import TreePane


class WindowContext(Protocol):
    """The window's parts a kind's view and actions use."""

    session: ServiceSession
    kinds: tuple[ServiceKind, ...]  # the registry
    settings: Settings
    reporter: ErrorReporter
    trail: AuditTrail | None
    dialogs: DialogRunner  # write dialogs go through it (tests answer them without exec)
    detail_pane: DetailPane
    details_shown: SignalInstance  # emits the Details shown after a selection or a write
    connections: list[Connection]
    confirm_reveal: Callable[[str], bool]  # asked before a read-only connection reveals
    audit: Any  # AuditActions: export_report_dialog(connections, name) audits those only

    @property
    def preferences(self) -> QSettings | None:
        """Where a kind keeps what the user chose (hidden subscriptions); None: this run only."""

    async def open_connection(self, connection: Connection, *, remember: bool = False) -> bool:
        """Open ``connection`` in its kind's trees (errors reported); True when it opened."""

    def show_connection(self, connection: Connection) -> None:
        """Bring ``connection``'s row into view in its kind's first tab and select it."""

    def open_or_reuse(self, connection: Connection) -> Awaitable[Connection | None]:
        """The open connection with ``connection``'s key, else ``connection`` opened (errors
        reported; None when it did not open). Addresses open through it."""

    def root_of_connection(self, connection: Connection) -> Any:
        """The root record (``ConnectionRoot``) of an open connection; None when not open."""

    def view(self, kind_name: str) -> Any:
        """A kind's view (``KindView``), by the kind's name."""

    def kind_views(self) -> list[Any]:
        """Every kind's view, in registry order (a view may offer ``found_connections``)."""

    def reveal(self, pane: TreePane, index: QModelIndex) -> None:
        """Show ``pane``, open the rows above ``index`` and select it."""

    def run_task(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine owned by the window: cancelled on close, failures reported."""

    def can_write(self, root: Any) -> bool:
        """Whether write actions may be offered under a connection's root record."""

    def root_of(self, model: LazyTreeModel, index: QModelIndex) -> Any:
        """The connection's root record above ``index`` (None outside any)."""

    def pane_of(self, model: LazyTreeModel) -> TreePane:
        """The pane showing ``model``."""

    def show_details(self, details: Details) -> None:
        """Show ``details`` in the detail pane (and emit ``details_shown``)."""

    def show_response(self, title: str, message: str, response: ResponseInfo | None) -> None:
        """Show a write that returns no record (a delete): a message and its response."""

    def add_panel(self, dock: QDockWidget) -> None:
        """Dock a panel (transfers) at the bottom, tabbed with the activity panel."""

    def statusBar(self) -> QStatusBar:
        ...


class KindView(Protocol):
    """A kind's Qt half: its tabs, and how its records are described."""

    panes: Sequence[tuple[str, TreePane]]  # (tab label, pane), in tab order

    def make_root(self, connection: Connection, service: Any) -> Any:
        """The root record of a connection (added to every pane's model)."""

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        """Details of a record without a call (a root; a write's result)."""

    async def load_details(self, record: Any, root: Any) -> Details:
        """Details of a selected record, fetched (raises ``VaultBrowserError``)."""

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        """What a listed row's loaded children add up to (counts, sizes, states): its details
        summarise them instead of showing nothing."""

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """After ``load_details``: update the row with what the GET told (or nothing)."""

    async def open_address(self, address: Address) -> None:
        """Open what a pasted address names and select its item (raises
        ``VaultBrowserError``: the window reports it)."""

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        """The address that opens ``record`` again (no secret in it) and a label for it; None
        for a row no address names."""

    # Optional (looked up with getattr): ``tool_actions`` (QActions for the Tools menu: a
    # kind's tools across its connections) and ``found_connections(kind)`` (connections of
    # another kind this view has found but not opened: an Azure sign-in's discovered vaults).


async def open_and_show(window: WindowContext, connection: Connection) -> Connection | None:
    """What opening a pasted address starts with: the open connection with ``connection``'s
    key (else ``connection`` opened), shown in its tab; None when it did not open
    (reported)."""
    opened = await window.open_or_reuse(connection)
    if opened is not None:
        window.show_connection(opened)
    return opened
