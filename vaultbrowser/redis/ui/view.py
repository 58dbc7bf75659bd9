"""The Redis kind's Qt half: the Keys tree (namespaces or flat, MATCH and TYPE on the
server), a key's details with the commands that produced them, its value viewer and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vaultbrowser.core.models.details import Details, Row
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext, open_and_show
from vaultbrowser.redis.models import details as redis_details
from vaultbrowser.redis.models.key_rows import KeyRow, NamespaceRow, RedisRoot
from vaultbrowser.redis.models.key_tree import COLUMN_WIDTHS, RedisTreeModel
from vaultbrowser.redis.ui.key_actions import RedisKeyActions
from vaultbrowser.redis.ui.scan_bar import ScanBar
from vaultbrowser.redis.ui.value_viewer import RedisValueViewer


class RedisView:
    """One tab of Redis connections."""

    def __init__(self, window: WindowContext) -> None:
        self.window = window
        self.model = RedisTreeModel()
        self.pane = TreePane(self.model, "Redis keys")
        self.pane.set_column_widths(COLUMN_WIDTHS)
        self.scan_bar = ScanBar(self.model, self.pane, settings=window.preferences)
        layout = self.pane.layout()
        layout.insertWidget(1, self.scan_bar)  # type: ignore[attr-defined]
        self.panes = (("Redis", self.pane),)
        self.value_viewer = RedisValueViewer(window.run_task)
        window.detail_pane.add_value_viewer(self.value_viewer, 2)
        window.detail_pane.details_changed.connect(self._details_shown)
        self.actions = RedisKeyActions(window, self.pane, self.value_viewer)

    def _details_shown(self, details: Details) -> None:
        """A key's details are shown: its value under them (read from the server, a piece at
        a time); any other row's: no value."""
        record = details.record
        index = self.pane.selected_source_index()
        root = self.window.root_of(self.model, index) if index.isValid() else None
        selected = self.model.record_of(index) if index.isValid() else None
        if (isinstance(record, KeyRow) and isinstance(root, RedisRoot)
                and root.service.current is not None
                and isinstance(selected, KeyRow) and selected.name == record.name):
            self.value_viewer.show_key(root.service.current, record,
                                       writable=self.window.can_write(root))
            # The pane's call line speaks of HTTP: here, the commands (listed under Commands)
            self.window.detail_pane.status_line.setText(
                f"{details.note} — each one under Commands, values hidden")
        else:
            self.value_viewer.clear()

    def make_root(self, connection: Connection, service: Any) -> RedisRoot:
        return RedisRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return redis_details.describe(record, response)

    async def load_details(self, record: Any, root: Any) -> Details:
        return await redis_details.load_details(record, root)

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        keys = sum(1 for record in records if isinstance(record, KeyRow))
        spaces = sum(1 for record in records if isinstance(record, NamespaceRow))
        return (("Keys here", f"{keys:,}"), ("Namespaces", f"{spaces:,}"))

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """A key's row takes what its details told (type, TTL, length)."""
        if isinstance(details.record, KeyRow) and node.parent is not None:
            model.update_record(model.index_of(node), details.record)

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        """A connection's address (keys have none: a key name is not an address)."""
        if isinstance(record, RedisRoot):
            return record.connection.url, record.name
        return None

    async def open_address(self, address: Address) -> None:
        """Open the Redis connection an address names."""
        if address.connection is not None:
            await open_and_show(self.window, address.connection)
