"""The Blob Storage kind's Qt half: the Blobs tree (with its flat view), its write actions and
transfers, and how its rows are described."""

from __future__ import annotations

from typing import Any

from vaultbrowser.blob.models import details as blob_details
from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.ui.blob_actions import BlobActions
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.tree_pane import TreePane
from vaultbrowser.core.ui.window_context import WindowContext


class BlobView:
    """One tab of storage accounts; ``actions`` holds its write actions and transfers."""

    def __init__(self, window: WindowContext) -> None:
        model = BlobTreeModel(window.settings.paging)
        self.pane = TreePane(model, "Blobs", flat_toggle=True)
        assert self.pane.flat_check is not None
        self.pane.flat_check.toggled.connect(model.set_flat)
        self.panes = (("Blob Storage", self.pane),)
        self.actions = BlobActions(window, self.pane)

    def make_root(self, connection: Connection, service: Any) -> AccountRoot:
        return AccountRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return blob_details.describe(record, response)

    async def load_details(self, record: Any, root: Any) -> Details:
        return await blob_details.load_details(record, root)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """Blob rows keep what their listing said (a GET adds nothing the row shows)."""
