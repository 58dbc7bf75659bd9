"""``LazyTreeModel``: Qt's Fetch More contract, done asynchronously, for every tree.

Contract (ARCHITECTURE.md, "Lazy paging"):
- ``hasChildren`` is cheap and honest: a container says yes before it is listed.
- ``canFetchMore(parent)`` is true while the node has an unread page and no page in flight.
- ``fetchMore(parent)`` starts one asyncio task per node, held on the node, and shows a status
  row ("Loading…") as the node's last row while it runs.
- A landed page is inserted with ``beginInsertRows(parent, first, last)``, ``last`` inclusive.
- The status row then says "N loaded · more available", or disappears when the listing is
  complete ("(empty)" when it had nothing). A failed page turns it into an error row (Retry
  re-arms the node) and emits ``load_failed(error)``; cancellation is silent.

The paging state of each lazy node is a Qt-free ``Listing`` (``listing.py``); this model turns
its changes into rows, over ``NodeTreeModel``'s indexes and rendering. Subclasses say only what
is their own: columns, which nodes have children, how to fetch one page of a node's children,
and how to show a record.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal

from vaultbrowser.core.models.listing import Listing
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.node_tree import AnyIndex, NodeTreeModel
from vaultbrowser.core.models.page_tasks import (
    PageTasks,
    cancel_page_tasks,
    pages_in_flight,
    wait_pages_idle,
)
from vaultbrowser.core.models.pages_ahead import PagesAhead
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.config import DEFAULT_SETTINGS
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.http.limits import page_request
from vaultbrowser.core.services.paging import on_next_token
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.translate import translate_error, with_connection_notes


@guard_model_methods
class LazyTreeModel(NodeTreeModel):
    """Base of every tree; see the module docstring for the paging contract."""

    load_failed = Signal(object)  # VaultBrowserError of a failed page
    page_loaded = Signal(QModelIndex, int)  # parent, number of rows added
    load_all_progress = Signal(QModelIndex, int)  # parent, rows loaded so far
    load_all_finished = Signal(QModelIndex, bool)  # parent, True when the listing is complete

    # Load all: a page landing within this many seconds of the last insert waits to go in with
    # the next ones (the last page at once). Each insert repaints the whole view: pages of 25
    # every ~25 ms (Key Vault) spent on painting the CPU the next page needed.
    load_all_batch_seconds = 0.0
    # Load all asks for the next page as soon as the fetch tells its token (``on_next_token``):
    # only for a model whose page is one service listing call continuing at its own token.
    asks_next_page_early = False
    # A connection's first page: its "Loading…" row waits this long (seconds; 0: at once).
    # That page's request opens the connection (TCP, TLS, the service's sign-in challenge),
    # steps that each need a turn of the loop; the row's first paint (5–15 ms, the view laid
    # out again) went in between them and held the request back. A moment later it is painted
    # while the service answers (and a page faster than that shows no "Loading…" at all).
    connecting_status_delay = 0.0

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        # Every page task not yet done; a subclass holds its own loading work here too.
        self.page_tasks = PageTasks()

    # --- subclass hooks ---------------------------------------------------------------------

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        """One page of ``node``'s children. Raise ``VaultBrowserError`` on failure."""
        raise NotImplementedError

    def page_size(self, node: Node, first: bool) -> int:
        return 25 if first else 100

    def reports_failure(self, node: Node, error: VaultBrowserError) -> bool:
        """Whether a failed page also raises the error dialog (``load_failed``); its error row
        shows it either way. A tree that loads rows by itself may keep expected failures (a
        subscription the account may not read) to the row."""
        return True

    def rows_in_view(self, indexes: Sequence[QModelIndex]) -> None:
        """The rows a view shows now (this model's indexes, column 0, top first), told by its
        pane after scrolling, resizing or expanding settles. A tree that completes rows in the
        background (columns its listings lack) asks for these only; by default, nothing."""

    # --- roots ------------------------------------------------------------------------------

    def add_root(self, record: Any) -> QModelIndex:
        """Append a top-level row (a connection); its children load when it is expanded."""
        row = len(self._root.children)
        self.beginInsertRows(QModelIndex(), row, row)
        self._root.children.append(Node(record=record, parent=self._root,
                                        lazy=self.is_lazy(record)))
        self.endInsertRows()
        return self.index(row, 0)

    def remove_root(self, record: Any) -> bool:
        for row, node in enumerate(self._root.children):
            if node.record is record or node.record == record:
                self.cancel_subtree(node)
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._root.children[row]
                self.endRemoveRows()
                self.cancel_subtree(node)  # a view may have asked it for a page meanwhile
                self._retire([node])
                return True
        return False

    # --- fetching ---------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.isValid() and self.is_status_index(parent):
            return False
        listing = self.node_of(parent).listing
        return listing is not None and listing.can_fetch

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._start(self.node_of(parent))

    def _detached(self, node: Node) -> bool:
        """Removed from the tree: its rows would land at the top level (its index is invalid)."""
        return node is not self._root and node.parent is None

    def _start(self, node: Node) -> None:
        # Only the task changes rows (its first step shows "Loading…"): fetchMore is called
        # from views' and testers' signal handlers, where inserting rows would nest changes.
        assert node.listing is not None
        if self._detached(node):
            return
        task = self.page_tasks.start(node.listing, self._run(node, node.listing))
        # A task cancelled before its first step never runs its own cleanup: this does.
        task.add_done_callback(lambda done: self._task_done(node, done))

    def _task_done(self, node: Node, task: asyncio.Task[None]) -> None:
        if node.listing is not None and node.listing.task is task:
            self._finish(node, error=None)

    def _sync_status(self, node: Node) -> None:
        """Insert, remove or repaint the status row so that it matches ``node.status()``."""
        if node is not self._root and node.parent is None:
            return  # removed from the tree meanwhile
        wanted = node.status() is not None
        parent = self.index_of(node)
        row = len(node.children)
        label = self.status_text(node)
        if wanted and not node.status_shown:
            self.beginInsertRows(parent, row, row)
            node.status_shown, node.status_label = True, label
            self.endInsertRows()
        elif node.status_shown and not wanted:
            self.beginRemoveRows(parent, row, row)
            node.status_shown = False
            self.endRemoveRows()
        elif wanted and label != node.status_label:
            node.status_label = label
            first = self.index(row, 0, parent)
            self.dataChanged.emit(first, self.index(row, self.columnCount() - 1, parent))

    async def _run(self, node: Node, listing: Listing) -> None:
        # The task owns its node only while listing.task is this task: a refresh or a removal
        # detaches it, and then nothing it does may touch the model any more.
        me = asyncio.current_task()
        show_later = None
        if self.connecting_status_delay and node.parent is self._root and not listing.listed:
            show_later = asyncio.get_running_loop().call_later(
                self.connecting_status_delay,
                lambda: self._sync_status(node) if listing.task is me else None)
        else:
            self._sync_status(node)
        # Load all: the next pages, asked before they are needed (at the latest before this
        # page is inserted and painted, earlier when the fetch tells the next token first).
        ahead = PagesAhead(lambda token: self.fetch_page(node, token, self.page_size(node, False)))

        def heard(token: str | None) -> bool:
            return ahead.ask_early(token, listing, listing.task is me)

        # A model may carry ``limits`` (LimitSettings); the defaults otherwise.
        limits = getattr(self, "limits", None) or DEFAULT_SETTINGS.limits
        held: list[Page[Any]] = []  # Load all: pages accepted, their rows not inserted yet
        inserted_at = -math.inf
        try:
            with on_next_token(heard) if self.asks_next_page_early else contextlib.nullcontext():
                while True:
                    token = listing.next_token
                    if token is not None and ahead.has(token):
                        page, wire = await ahead.take(token)
                    else:
                        # What the service itself sent (its items before a subclass filters).
                        with page_request() as wire:
                            page = await self.fetch_page(node, token,
                                                         self.page_size(node, not listing.listed))
                    if listing.task is not me:
                        return
                    more = listing.load_all and page.next_token is not None
                    if more:
                        ahead.ask(page.next_token)  # the round trip overlaps this page's work
                    # A repeated continuation or endless empty pages: LimitExceeded, error row.
                    listing.accept(page, wire.items, limits.max_empty_pages)
                    held.append(page)
                    now = time.monotonic()
                    if not more or now - inserted_at >= self.load_all_batch_seconds:
                        self._append_pages(node, held)
                        inserted_at = now
                    if listing.load_all:
                        self.load_all_progress.emit(self.index_of(node), len(node.children)
                                                    + sum(len(p.items) for p in held))
                    if not listing.continues:
                        break
        except asyncio.CancelledError:
            if listing.task is me:
                self._append_pages(node, held)  # accepted pages show: the listing is past them
                self._finish(node, error=None)
            raise
        except Exception as exc:  # every failure becomes a typed error on the node
            if listing.task is not me:
                return
            self._append_pages(node, held)  # the pages before the failed one show
            error = with_connection_notes(translate_error(exc),
                                          getattr(self._root_record(node), "connection", None))
            self._finish(node, error=error)
            if self.reports_failure(node, error):
                self.load_failed.emit(error)
            return
        finally:
            ahead.cancel()  # pages asked ahead, never used (cancel, error, load all off)
            if show_later is not None:
                show_later.cancel()
        if listing.task is me:
            self._append_pages(node, held)
            self._finish(node, error=None)

    def _append_pages(self, node: Node, pages: list[Page[Any]]) -> None:
        """Insert the pages the node's listing accepted (one insert), and empty ``pages``."""
        if not pages or self._detached(node):
            pages.clear()
            return
        items = [child for page in pages for child in self.child_nodes(node, page.items)]
        pages.clear()
        parent = self.index_of(node)
        if items:
            first = len(node.children)
            last = first + len(items) - 1  # inclusive
            self.beginInsertRows(parent, first, last)
            node.children.extend(items)
            self.endInsertRows()
        self._sync_status(node)  # the "loading" row moved down: repaint its count
        self.page_loaded.emit(parent, len(items))

    def child_nodes(self, node: Node, items: Sequence[Any]) -> list[Node]:
        """The rows of one landed page's ``items`` under ``node`` (a subclass may make leaves
        whose records a compact page builds on demand: ``Node.leaf``)."""
        return [Node(record=record, parent=node, lazy=self.is_lazy(record)) for record in items]

    def _finish(self, node: Node, error: VaultBrowserError | None) -> None:
        listing = node.listing
        assert listing is not None
        was_load_all = listing.finish(error)
        self._sync_status(node)
        if was_load_all:
            self.load_all_finished.emit(self.index_of(node), listing.next_token is None
                                        and error is None and listing.listed)

    # --- user actions -------------------------------------------------------------------------

    def retry(self, index: AnyIndex) -> None:
        """Re-arm a node whose page failed and fetch again."""
        node = self.node_of(index)
        if node.listing is None or node.listing.error is None:
            return
        node.listing.error = None
        self.fetchMore(self.index_of(node))  # the task's first step turns the row to Loading

    def load_all(self, index: AnyIndex) -> None:
        """Page ``index``'s node to the end (progress: ``load_all_progress``)."""
        node = self.node_of(index)
        if node.listing is None or not node.listing.has_more or self._detached(node):
            return
        if node.listing.start_load_all():
            self._start(node)
        else:
            self._sync_status(node)

    def cancel(self, index: AnyIndex) -> None:
        """Stop the node's page in flight (and a running Load all). Silent."""
        listing = self.node_of(index).listing
        if listing is None:
            return
        listing.load_all = False
        if listing.task is not None:
            listing.task.cancel()

    def refresh(self, index: AnyIndex) -> None:
        """Forget the node's children and list it again from the first page."""
        node = self.node_of(index)
        if node.listing is None or self._detached(node):
            return
        parent = self.index_of(node)
        rows = self.rowCount(parent)  # counted before anything changes, status row included
        if rows:
            self.beginRemoveRows(parent, 0, rows - 1)
        self.cancel_subtree(node)
        removed, node.children = node.children, []
        node.listing.reset()  # listed again from the first page: every token is new
        node.status_shown = False
        if rows:
            self.endRemoveRows()
        self._retire(removed)
        self.fetchMore(parent)

    def remove_record(self, index: AnyIndex) -> None:
        """Take one row (and its subtree) out after a write removed it from the service."""
        node = self.node_of(index)
        owner = node.parent
        if node is self._root or owner is None or owner is self._root:
            return  # connections are removed with remove_root
        row = owner.children.index(node)
        self.beginRemoveRows(self.index_of(owner), row, row)
        self.cancel_subtree(node)
        del owner.children[row]
        self.endRemoveRows()
        self.cancel_subtree(node)  # a view may have asked it for a page meanwhile
        self._retire([node])

    def is_loading(self) -> bool:
        """Whether any page is in flight."""
        return self.page_tasks.any_running()

    def cancel_subtree(self, node: Node) -> None:
        """Cancel and detach every page task below (and at) ``node``; the caller fixes the
        rows. Every refresh, removal and closing passes here: a subclass extends it to stop
        its own work below ``node``."""
        cancel_page_tasks(node)

    def cancel_all(self) -> None:
        """Cancel every page in flight (closing the window). Status rows change: reset views."""
        self.beginResetModel()
        self.cancel_subtree(self._root)
        stack = [self._root]
        while stack:
            node = stack.pop()
            node.status_shown = node.status() is not None
            node.status_label = self.status_text(node)
            stack.extend(node.children)
        self.endResetModel()

    def _root_record(self, node: Node) -> Any:
        while node.parent is not None and node.parent.parent is not None:
            node = node.parent
        return node.record

    async def find_paging(self, parent: AnyIndex, matches: Callable[[Any], bool]
                          ) -> QModelIndex:
        """The first child of ``parent`` whose record ``matches``, paging on until it is
        found or the listing ends (an address names an item on a later page). Invalid when
        it is not there, when a page failed (its error row says so) or the row went away."""
        held = QPersistentModelIndex(parent)
        top = not held.isValid()  # the invisible root: its rows are the connections
        while True:
            if not top and not held.isValid():
                return QModelIndex()  # the parent row was removed meanwhile
            here = self.index(held.row(), 0, held.parent()) if not top else QModelIndex()
            found = self.find_child(here, matches)
            if found.isValid():
                return found
            node = self.node_of(here)
            listing = node.listing
            if listing is None:
                return QModelIndex()
            if listing.task is None:
                if not listing.can_fetch:
                    return QModelIndex()
                self._start(node)
            if listing.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(listing.task)

    async def wait_idle(self) -> None:
        """Wait until no page is in flight (tests, shutdown)."""
        await wait_pages_idle(self._root)

    def pages_in_flight(self) -> list[asyncio.Task[None]]:
        """Every node's page task (done or not; tests)."""
        return pages_in_flight(self._root)

    def loaded_summary(self, index: AnyIndex) -> str:
        """"250 loaded · more available" / "1,204 (complete)" for a node."""
        node = self.node_of(index)
        return "" if node.listing is None else node.listing.summary(len(node.children))

