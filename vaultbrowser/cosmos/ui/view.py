"""The Cosmos DB kind's Qt half: the tree (account → databases → containers → items), an
item's JSON and a container's details in the detail pane, the query editor and the writes."""

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
from vaultbrowser.cosmos.models import details as cosmos_details
from vaultbrowser.cosmos.models.cosmos_tree import COLUMN_WIDTHS, CosmosTreeModel
from vaultbrowser.cosmos.models.loading import load_details
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, DatabaseRow, ItemRow
from vaultbrowser.cosmos.ui.columns_button import ColumnsButton
from vaultbrowser.cosmos.ui.item_actions import CosmosItemActions
from vaultbrowser.cosmos.ui.json_viewer import JsonViewer
from vaultbrowser.cosmos.ui.query_panel import QueryPanel


class CosmosView:
    """One tab of Cosmos DB accounts."""

    def __init__(self, window: WindowContext) -> None:
        self.window = window
        self.model = CosmosTreeModel()
        self.pane = TreePane(self.model, "Cosmos DB items")
        self.pane.set_column_widths(COLUMN_WIDTHS)
        self.columns_button = ColumnsButton(self.model, self.pane)
        self.pane.add_top_widget(self.columns_button)
        # The table's property columns are those of the container last selected or opened.
        self.pane.record_selected.connect(
            lambda _record, index: self.model.follow_container_of(index))
        self.panes = (("Cosmos DB", self.pane),)
        self.json_viewer = JsonViewer()
        window.detail_pane.add_value_viewer(self.json_viewer, 2)
        window.detail_pane.details_changed.connect(self._details_shown)
        self.query = QueryPanel(window, self.model, self.pane)
        self.actions = CosmosItemActions(window, self.pane, self.query)

    def _details_shown(self, details: Details) -> None:
        """An item's details: its JSON under them; any other row's: none."""
        if isinstance(details.record, ItemRow):
            self.json_viewer.show_document(details.record.document)
        else:
            self.json_viewer.clear()

    def make_root(self, connection: Connection, service: Any) -> CosmosRoot:
        return CosmosRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return cosmos_details.describe(record, response)

    async def load_details(self, record: Any, root: Any) -> Details:
        return await load_details(record, root)

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        counts = {"Databases": DatabaseRow, "Containers": ContainerRow, "Items": ItemRow}
        rows = []
        for label, kind in counts.items():
            number = sum(1 for record in records if isinstance(record, kind))
            if number:
                rows.append((f"{label} loaded", f"{number:,}"))
        return tuple(rows)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """An item's row takes the document its read returned (it may be newer)."""
        if isinstance(details.record, ItemRow) and node.parent is not None:
            model.update_record(model.index_of(node), details.record)

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        if isinstance(record, CosmosRoot):
            return record.connection.url, record.name
        return None

    async def open_address(self, address: Address) -> None:
        if address.connection is not None:
            await open_and_show(self.window, address.connection)
