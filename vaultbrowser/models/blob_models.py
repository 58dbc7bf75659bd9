"""The Blob Storage tree: account → containers → virtual folders (delimiter "/") → blobs.

In flat mode a container lists every blob at any depth, with full names, instead of folders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QBrush, QColor

from vaultbrowser.config import PagingSettings
from vaultbrowser.models import formatting as fmt
from vaultbrowser.models.connection_root import ConnectionRoot
from vaultbrowser.models.lazy_tree import LazyTreeModel, Node
from vaultbrowser.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord, Page

if TYPE_CHECKING:  # the SDK loads when a storage account is opened, not at start-up
    from vaultbrowser.services.blob import BlobService


@dataclass(frozen=True, eq=False)
class AccountRoot(ConnectionRoot):
    """A connected storage account: a top-level row of the Blob tree."""

    service: BlobService


COLUMN_TITLES = ("Name", "Size", "Content type", "Blob type", "Tier", "Last modified",
                 "Public access")


class BlobTreeModel(LazyTreeModel):
    def __init__(self, paging: PagingSettings | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._paging = paging or PagingSettings()
        self._flat = False

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
                if container.listed or container.task is not None:
                    self.refresh(self.index_of(container))

    # --- LazyTreeModel hooks ------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        return COLUMN_TITLES

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, AccountRoot | ContainerRecord | BlobPrefixRecord)

    def page_size(self, node: Node, first: bool) -> int:
        if first:
            return self._paging.first_page_blobs
        return self._paging.load_all_page_blobs if node.load_all else self._paging.next_page_blobs

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
            return await service.list_containers(page_size=page_size, continuation=continuation)
        prefix = record.prefix if isinstance(record, BlobPrefixRecord) else ""
        if self._flat:
            return await service.list_blobs_flat(self.container_of(node), prefix,
                                                 page_size=page_size, continuation=continuation)
        return await service.list_folder(self.container_of(node), prefix, page_size=page_size,
                                         continuation=continuation)

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
            return record.display_name if column == 0 else ""
        if isinstance(record, BlobRecord):
            # Only the asked-for column: views ask per cell, many thousand times.
            if column == 0:
                return record.name if self._flat else record.display_name
            if column == 1:
                return fmt.size(record.size)
            if column == 2:
                return record.content_type or ""
            if column == 3:
                return record.blob_type or ""
            if column == 4:
                return record.access_tier or ""
            if column == 5:
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
            return QBrush(QColor(176, 110, 0))  # public containers stand out
        if isinstance(record, BlobRecord) and record.deleted:
            return QBrush(QColor(140, 140, 140))
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, AccountRoot):
            return record.tooltip
        if isinstance(record, ContainerRecord) and record.public_access:
            return f"Public access: {record.public_access} — anyone with the URL can read it"
        if isinstance(record, BlobRecord | BlobPrefixRecord):
            return record.name if isinstance(record, BlobRecord) else record.prefix
        return None
