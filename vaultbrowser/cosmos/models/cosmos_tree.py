"""The Cosmos DB tree: account → databases → containers → items, each paged lazily.

Items page through their query's continuation token (``SELECT * FROM c``: a small first page,
larger ones after, Load all with cancel from the shared lazy tree). An item's row is a table of
chosen top-level properties: id and the partition key first, then the columns chosen from the
first page's common properties (``common_properties``) until the user picks others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.records import Page
from vaultbrowser.cosmos.models.item_columns import ContainerKey, ItemColumns
from vaultbrowser.cosmos.models.rows import (
    ContainerRow,
    CosmosRoot,
    DatabaseRow,
    ItemRow,
)
from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS, NEXT_PAGE_ITEMS

PROPERTY_COLUMNS = 4  # chosen properties after id and the partition key
FIXED_TITLES = ("id", "Partition key")
COLUMN_WIDTHS = (240, 140, 140, 140, 140, 140)
LOAD_ALL_PAGE_ITEMS = 1_000
CONTAINER_PAGE = 100


@guard_model_methods
class CosmosTreeModel(LazyTreeModel):
    """Every open Cosmos DB account; see the module docstring."""

    # Each page is one service listing continuing at its own token (the query's
    # continuation, told by core's fetch_page): Load all asks the next one at once.
    asks_next_page_early = True

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = ItemColumns(PROPERTY_COLUMNS)

    # --- the chosen columns (per container: ``ItemColumns``) ------------------------------

    @property
    def property_columns(self) -> tuple[str, ...]:
        """The properties shown after id and the partition key: the followed container's."""
        return self._columns.shown

    @property
    def followed_container(self) -> ContainerKey | None:
        """Whose columns the table shows: (account endpoint, database, container); None
        before any container's items."""
        return self._columns.current

    def set_property_columns(self, names: Sequence[str], *, by_user: bool = True) -> None:
        """Show these top-level properties after id and the partition key, for the followed
        container (at most ``PROPERTY_COLUMNS``; blank names, and id and the partition key's
        property, which have columns of their own, are dropped)."""
        if self._columns.choose(names, by_user=by_user):
            self._property_columns_changed()

    def follow_container_of(self, index: QModelIndex | None) -> None:
        """The table's columns become those of the container at or above ``index`` (a
        selected container or item); above containers (or None) they stay as they are."""
        valid = index is not None and index.isValid()
        node = self.container_index_of(self.node_of(index)) if valid else None
        if node is not None and self._columns.follow(self._container_key(node),
                                                     node.record.partition_key_paths):
            self._property_columns_changed()

    def _container_key(self, node: Node) -> ContainerKey:
        record = node.record
        assert isinstance(record, ContainerRow)
        return (self.root_of_node(node).connection.url, record.database, record.id)

    def _property_columns_changed(self) -> None:
        last = self.columnCount() - 1
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, last)
        # Repaint the loaded items' cells (one signal per container; no reset: rows stay open)
        stack = self.root_nodes()
        while stack:
            node = stack.pop()
            if isinstance(node.record, ContainerRow):
                if node.children:
                    parent = self.index_of(node)
                    self.dataChanged.emit(self.index(0, len(FIXED_TITLES), parent),
                                          self.index(len(node.children) - 1, last, parent))
            else:
                stack.extend(node.children)

    def _columns_from_page(self, node: Node, items: Sequence[ItemRow]) -> None:
        record = node.record
        assert isinstance(record, ContainerRow)
        if self._columns.offer(self._container_key(node), record.partition_key_paths,
                               [item.document for item in items]):
            self._property_columns_changed()

    # --- LazyTreeModel hooks ----------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        # The column count stays fixed (the flat table moves no columns); a slot no property
        # fills has no title, and a column without a title stays hidden (``ColumnFit``).
        shown = self.property_columns
        return (*FIXED_TITLES, *shown, *("",) * (PROPERTY_COLUMNS - len(shown)))

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, CosmosRoot | DatabaseRow | ContainerRow)

    def page_size(self, node: Node, first: bool) -> int:
        if not isinstance(node.record, ContainerRow):
            return CONTAINER_PAGE
        if first:
            return FIRST_PAGE_ITEMS
        load_all = node.listing is not None and node.listing.load_all
        return LOAD_ALL_PAGE_ITEMS if load_all else NEXT_PAGE_ITEMS

    def noun(self, node: Node) -> str:
        record = node.record
        if isinstance(record, CosmosRoot):
            return "databases"
        if isinstance(record, DatabaseRow):
            return "containers"
        return "items"

    def root_of_node(self, node: Node) -> CosmosRoot:
        while not isinstance(node.record, CosmosRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        service = await self.root_of_node(node).service.opened()
        record = node.record
        if isinstance(record, CosmosRoot):
            page = await service.databases(continuation)
            return Page(tuple(DatabaseRow(info) for info in page.items), page.next_token,
                        page.response)
        if isinstance(record, DatabaseRow):
            page = await service.containers(record.id, continuation)
            return Page(tuple(ContainerRow(info) for info in page.items), page.next_token,
                        page.response)
        assert isinstance(record, ContainerRow)
        container = record.record
        page = await service.items(container, None, continuation, page_size)
        items = tuple(ItemRow(container, item) for item in page.items)
        if continuation is None:
            self._columns_from_page(node, items)
        return Page(items, page.next_token, page.response)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, ItemRow):
            if column == 0:
                return record.id
            if column == 1:
                return record.partition_key_text
            position = column - len(FIXED_TITLES)
            if 0 <= position < len(self.property_columns):
                return record.property_text(self.property_columns[position])
            return ""
        if isinstance(record, ContainerRow):
            if column == 0:
                return record.id
            return ", ".join(record.partition_key_paths) if column == 1 else ""
        if isinstance(record, DatabaseRow):
            return record.id if column == 0 else ""
        if isinstance(record, CosmosRoot):
            return record.label if column == 0 else ""
        return ""

    def sort_value(self, record: Any, column: int) -> Any:
        if isinstance(record, ItemRow) and column >= len(FIXED_TITLES):
            position = column - len(FIXED_TITLES)
            if position < len(self.property_columns):
                value = record.document.get(self.property_columns[position])
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return (0, value, "")
        text = self.display(record, column)
        return (1, 0, text.lower() if isinstance(text, str) else str(text))

    def decoration(self, record: Any, column: int) -> QIcon | None:
        if column != 0:
            return None
        if isinstance(record, CosmosRoot | DatabaseRow):
            return icon(Icon.STORAGE_ACCOUNT)
        if isinstance(record, ContainerRow):
            return icon(Icon.CONTAINER)
        if isinstance(record, ItemRow):
            return icon(Icon.BLOB)
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, CosmosRoot):
            return record.tooltip
        if isinstance(record, ContainerRow):
            return (f"{record.display_name} — partition key "
                    f"{', '.join(record.partition_key_paths) or 'unknown'}")
        if isinstance(record, ItemRow):
            return self.display(record, column) or None
        return None

    def container_index_of(self, node: Node) -> Node | None:
        """The container node at or above ``node`` (None above containers)."""
        here: Node | None = node
        while here is not None and not isinstance(here.record, ContainerRow):
            here = here.parent
        return here
