"""The Redis tree: connection → keys, paged with SCAN (the cursor is the continuation).

Two shapes, like the blob folders: flat (every key by its full name) or namespaces split on a
delimiter (":" by default), where a namespace is a lazy node listing ``prefix*`` with SCAN
MATCH. A MATCH pattern and a TYPE filter go to the server (SCAN MATCH … TYPE …); below a
namespace, whose own SCAN matches its prefix, the pattern is applied to the names SCAN brings
(with Redis's glob rules: ``redis_glob``).
Type, TTL and length come later for the rows on screen (``key_cells.KeyCells``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QIcon

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods, report_model_fault
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.limits import page_request
from vaultbrowser.core.services.records import Page
from vaultbrowser.redis.models.key_cells import KeyCells
from vaultbrowser.redis.models.key_rows import KeyRow, NamespaceRow, RedisRoot
from vaultbrowser.redis.models.redis_glob import glob_matches
from vaultbrowser.redis.services.key_summaries import KeySummary
from vaultbrowser.redis.services.keys import KEY_TYPES, NamespaceGrouping
from vaultbrowser.redis.services.wire.names import prefix_pattern

COLUMN_TITLES = ("Name", "Type", "TTL", "Length")
COLUMN_PRIORITY = (0, 1, 2, 3)
COLUMN_WIDTHS = (260, 70, 80, 80)  # Type, TTL and Length fill in after the first page
FIRST_PAGE_KEYS = 100  # time to the first rows
NEXT_PAGE_KEYS = 1_000
LOAD_ALL_PAGE_KEYS = 5_000
DEFAULT_DELIMITER = b":"


def ttl_text(ttl_ms: int | None) -> str:
    """Compact, for a narrow column: "4h 12m", "37s", "2d 2h", "500ms"; "—" for a key kept
    for good."""
    if ttl_ms is None:
        return "—"
    seconds = max(ttl_ms, 0) // 1000
    if seconds < 60:
        return f"{seconds}s" if seconds else f"{ttl_ms}ms"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds}s" if seconds else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{hours // 24}d {hours % 24}h" if hours % 24 else f"{hours // 24}d"


def length_text(summary: KeySummary) -> str:
    if summary.length is None:
        return ""
    if summary.type == "string":
        return fmt.size(summary.length)
    return f"{summary.length:,}"


@guard_model_methods
class RedisTreeModel(LazyTreeModel):
    """Keys of every open Redis connection; see the module docstring."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._flat = False
        self._delimiter = DEFAULT_DELIMITER
        self._match: bytes | None = None
        self._type_filter: str | None = None
        # Each listing node's namespaces seen on its earlier pages (a new grouping per listing)
        self._groupings: weakref.WeakKeyDictionary[Node, NamespaceGrouping] = (
            weakref.WeakKeyDictionary())
        self.cells = KeyCells(self._service_of, self._update_row)

    # --- the pane's settings: shape, pattern, type -----------------------------------------

    @property
    def flat(self) -> bool:
        return self._flat

    @property
    def delimiter(self) -> bytes:
        return self._delimiter

    @property
    def match(self) -> bytes | None:
        return self._match

    @property
    def type_filter(self) -> str | None:
        return self._type_filter

    def set_flat(self, flat: bool) -> None:
        """Every key by full name, or namespaces; listed connections list again."""
        if flat != self._flat:
            self._flat = flat
            self._list_again()

    def set_delimiter(self, delimiter: bytes) -> None:
        """The namespace separator (":" by default).

        Raises:
            InvalidInput: an empty delimiter.
        """
        if not delimiter:
            raise InvalidInput("The namespace delimiter is empty.", advice="Use ':' or another "
                                                                           "separator.")
        if delimiter != self._delimiter:
            self._delimiter = delimiter
            if not self._flat:
                self._list_again()

    def set_filter(self, match: bytes | None, type_filter: str | None) -> None:
        """A SCAN MATCH pattern (None or empty: every key) and a type (None: every type);
        listed connections list again.

        Raises:
            InvalidInput: a type Redis does not have.
        """
        if type_filter is not None and type_filter not in KEY_TYPES:
            raise InvalidInput(f"{type_filter[:30]!r} is not a Redis type.")
        match = match or None
        if (match, type_filter) != (self._match, self._type_filter):
            self._match, self._type_filter = match, type_filter
            self._list_again()

    def _list_again(self) -> None:
        for root in self.root_nodes():
            if root.listing is not None and root.listing.started:
                self.refresh(self.index_of(root))

    # --- LazyTreeModel hooks -----------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        return COLUMN_TITLES

    def column_priority(self, column: int) -> int:
        return COLUMN_PRIORITY[column] if 0 <= column < len(COLUMN_PRIORITY) else column

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, RedisRoot | NamespaceRow)

    def page_size(self, node: Node, first: bool) -> int:
        if first:
            return FIRST_PAGE_KEYS
        load_all = node.listing is not None and node.listing.load_all
        return LOAD_ALL_PAGE_KEYS if load_all else NEXT_PAGE_KEYS

    def noun(self, node: Node) -> str:
        return "keys"

    def status_text(self, node: Node) -> str:
        # A SCAN page is the keys found, not the keys looked at: "scanned" says so.
        return super().status_text(node).replace(" loaded · ", " scanned · ")

    def root_of_node(self, node: Node) -> RedisRoot:
        while not isinstance(node.record, RedisRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    def _service_of(self, node: Node) -> Any:
        return self.root_of_node(node).service

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        keys = (await self._service_of(node).opened()).keys
        record = node.record
        prefix = record.prefix if isinstance(record, NamespaceRow) else b""
        if self._flat:
            page = await keys.list_keys(page_size=page_size, continuation=continuation,
                                        match=self._match, type_filter=self._type_filter)
            return Page(tuple(KeyRow(key.name) for key in page.items), page.next_token, None)
        match = prefix_pattern(prefix) if prefix else self._match
        page = await keys.list_keys(page_size=page_size, continuation=continuation,
                                    match=match, type_filter=self._type_filter)
        with page_request() as wire:  # the keys SCAN brought, before grouping
            wire.items = len(page.items)
        names = page.items
        if prefix and self._match is not None:
            names = tuple(key for key in names if glob_matches(self._match, key.name))
        grouping = self._groupings.get(node)
        if continuation is None or grouping is None or grouping.delimiter != self._delimiter:
            grouping = self._groupings[node] = NamespaceGrouping(prefix, self._delimiter)
        spaces, direct = grouping.add(names)
        items: list[Any] = [NamespaceRow(space.prefix, space.delimiter) for space in spaces]
        items += [KeyRow(key.name, len(prefix)) for key in direct]
        return Page(tuple(items), page.next_token, None)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, KeyRow):
            if column == 0:
                return record.shown if not self._flat else record.display
            summary = record.summary
            if summary is None:
                return ""
            if not summary.exists:
                return "(gone)" if column == 1 else ""
            if column == 1:
                return summary.type
            if column == 2:
                return ttl_text(summary.ttl_ms)
            if column == 3:
                return length_text(summary)
            return ""
        if isinstance(record, NamespaceRow):
            return record.shown if column == 0 else ""
        if isinstance(record, RedisRoot):
            return record.label if column == 0 else ""
        return ""

    def sort_value(self, record: Any, column: int) -> Any:
        folder_first = 0 if isinstance(record, NamespaceRow) else 1
        summary = record.summary if isinstance(record, KeyRow) else None
        if summary is not None and column == 2:
            return (folder_first, float("inf") if summary.ttl_ms is None else summary.ttl_ms)
        if summary is not None and column == 3:
            return (folder_first, summary.length or 0)
        text = self.display(record, column)
        return (folder_first, text.lower() if isinstance(text, str) else str(text))

    def decoration(self, record: Any, column: int) -> QIcon | None:
        if column != 0:
            return None
        if isinstance(record, RedisRoot):
            return icon(Icon.STORAGE_ACCOUNT)
        if isinstance(record, NamespaceRow):
            return icon(Icon.FOLDER)
        if isinstance(record, KeyRow):
            return icon(Icon.KEY)
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, RedisRoot):
            return record.tooltip
        if isinstance(record, KeyRow):
            return record.display
        if isinstance(record, NamespaceRow):
            return f"{record.display_name}  (keys matching {record.display_name}*)"
        return None

    # --- rows on screen ---------------------------------------------------------------------

    def rows_in_view(self, indexes: Sequence[QModelIndex]) -> None:
        """The key rows a pane shows now: their Type, TTL and Length are asked for."""
        try:
            self.cells.rows_in_view([self.node_of(index) for index in indexes
                                     if index.isValid() and not self.is_status_index(index)])
        except Exception as error:  # a model method never raises
            report_model_fault(self, "rows_in_view", error)

    def cancel_all(self) -> None:
        """Cancel every page and cell fill in flight (the window closes)."""
        self.cells.close()
        super().cancel_all()

    def remove_root(self, record: Any) -> bool:
        self.cells.close()  # its rows' fills; the others' rows are asked again when in view
        return super().remove_root(record)

    def _update_row(self, node: Node, row: KeyRow) -> None:
        if node.parent is not None:
            self.update_record(self.index_of(node), row)

    def find_key(self, parent: QModelIndex, name: bytes) -> QModelIndex:
        """The loaded row of key ``name`` directly under ``parent`` (invalid when not)."""
        return self.find_child(parent, lambda record: isinstance(record, KeyRow)
                               and record.name == name)
