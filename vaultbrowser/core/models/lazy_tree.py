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

Subclasses say only what is their own: columns, which nodes have children, how to fetch one
page of a node's children, and how to show a record.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.services.config import DEFAULT_SETTINGS
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.http.limits import ContinuationGuard, PageRequest, page_request
from vaultbrowser.core.services.records import Page, ResponseInfo
from vaultbrowser.core.services.translate import translate_error

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()  # the invisible root's index, as Qt's default argument
# Views ask for flags once per row on every relayout: combine the enums once, not per call.
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_STATUS_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_BRANCH_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_LEAF_FLAGS = _BRANCH_FLAGS | Qt.ItemFlag.ItemNeverHasChildren

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # the node's record (our frozen dataclass)
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # RowStatus of a status row, None on item rows
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # a comparable value for sorting proxies


class RowStatus(Enum):
    LOADING = auto()
    MORE = auto()
    ERROR = auto()
    EMPTY = auto()


@dataclass(eq=False)
class Node:
    """One row of the tree. The root node is invisible and holds the connections."""

    record: Any
    parent: Node | None = None
    lazy: bool = False  # has children to fetch page by page
    children: list[Node] = field(default_factory=list)
    next_token: str | None = None
    listed: bool = False  # at least one page has landed
    task: asyncio.Task[None] | None = None
    error: VaultBrowserError | None = None
    load_all: bool = False
    last_response: ResponseInfo | None = None
    pages_loaded: int = 0
    status_marker: _StatusMarker | None = None
    status_shown: bool = False  # whether the status row is currently a row of the model
    status_label: str = ""  # what the status row says; changed only with dataChanged
    sort_keys: dict[int, Any] | None = None  # column → sort key, computed once per record
    paging_guard: ContinuationGuard | None = None  # this listing's tokens and empty pages

    @property
    def has_more(self) -> bool:
        return self.lazy and (not self.listed or self.next_token is not None)

    def status(self) -> RowStatus | None:
        """What the trailing status row shows, or None when there is none."""
        if not self.lazy:
            return None
        if self.task is not None:
            return RowStatus.LOADING
        if self.error is not None:
            return RowStatus.ERROR
        if self.listed and self.next_token is not None:
            return RowStatus.MORE
        if self.listed and not self.children:
            return RowStatus.EMPTY
        return None

    def row_in_parent(self) -> int:
        assert self.parent is not None
        return self.parent.children.index(self)


