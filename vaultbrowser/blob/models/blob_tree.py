"""The Blob Storage tree: account → containers → virtual folders (delimiter "/") → blobs.

In flat mode a container lists every blob at any depth, with full names, instead of folders.

With "show deleted" on, a container or folder lists its live rows first, then its soft-deleted
blobs (greyed, with their deletion time): the node's listing goes on with the deleted listing
of the same prefix once the live one is complete. Deleted blobs deeper down appear under
their folder; a folder that holds only deleted blobs is added as a folder row of its own.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon

from vaultbrowser.blob.models.leaf_cells import leaf_nodes, leaf_sort_key, leaf_text
from vaultbrowser.blob.models.tier_text import tier_cell
from vaultbrowser.blob.services.listing_columns import BlobColumns
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tones import Tone, tone_brush, tone_colour
from vaultbrowser.core.models.tree_node import Node, StatusMarker
from vaultbrowser.core.services.config import PagingSettings
from vaultbrowser.core.services.records import Page

if TYPE_CHECKING:  # the SDK loads when a storage account is opened, not at start-up
    from vaultbrowser.blob.services.blob_service import BlobService


@dataclass(frozen=True, eq=False)
class AccountRoot(ConnectionRoot):
    """A connected storage account: a top-level row of the Blob tree."""

    service: BlobService


# Continuation tokens of the deleted phase of a listing (the service's own tokens never start
# with a NUL character).
_DELETED_PHASE = "\0deleted"
_DELETED_TOKEN = "\0deleted:"

COLUMN_TITLES = ("Name", "Size", "Content type", "Blob type", "Tier", "Last modified",
                 "Public access")
# Per column, how soon it steps aside in a narrow pane (public access is what matters most).
COLUMN_PRIORITY = (0, 3, 5, 6, 4, 2, 1)


@guard_model_methods
class BlobTreeModel(LazyTreeModel):
    def __init__(self, paging: PagingSettings | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._paging = paging or PagingSettings()
        self._flat = False
        self._show_deleted = False

    @property  # type: ignore[override]
    def asks_next_page_early(self) -> bool:
        """Load all asks the next page once a page's marker is read, before its blobs are
        parsed: each page is one listing call at the service's marker, except while soft-
        deleted blobs follow the live ones (tokens of their own)."""
        return not self._show_deleted

    # --- flat mode ----------------------------------------------------------------------

    @property
    def flat(self) -> bool:
        return self._flat

    def set_flat(self, flat: bool) -> None:
        """Switch containers between folder and flat listing; listed containers reload."""
        if flat == self._flat:
            return
        self._flat = flat
        for account in self.root_nodes():
            for container in list(account.children):
                if container.listing is not None and container.listing.started:
                    self.refresh(self.index_of(container))

    # --- soft-deleted blobs ------------------------------------------------------------------

    @property
    def show_deleted(self) -> bool:
        return self._show_deleted

    def set_show_deleted(self, show: bool) -> None:
        """Show soft-deleted blobs after the live rows of each listing; listed containers
        reload."""
        if show == self._show_deleted:
            return
        self._show_deleted = show
        for account in self.root_nodes():
            for container in list(account.children):
                if container.listing is not None and container.listing.started:
                    self.refresh(self.index_of(container))

    # --- rows added by writes -------------------------------------------------------------

    def insert_record(self, parent: QModelIndex, record: Any) -> QModelIndex:
        """Insert a row a write created (a new container) where a listing would put it (name
        order). Nothing happens when ``parent`` is not listed yet, or when the row belongs to a
        page not loaded yet (its listing will bring it). Returns the new row's index (or an
        invalid index)."""
        node = self.node_of(parent)
        if not parent.isValid() or not node.listed:
            return QModelIndex()
        names = [getattr(child.record, "name", "") for child in node.children]
        if record.name in names:
            return self.index(names.index(record.name), 0, parent)
        row = bisect.bisect_left(names, record.name) if names == sorted(names) else len(names)
        if row == len(names) and node.listing and node.listing.next_token is not None:
            return QModelIndex()  # a later page holds it
        self.beginInsertRows(parent, row, row)
        node.children.insert(row, Node(record=record, parent=node, lazy=self.is_lazy(record)))
        self.endInsertRows()
        self._sync_status(node)  # "(no containers)" goes
        return self.index(row, 0, parent)

    # --- LazyTreeModel hooks ------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        return COLUMN_TITLES

    def column_priority(self, column: int) -> int:
        return COLUMN_PRIORITY[column] if 0 <= column < len(COLUMN_PRIORITY) else column

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, AccountRoot | ContainerRecord | BlobPrefixRecord)

    def page_size(self, node: Node, first: bool) -> int:
        if first:
            return self._paging.first_page_blobs
        load_all = node.listing is not None and node.listing.load_all
        return self._paging.load_all_page_blobs if load_all else self._paging.next_page_blobs

    def noun(self, node: Node) -> str:
        return "containers" if isinstance(node.record, AccountRoot) else "blobs"

    def account_of(self, node: Node) -> AccountRoot:
        while not isinstance(node.record, AccountRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    def container_of(self, node: Node) -> str:
        record = node.record
        if isinstance(record, ContainerRecord):
            return record.name
        return record.container

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        service = self.account_of(node).service
        record = node.record
        if isinstance(record, AccountRoot):
            scope = record.connection.scope
            if scope:  # a container SAS cannot list the account: its one container
                return Page((ContainerRecord(service.account_url, scope),), None, None)
            return await service.list_containers(page_size=page_size, continuation=continuation)
        prefix = record.prefix if isinstance(record, BlobPrefixRecord) else ""
        container = self.container_of(node)
        if continuation is not None and continuation.startswith(_DELETED_PHASE):
            return await self._deleted_page(node, service, container, prefix, continuation,
                                            page_size)
        # compact: a page held as columns, its rows' records built when asked (leaf_cells).
        if self._flat:
            page: Page[Any] = await service.list_blobs_flat(
                container, prefix, page_size=page_size, continuation=continuation,
                compact=True)
        else:
            page = await service.list_folder(container, prefix, page_size=page_size,
                                             continuation=continuation, compact=True)
        if self._show_deleted and page.next_token is None:
            # The live rows are complete: the deleted ones of the same prefix follow.
            return Page(page.items, _DELETED_PHASE, page.response)
        return page

    async def _deleted_page(self, node: Node, service: BlobService, container: str,
                            prefix: str, continuation: str, page_size: int) -> Page[Any]:
        token = continuation[len(_DELETED_TOKEN):] if continuation.startswith(
            _DELETED_TOKEN) else None
        page = await service.deletes.list_deleted_blobs(container, prefix or None,
                                                        page_size=page_size, continuation=token)
        items: list[Any] = []
        if self._flat:
            items.extend(page.items)
        else:
            # One level: deleted blobs of this folder, and the folders of deeper ones that
            # the live listing (or an earlier deleted page) did not already show.
            folders = {child.record.prefix for child in node.children
                       if isinstance(child.record, BlobPrefixRecord)}
            for blob in page.items:
                rest = blob.name[len(prefix):]
                if "/" in rest:  # (a deleted "a/" is the blob "a/" inside the folder "a/")
                    folder = prefix + rest.split("/", 1)[0] + "/"
                    if folder not in folders:
                        folders.add(folder)
                        items.append(BlobPrefixRecord(container, folder))
                else:
                    items.append(blob)
        next_token = _DELETED_TOKEN + page.next_token if page.next_token else None
        return Page(tuple(items), next_token, page.response)

    def child_nodes(self, node: Node, items: Sequence[Any]) -> list[Node]:
        if isinstance(items, BlobColumns):
            return leaf_nodes(node, items)
        return super().child_nodes(node, items)

    def node_data(self, owner: Node | StatusMarker, column: int, role: int) -> Any:
        # A column-backed blob's text straight from its page (views ask per cell, the filter
        # per row): no record built.
        if role == Qt.ItemDataRole.DisplayRole and type(owner) is Node:
            source = owner.row_source
            if source is not None:
                return leaf_text(source[0], source[1], column, self._flat)
        return super().node_data(owner, column, role)

    def sort_key(self, node: Node, column: int) -> Any:
        # Column-backed blobs: read from the page, not cached on the node (a million dicts).
        source = node.row_source
        if source is None:
            return self.sort_value(node.record, column)
        return leaf_sort_key(source[0], source[1], column, self._flat)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, AccountRoot):
            return record.label if column == 0 else ""
        if isinstance(record, ContainerRecord):
            if column == 0:
                return record.name
            if column == 5:
                return fmt.when(record.last_modified)
            if column == 6:
                return record.public_access or "private"
            return ""
        if isinstance(record, BlobPrefixRecord):
            return fmt.visible_name(record.display_name) if column == 0 else ""
        if isinstance(record, BlobRecord):
            # Only the asked-for column: views ask per cell, many thousand times.
            if column == 0:
                name = fmt.visible_name(record.name if self._flat else record.display_name)
                return f"{name}  (deleted)" if record.deleted else name
            if column == 1:
                return fmt.size(record.size)
            if column == 2:
                return record.content_type or ""
            if column == 3:
                return record.blob_type or ""
            if column == 4:
                return tier_cell(record)  # with a pending rehydration
            if column == 5:
                if record.deleted:
                    return f"deleted {fmt.when(record.deleted_on)}".strip()
                return fmt.when(record.last_modified)
            return ""
        return ""

    def sort_value(self, record: Any, column: int) -> Any:
        # Folders sort before blobs; sizes and dates sort by value, not by text.
        folder_first = 0 if isinstance(record, BlobPrefixRecord | ContainerRecord) else 1
        if isinstance(record, BlobRecord):
            if column == 1:
                return (folder_first, record.size or 0)
            if column == 5:
                stamp = record.last_modified.timestamp() if record.last_modified else 0.0
                return (folder_first, stamp)
        text = self.display(record, column)
        return (folder_first, text.lower() if isinstance(text, str) else str(text))

    def foreground(self, record: Any) -> QBrush | None:
        if isinstance(record, ContainerRecord) and record.public_access:
            return tone_brush(Tone.WARNING)  # public containers stand out
        if isinstance(record, BlobRecord) and record.deleted:
            return tone_brush(Tone.MUTED)
        return None

    def decoration(self, record: Any, column: int) -> QIcon | None:
        """The name's icon; public access and deletion also say so in words (their columns,
        "(deleted)")."""
        if column != 0:
            return None
        if isinstance(record, AccountRoot):
            return icon(Icon.STORAGE_ACCOUNT)
        if isinstance(record, ContainerRecord):
            if record.public_access:
                return icon(Icon.PUBLIC, tone_colour(Tone.WARNING))
            return icon(Icon.CONTAINER)
        if isinstance(record, BlobPrefixRecord):
            return icon(Icon.FOLDER)
        if isinstance(record, BlobRecord):
            return icon(Icon.DELETE, tone_colour(Tone.MUTED)) if record.deleted else icon(Icon.BLOB)
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, AccountRoot):
            return record.tooltip
        if isinstance(record, ContainerRecord) and record.public_access:
            return f"Public access: {record.public_access} — anyone with the URL can read it"
        if isinstance(record, BlobRecord | BlobPrefixRecord):
            name = record.name if isinstance(record, BlobRecord) else record.prefix
            hidden = fmt.invisible_characters(name)
            if hidden:
                return f"{hidden}\n{fmt.visible_name(name)}"
        if isinstance(record, BlobRecord) and record.deleted:
            parts = [record.name, "Soft-deleted"]
            if record.deleted_on is not None:
                parts[1] += f" on {fmt.when_exact(record.deleted_on)}"
            if record.remaining_retention_days is not None:
                parts.append(f"{record.remaining_retention_days} day(s) left to undelete it")
            return "\n".join(parts)
        if isinstance(record, BlobRecord | BlobPrefixRecord):
            return record.name if isinstance(record, BlobRecord) else record.prefix
        return None
