"""``NodeTreeModel``: a Qt item model over a tree of ``Node``s — indexes, parents, row counts,
flags, data and a trailing status row per listing — written for few Python calls per row (views
ask per row on every relayout; measured in bench/, issue 5). ``LazyTreeModel`` adds the paging.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tones import Tone, tone_brush, tone_colour
from vaultbrowser.core.models.tree_node import Node, StatusMarker

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


@guard_model_methods
class NodeTreeModel(QAbstractItemModel):
    """The tree's shape and rendering; subclasses say what a record shows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = Node(record=None)
        # The last removed subtree stays referenced until the next removal (see _retire).
        self._retired: list[Node] = []

    # --- subclass hooks ---------------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        raise NotImplementedError

    def is_lazy(self, record: Any) -> bool:
        """True when rows of this record have children to fetch."""
        raise NotImplementedError

    def display(self, record: Any, column: int) -> Any:
        raise NotImplementedError

    def sort_value(self, record: Any, column: int) -> Any:
        value = self.display(record, column)
        return "" if value is None else value

    def decoration(self, record: Any, column: int) -> Any:
        return None

    def column_priority(self, column: int) -> int:
        """How much ``column`` matters when the pane is too narrow for all: 0 always shows,
        higher numbers step aside first (by default, the columns further right)."""
        return column

    def tooltip(self, record: Any, column: int) -> str | None:
        return None

    def foreground(self, record: Any) -> QBrush | None:
        return None

    def noun(self, node: Node) -> str:
        """What the children of ``node`` are called, for status rows ("secrets", "blobs")."""
        return "items"

    def sort_key(self, node: Node, column: int) -> Any:
        """``sort_value`` of a node's record, asked once per row by each sort (a model whose
        rows build their records on demand answers from its columns instead)."""
        return self.sort_value(node.record, column)

    # --- tree structure -----------------------------------------------------------------------

    def node_of(self, index: AnyIndex) -> Node:
        if not index.isValid():
            return self._root
        owner = index.internalPointer()
        return owner.node if isinstance(owner, StatusMarker) else owner

    def is_status_index(self, index: AnyIndex) -> bool:
        return index.isValid() and isinstance(index.internalPointer(), StatusMarker)

    def record_of(self, index: AnyIndex) -> Any:
        if not index.isValid() or self.is_status_index(index):
            return None
        return index.internalPointer().record

    def index_of(self, node: Node, column: int = 0) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row_in_parent(), column, node)

    def index_for(self, owner: Node | StatusMarker, column: int = 0) -> QModelIndex:
        """The index of the row whose internal pointer is ``owner`` (invalid once removed)."""
        if type(owner) is StatusMarker:
            node = owner.node
            if not node.status_shown or (node is not self._root and node.parent is None):
                return QModelIndex()
            return self.createIndex(len(node.children), column, owner)
        return self.index_of(owner, column)

    def owner_at(self, node: Node, row: int) -> Node | StatusMarker:
        """What sits at ``row`` under ``node``: a child, or (one past them) its status row."""
        children = node.children
        return children[row] if row < len(children) else self._marker(node)

    @property
    def root_node(self) -> Node:
        return self._root

    @staticmethod
    def _marker(node: Node) -> StatusMarker:
        # A status row needs an internal pointer of its own, distinct from its node's.
        if node.status_marker is None:
            node.status_marker = StatusMarker(node)
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
            if type(node) is StatusMarker:
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
        if isinstance(owner, StatusMarker):
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

    def node_flags(self, owner: Node | StatusMarker) -> Qt.ItemFlag:
        """``flags`` of the row whose internal pointer is ``owner`` (a node or a status row)."""
        if type(owner) is StatusMarker:
            return _STATUS_FLAGS
        return _BRANCH_FLAGS if owner.lazy else _LEAF_FLAGS

    def node_has_children(self, owner: Node | StatusMarker) -> bool:
        """``hasChildren`` of the row whose internal pointer is ``owner``."""
        if type(owner) is StatusMarker:
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

    def node_data(self, owner: Node | StatusMarker, column: int, role: int) -> Any:
        """``data`` of the row whose internal pointer is ``owner`` (views that flatten the tree
        ask by owner: finding a node's row among 100,000 siblings is a linear search)."""
        if type(owner) is StatusMarker:
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
        listing = node.listing
        status = node.status()
        if listing is None or status is None:
            return ""
        noun = self.noun(node)
        count = len(node.children)
        if status is RowStatus.LOADING:
            if listing.load_all and listing.listed:
                return f"Loading all {noun}… {count:,} so far"
            if not listing.listed:
                return f"Loading {noun}…"
            return f"{count:,} loaded · loading more…"
        if status is RowStatus.MORE:
            return f"{count:,} loaded · more available"
        if status is RowStatus.ERROR and listing.error is not None:
            return f"⚠ {listing.error.title}: {listing.error.message} — Retry"
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
            return tone_brush(Tone.ERROR if status is RowStatus.ERROR else Tone.MUTED)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if status is RowStatus.ERROR:
                return icon(Icon.FAILED, tone_colour(Tone.ERROR))
            if status is RowStatus.LOADING:
                return icon(Icon.LOADING, tone_colour(Tone.MUTED))
            if status is RowStatus.MORE:
                return icon(Icon.MORE, tone_colour(Tone.MUTED))
        if role == Qt.ItemDataRole.ToolTipRole:
            if status is RowStatus.ERROR and node.listing and node.listing.error is not None:
                return node.listing.error.diagnostics_text()
            if status is RowStatus.MORE:
                return ("Scroll down or press Enter to load the next page; "
                        "'Load all' pages to the end.")
        return None

    def root_nodes(self) -> list[Node]:
        return list(self._root.children)

    def update_record(self, index: AnyIndex, record: Any) -> None:
        """Replace one row's record after a write changed it (its children stay)."""
        node = self.node_of(index)
        if node is self._root or node.parent is None:
            return
        node.record = record
        parent = self.index_of(node.parent)
        row = node.parent.children.index(node)
        self.dataChanged.emit(self.index(row, 0, parent),
                              self.index(row, self.columnCount() - 1, parent))

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
            node.listing = None