@guard_model_methods
class LazyTreeModel(QAbstractItemModel):
    """Base of every tree; see the module docstring for the paging contract."""

    load_failed = Signal(object)  # VaultBrowserError of a failed page
    page_loaded = Signal(QModelIndex, int)  # parent, number of rows added
    load_all_progress = Signal(QModelIndex, int)  # parent, rows loaded so far
    load_all_finished = Signal(QModelIndex, bool)  # parent, True when the listing is complete

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = Node(record=None)
        # The last removed subtree stays referenced until the next removal (see _retire).
        self._retired: list[Node] = []
        self._running: set[asyncio.Task[None]] = set()  # every page task not yet done

    # --- subclass hooks ---------------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        raise NotImplementedError

    def is_lazy(self, record: Any) -> bool:
        """True when rows of this record have children to fetch."""
        raise NotImplementedError

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        """One page of ``node``'s children. Raise ``VaultBrowserError`` on failure."""
        raise NotImplementedError

    def page_size(self, node: Node, first: bool) -> int:
        return 25 if first else 100

    def display(self, record: Any, column: int) -> Any:
        raise NotImplementedError

    def sort_value(self, record: Any, column: int) -> Any:
        value = self.display(record, column)
        return "" if value is None else value

    def decoration(self, record: Any, column: int) -> Any:
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        return None

    def foreground(self, record: Any) -> QBrush | None:
        return None

    def noun(self, node: Node) -> str:
        """What the children of ``node`` are called, for status rows ("secrets", "blobs")."""
        return "items"

    def sort_key(self, node: Node, column: int) -> Any:
        """``sort_value`` of a node's record, cached: sorting proxies ask for it per comparison."""
        keys = node.sort_keys
        if keys is None:
            keys = node.sort_keys = {}
        key = keys.get(column)
        if key is None:
            key = keys[column] = self.sort_value(node.record, column)
        return key

    # --- tree structure -----------------------------------------------------------------------

    def node_of(self, index: AnyIndex) -> Node:
        if not index.isValid():
            return self._root
        owner = index.internalPointer()
        return owner.node if isinstance(owner, _StatusMarker) else owner

    def is_status_index(self, index: AnyIndex) -> bool:
        return index.isValid() and isinstance(index.internalPointer(), _StatusMarker)

    def record_of(self, index: AnyIndex) -> Any:
        if not index.isValid() or self.is_status_index(index):
            return None
        return index.internalPointer().record

    def index_of(self, node: Node, column: int = 0) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row_in_parent(), column, node)

    def index_for(self, owner: Node | _StatusMarker, column: int = 0) -> QModelIndex:
        """The index of the row whose internal pointer is ``owner`` (invalid once removed)."""
        if type(owner) is _StatusMarker:
            node = owner.node
            if not node.status_shown or (node is not self._root and node.parent is None):
                return QModelIndex()
            return self.createIndex(len(node.children), column, owner)
        return self.index_of(owner, column)

    def owner_at(self, node: Node, row: int) -> Node | _StatusMarker:
        """What sits at ``row`` under ``node``: a child, or (one past them) its status row."""
        children = node.children
        return children[row] if row < len(children) else self._marker(node)

    @property
    def root_node(self) -> Node:
        return self._root

    @staticmethod
    def _marker(node: Node) -> _StatusMarker:
        # A status row needs an internal pointer of its own, distinct from its node's.
        if node.status_marker is None:
            node.status_marker = _StatusMarker(node)
        return node.status_marker

    # The structural methods below run per row on every view relayout and proxy mapping:
    # they are written for few Python calls (measured: bench/, issue 5), not for elegance.

    def index(self, row: int, column: int, parent: AnyIndex = _TOP) -> QModelIndex:
        if row < 0 or column < 0 or column >= self._column_count:
            return QModelIndex()
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            node = parent.internalPointer()
            if type(node) is _StatusMarker:
                return QModelIndex()
        else:
            node = self._root
        children = node.children
        if row < len(children):
            return self.createIndex(row, column, children[row])
        if row == len(children) and node.status_shown:
            return self.createIndex(row, column, self._marker(node))
        return QModelIndex()

    def parent(self, index: AnyIndex = _TOP) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        owner = index.internalPointer()
        if isinstance(owner, _StatusMarker):
            return self.index_of(owner.node)
        return self.index_of(owner.parent) if owner.parent is not None else QModelIndex()

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        if parent.isValid() and (parent.column() != 0 or self.is_status_index(parent)):
            return 0
        node = self.node_of(parent)
        return len(node.children) + (1 if node.status_shown else 0)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        return self._column_count

    @property
    def _column_count(self) -> int:
        count = self.__dict__.get("_columns_cached")
        if count is None:
            count = self.__dict__["_columns_cached"] = len(self.column_titles())
        return count

    def hasChildren(self, parent: AnyIndex = _TOP) -> bool:
        if not parent.isValid():
            return bool(self._root.children)
        if parent.column() != 0:
            return False
        return self.node_has_children(parent.internalPointer())

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        return self.node_flags(index.internalPointer())

    def node_flags(self, owner: Node | _StatusMarker) -> Qt.ItemFlag:
        """``flags`` of the row whose internal pointer is ``owner`` (a node or a status row)."""
        if type(owner) is _StatusMarker:
            return _STATUS_FLAGS
        return _BRANCH_FLAGS if owner.lazy else _LEAF_FLAGS

    def node_has_children(self, owner: Node | _StatusMarker) -> bool:
        """``hasChildren`` of the row whose internal pointer is ``owner``."""
        if type(owner) is _StatusMarker:
            return False
        return bool(owner.children) or owner.status_shown or owner.has_more

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = self.column_titles()
            if 0 <= section < len(titles):
                return titles[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.node_data(index.internalPointer(), index.column(), role)

    def node_data(self, owner: Node | _StatusMarker, column: int, role: int) -> Any:
        """``data`` of the row whose internal pointer is ``owner`` (views that flatten the tree
        ask by owner: finding a node's row among 100,000 siblings is a linear search)."""
        if type(owner) is _StatusMarker:
            return self._status_data(owner.node, column, role)
        record = owner.record
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.display(record, column)
            return None if value is None else str(value)
        if role == RECORD_ROLE:
            return record
        if role == SORT_ROLE:
            return self.sort_value(record, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.decoration(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(record)
        return None

    def status_text(self, node: Node) -> str:
        status = node.status()
        noun = self.noun(node)
        count = len(node.children)
        if status is RowStatus.LOADING:
            if node.load_all and node.listed:
                return f"Loading all {noun}… {count:,} so far"
            return f"Loading {noun}…" if not node.listed else f"{count:,} loaded · loading more…"
        if status is RowStatus.MORE:
            return f"{count:,} loaded · more available"
        if status is RowStatus.ERROR and node.error is not None:
            return f"⚠ {node.error.title}: {node.error.message} — Retry"
        if status is RowStatus.EMPTY:
            return f"(no {noun})"
        return ""

    def _status_data(self, node: Node, column: int, role: int) -> Any:
        status = node.status()
        if role == STATUS_ROLE:
            return status
        if role == Qt.ItemDataRole.DisplayRole:
            return node.status_label if column == 0 else None
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if status is RowStatus.ERROR:
                return QBrush(QColor(190, 30, 30))
            return QBrush(QColor(110, 110, 110))
        if role == Qt.ItemDataRole.ToolTipRole:
            if status is RowStatus.ERROR and node.error is not None:
                return node.error.diagnostics_text()
            if status is RowStatus.MORE:
                return ("Scroll down or press Enter to load the next page; "
                        "'Load all' pages to the end.")
        return None

    # --- roots ------------------------------------------------------------------------------

    def root_nodes(self) -> list[Node]:
        return list(self._root.children)

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
                self._cancel_subtree(node)
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._root.children[row]
                self.endRemoveRows()
                self._retire([node])
                return True
        return False

    # --- fetching ---------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.isValid() and self.is_status_index(parent):
            return False
        node = self.node_of(parent)
        return node.has_more and node.task is None and node.error is None

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        self._start(self.node_of(parent))

    def _start(self, node: Node) -> None:
        # Only the task changes rows (its first step shows "Loading…"): fetchMore is called
        # from views' and testers' signal handlers, where inserting rows would nest changes.
        task = asyncio.ensure_future(self._run(node))
        node.task = task
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        # A task cancelled before its first step never runs its own cleanup: this does.
        task.add_done_callback(lambda done: self._task_done(node, done))

    def _task_done(self, node: Node, task: asyncio.Task[None]) -> None:
        if node.task is task:
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

    async def _run(self, node: Node) -> None:
        # The task owns its node only while node.task is this task: a refresh or a removal
        # detaches it, and then nothing it does may touch the model any more.
        me = asyncio.current_task()
        self._sync_status(node)
        ahead: asyncio.Future[Page[Any]] | None = None  # Load all: the next page, already asked
        # What the service itself sent for a page (its items before a subclass filters them).
        wire = ahead_wire = PageRequest()
        try:
            while True:
                if ahead is None:
                    with page_request() as wire:
                        page = await self.fetch_page(node, node.next_token,
                                                     self.page_size(node, not node.listed))
                else:
                    page, ahead, wire = await ahead, None, ahead_wire
                if node.task is not me:
                    return
                if node.paging_guard is None or not node.listed:  # a listing's first page
                    # A model may carry ``limits`` (LimitSettings); the defaults otherwise.
                    limits = getattr(self, "limits", None) or DEFAULT_SETTINGS.limits
                    node.paging_guard = ContinuationGuard(limits.max_empty_pages)
                # A repeated continuation or endless empty pages: LimitExceeded, an error row.
                node.paging_guard.check(len(page.items) if wire.items is None else wire.items,
                                        page.next_token)
                if node.load_all and page.next_token is not None:
                    # Ask for the next page before inserting and painting this one, so that
                    # the round trip overlaps the window's work instead of following it.
                    with page_request() as ahead_wire:  # the task keeps it (a context copy)
                        ahead = asyncio.ensure_future(
                            self.fetch_page(node, page.next_token, self.page_size(node, False)))
                self._append_page(node, page)
                if node.load_all:
                    self.load_all_progress.emit(self.index_of(node), len(node.children))
                if not (node.load_all and node.next_token is not None):
                    break
        except asyncio.CancelledError:
            if node.task is me:
                self._finish(node, error=None)
            raise
        except Exception as exc:  # every failure becomes a typed error on the node
            if node.task is not me:
                return
            error = translate_error(exc)
            self._finish(node, error=error)
            self.load_failed.emit(error)
            return
        finally:
            if ahead is not None:
                ahead.cancel()  # a page asked ahead, never used (cancel, error, load all off)
        if node.task is me:
            self._finish(node, error=None)

    def _append_page(self, node: Node, page: Page[Any]) -> None:
        parent = self.index_of(node)
        node.listed = True
        node.next_token = page.next_token
        node.last_response = page.response
        node.pages_loaded += 1
        if page.items:
            first = len(node.children)
            last = first + len(page.items) - 1  # inclusive
            self.beginInsertRows(parent, first, last)
            node.children.extend(
                Node(record=record, parent=node, lazy=self.is_lazy(record))
                for record in page.items
            )
            self.endInsertRows()
        self._sync_status(node)  # the "loading" row moved down: repaint its count
        self.page_loaded.emit(parent, len(page.items))

    def _finish(self, node: Node, error: VaultBrowserError | None) -> None:
        was_load_all = node.load_all
        node.task = None
        node.error = error
        node.load_all = False
        self._sync_status(node)
        if was_load_all:
            self.load_all_finished.emit(self.index_of(node), node.next_token is None
                                        and error is None and node.listed)

    # --- user actions -------------------------------------------------------------------------

    def retry(self, index: AnyIndex) -> None:
        """Re-arm a node whose page failed and fetch again."""
        node = self.node_of(index)
        if node.error is None:
            return
        node.error = None
        self.fetchMore(self.index_of(node))  # the task's first step turns the row to Loading

    def load_all(self, index: AnyIndex) -> None:
        """Page ``index``'s node to the end (progress: ``load_all_progress``)."""
        node = self.node_of(index)
        if not node.lazy or not node.has_more:
            return
        node.error = None
        node.load_all = True
        if node.task is None:
            self._start(node)
        else:
            self._sync_status(node)

    def cancel(self, index: AnyIndex) -> None:
        """Stop the node's page in flight (and a running Load all). Silent."""
        node = self.node_of(index)
        node.load_all = False
        if node.task is not None:
            node.task.cancel()

    def refresh(self, index: AnyIndex) -> None:
        """Forget the node's children and list it again from the first page."""
        node = self.node_of(index)
        if not node.lazy:
            return
        parent = self.index_of(node)
        rows = self.rowCount(parent)  # counted before anything changes, status row included
        if rows:
            self.beginRemoveRows(parent, 0, rows - 1)
        self._cancel_subtree(node)
        removed, node.children = node.children, []
        node.listed, node.next_token, node.error, node.pages_loaded = False, None, None, 0
        node.paging_guard = None  # listed again from the first page: every token is new
        node.status_shown = False
        if rows:
            self.endRemoveRows()
        self._retire(removed)
        self.fetchMore(parent)

    def update_record(self, index: AnyIndex, record: Any) -> None:
        """Replace one row's record after a write changed it (its children stay)."""
        node = self.node_of(index)
        if node is self._root or node.parent is None:
            return
        node.record = record
        node.sort_keys = None
        parent = self.index_of(node.parent)
        row = node.parent.children.index(node)
        self.dataChanged.emit(self.index(row, 0, parent),
                              self.index(row, self.columnCount() - 1, parent))

    def remove_record(self, index: AnyIndex) -> None:
        """Take one row (and its subtree) out after a write removed it from the service."""
        node = self.node_of(index)
        owner = node.parent
        if node is self._root or owner is None or owner is self._root:
            return  # connections are removed with remove_root
        row = owner.children.index(node)
        self.beginRemoveRows(self.index_of(owner), row, row)
        self._cancel_subtree(node)
        del owner.children[row]
        self.endRemoveRows()
        self._retire([node])

    def find_child(self, parent: AnyIndex, matches: Callable[[Any], bool]) -> QModelIndex:
        """The first loaded child of ``parent`` whose record satisfies ``matches``."""
        node = self.node_of(parent)
        for row, child in enumerate(node.children):
            if matches(child.record):
                return self.index(row, 0, self.index_of(node))
        return QModelIndex()

    def _retire(self, nodes: list[Node]) -> None:
        """Detach removed nodes, but keep them alive a while after ``endRemoveRows``.

        Their addresses are the raw internal pointers of indexes that views and proxies may
        still touch while they process the removal (a view's cached items until its delayed
        relayout); freeing the Python objects at once would leave those pointers dangling. The
        previous batch is released now: Qt finished with it long ago. (No timer here: a model
        must own no Qt timer, since tests and dialogs may drop models that Python's cyclic GC
        then destroys on another thread, leaving the GUI thread a dead timer to fire.)
        """
        for node in nodes:
            node.parent = None
        released, self._retired = self._retired, nodes
        # Break the released subtrees' cycles (parent ↔ children, node ↔ status marker), so
        # reference counting frees them at once: the window's collector freezes survivors of
        # full collections and leaves them to reference counting (ui/gc_guard.py).
        stack = released
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            node.children = []
            node.parent = None
            node.status_marker = None
            node.task = None

    def is_loading(self) -> bool:
        """Whether any page is in flight."""
        return bool(self._running)

    def _cancel_subtree(self, node: Node) -> None:
        """Cancel and detach every task below (and at) ``node``; the caller fixes the rows."""
        stack = [node]
        while stack:
            current = stack.pop()
            current.load_all = False
            if current.task is not None:
                task, current.task = current.task, None
                task.cancel()
            stack.extend(current.children)

    def cancel_all(self) -> None:
        """Cancel every page in flight (closing the window). Status rows change: reset views."""
        self.beginResetModel()
        self._cancel_subtree(self._root)
        stack = [self._root]
        while stack:
            node = stack.pop()
            node.status_shown = node.status() is not None
            node.status_label = self.status_text(node)
            stack.extend(node.children)
        self.endResetModel()

    async def wait_idle(self) -> None:
        """Wait until no page is in flight (tests, shutdown)."""
        while True:
            tasks = [t for t in self._tasks() if not t.done()]
            if not tasks:
                return
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)

    def _tasks(self) -> list[asyncio.Task[None]]:
        found, stack = [], [self._root]
        while stack:
            node = stack.pop()
            if node.task is not None:
                found.append(node.task)
            stack.extend(node.children)
        return found

    def loaded_summary(self, index: AnyIndex) -> str:
        """"250 loaded · more available" / "1,204 (complete)" for a node."""
        node = self.node_of(index)
        count = len(node.children)
        if not node.lazy:
            return ""
        if not node.listed:
            return "not loaded"
        return f"{count:,} loaded · more available" if node.next_token else f"{count:,} (complete)"


class _StatusMarker:
    """The internal pointer of a node's status row (a distinct object from the node)."""

    __slots__ = ("__weakref__", "node")

    def __init__(self, node: Node) -> None:
        self.node = node
