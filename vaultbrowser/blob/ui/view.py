"""The Blob Storage kind's Qt half: the Blobs tree (with its flat view), its write actions and
transfers, and how its rows are described."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QModelIndex

from vaultbrowser.blob.models import details as blob_details
from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.ui.blob_actions import BlobActions
from vaultbrowser.blob.ui.copies.blob_copies import BlobCopies
from vaultbrowser.blob.ui.search.blob_search_tool import BlobSearchTool
from vaultbrowser.core.models.details import Details, Row
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import NotFound
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext, open_and_show


class BlobView:
    """One tab of storage accounts; ``actions`` holds its write actions and transfers."""

    def __init__(self, window: WindowContext) -> None:
        self.window = window
        model = BlobTreeModel(window.settings.paging)
        self.pane = TreePane(model, "Blobs", flat_toggle=True)
        assert self.pane.flat_check is not None
        self.pane.flat_check.toggled.connect(model.set_flat)
        self.panes = (("Blob Storage", self.pane),)
        self.actions = BlobActions(window, self.pane)
        # Copy to…, Move to…, Rename…, Statistics… (progress in the Transfers panel)
        self.copies = BlobCopies(self.actions.tools, self.actions.transfers.panel)
        self.search = BlobSearchTool(window, self.pane)  # the search dock (Ctrl+Shift+F)

    def make_root(self, connection: Connection, service: Any) -> AccountRoot:
        return AccountRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return blob_details.describe(record, response)

    async def load_details(self, record: Any, root: Any) -> Details:
        return await blob_details.load_details(record, root)

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        return blob_details.contents_rows(records)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """Blob rows keep what their listing said (a GET adds nothing the row shows)."""

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        """An account's, container's, folder's or blob's URL (never a SAS: a SAS-only
        connection's rows have none)."""
        if not isinstance(root, AccountRoot) or (root.connection.secret is not None and (
                root.connection.secret_env is None) and root.connection.auth is AuthMethod.SAS):
            return None
        base = root.connection.url.rstrip("/")
        account = base.split("://", 1)[-1]
        if isinstance(record, AccountRoot):
            scope = f"/{record.connection.scope}" if record.connection.scope else ""
            return base + scope, record.name
        if isinstance(record, ContainerRecord):
            return f"{base}/{record.name}", f"{record.name} (container in {account})"
        if isinstance(record, BlobPrefixRecord | BlobRecord) and not getattr(
                record, "deleted", False):
            name = record.prefix if isinstance(record, BlobPrefixRecord) else record.name
            return (f"{base}/{record.container}/{quote(name, safe='/')}",
                    f"{name} (in {record.container})")
        return None

    async def open_address(self, address: Address) -> None:
        """Open the account (limited to the container for a container SAS); for a container
        or blob URL, open the way to it (folders and pages on) and select it."""
        assert address.connection is not None
        connection = await open_and_show(self.window, address.connection)
        if connection is None or not address.path:
            return
        model = self.pane.model
        assert isinstance(model, BlobTreeModel)
        if model.flat:
            self.pane.flat_check.setChecked(False)  # type: ignore[union-attr]
        container_name, *blob = address.path
        account = await model.find_paging(QModelIndex(), lambda record: isinstance(
            record, AccountRoot) and record.connection.key == connection.key)
        here = await model.find_paging(account, lambda record: isinstance(
            record, ContainerRecord) and record.name == container_name)
        if not here.isValid():
            raise NotFound(f"The account has no container {container_name} (or its listing "
                           "failed: see its row).")
        if blob:
            name = blob[0]
            folders = name.split("/")[:-1]
            for depth in range(len(folders)):
                prefix = "/".join(folders[: depth + 1]) + "/"
                here = await model.find_paging(here, lambda record, p=prefix: isinstance(
                    record, BlobPrefixRecord) and record.prefix == p)
                if not here.isValid():
                    raise NotFound(f"{container_name} has no folder {prefix}.")
            if not name.endswith("/"):  # a folder's address ends with "/": it is open now
                here = await model.find_paging(here, lambda record: isinstance(
                    record, BlobRecord) and record.name == name and not record.deleted)
                if not here.isValid():
                    raise NotFound(f"{container_name} has no blob {name}.")
        self.window.reveal(self.pane, here)
