"""Key Vault trees: vault → secrets / certificates / keys → versions (one model per item type).

Each model also has a "deleted" mode (``set_show_deleted``): its vault rows then list the
vault's soft-deleted items of its type (deleted on, scheduled purge, recovery level) instead of
the active ones. Deleted items have no version rows.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods, report_model_fault
from vaultbrowser.core.models.tones import Tone, tone_brush, tone_colour
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.config import PagingSettings
from vaultbrowser.core.services.records import Page
from vaultbrowser.keyvault.models.item_types import VaultItemType
from vaultbrowser.keyvault.models.row_fill import RowFiller
from vaultbrowser.keyvault.services.records import (
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
)

if TYPE_CHECKING:  # the SDK loads when a vault is opened, not at start-up
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService

@dataclass(frozen=True, eq=False)
class VaultRoot(ConnectionRoot):
    """A connected vault: the top-level row of each Key Vault tree."""

    service: KeyVaultService


# Columns no listing carries: each item's GET fills them (row_fill.py, and the selection).
_FILLED_BY_GET = {"Subject", "Type", "Size / curve"}
_SORT_BY_DATE = {"Created": "created_on", "Updated": "updated_on", "Expires": "expires_on",
                 "Deleted on": "deleted_on", "Purge scheduled": "scheduled_purge_on"}

AnyIndex = QModelIndex | QPersistentModelIndex


def item_row(record: VaultItemRecord) -> VaultItemRecord:
    """``record`` (one version, as a write returns it) as its item's row: no version, and the
    item's identifier (``…/secrets/name``), as the vault's listing shows items."""
    if record.version is None:
        return record
    item_id = record.id.rstrip("/")
    if item_id.endswith("/" + record.version):
        item_id = item_id[: -len(record.version) - 1]
    return replace(record, version=None, id=item_id)


def filled_row(row: VaultItemRecord, full: VaultItemRecord) -> VaultItemRecord:
    """``full`` (an item's GET) shown as the row ``row``: what the GET brought (subject, key
    type…) but the row's identity, so an item row stays the item (no version), not the version
    the GET returned."""
    return replace(full, version=row.version, id=row.id)


@guard_model_methods
class KeyVaultTreeModel(LazyTreeModel):
    """Vaults → items of one type (``VaultItemType``) → versions. Items list their versions only
    when expanded."""

    load_all_batch_seconds = 0.1  # Load all: rows in at most ~10 inserts a second (lazy_tree)
    asks_next_page_early = True  # each page is one listing call continuing at its own token
    # A vault's first page: "Loading…" once its request is out (lazy_tree; measured: the
    # window's first rows 12 ms sooner, its paint no longer between the TCP and TLS steps).
    connecting_status_delay = 0.012

    def __init__(self, item_type: VaultItemType, paging: PagingSettings | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.item_type = item_type
        self._paging = paging or PagingSettings()
        self._columns = item_type.columns
        self.show_deleted = False
        fill = item_type.row_fill
        # Columns the listing lacks, filled by a GET for the rows in view (``rows_in_view``).
        # An item row's parent is its vault. (No lambda here holds the model: see RowFiller.)
        self.filler = RowFiller(
            self.root_node,
            wants=lambda record: isinstance(record, VaultItemRecord) and record.version is None
            and not record.is_deleted and fill.lacks(record),
            fetch=lambda node: fill.fetch(node.parent.record.service, node.record.name),
            apply=self._apply_fill) if fill is not None else None

    def column_titles(self) -> Sequence[str]:
        return ["Name", *(title for title, _ in self._columns)]

    def column_priority(self, column: int) -> int:
        if column == 0:
            return 0
        order = self.item_type.priority
        title = self._columns[column - 1][0]
        return order.index(title) + 1 if title in order else len(order) + column

    def is_lazy(self, record: Any) -> bool:
        if isinstance(record, VaultRoot):
            return True
        # An item from the vault's listing has versions; a version row is a leaf, and so is a
        # soft-deleted item (a deleted item's versions cannot be listed).
        return (isinstance(record, VaultItemRecord) and record.version is None
                and not record.is_deleted)

    def page_size(self, node: Node, first: bool) -> int:
        return self._paging.first_page_keyvault if first else self._paging.next_page_keyvault

    def noun(self, node: Node) -> str:
        if isinstance(node.record, VaultRoot):
            return f"deleted {self.item_type.name}" if self.show_deleted else self.item_type.name
        return "versions"

    def vault_of(self, node: Node) -> VaultRoot:
        while not isinstance(node.record, VaultRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        items = self.item_type.items_of(self.vault_of(node).service)
        options = {"page_size": page_size, "continuation": continuation}
        if isinstance(node.record, VaultRoot):
            if self.show_deleted:
                return await items.list_deleted(**options)
            return await items.list(**options)
        return await items.list_versions(node.record.name, **options)

    def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            title = self._columns[section - 1][0]
            if title in _FILLED_BY_GET:
                return (f"{title}: Key Vault listings do not carry it; it is filled in the "
                        "background for the rows in view (one GET per item), and when an "
                        "item is selected.")
        return super().headerData(section, orientation, role)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, VaultRoot):
            if column == 0:
                return f"{record.label}  — deleted {self.item_type.name}" if self.show_deleted \
                    else record.label
            return ""
        if column == 0:
            return record.version if record.version else fmt.visible_name(record.name)
        return self._columns[column - 1][1](record)

    def sort_value(self, record: Any, column: int) -> Any:
        if column > 0 and not isinstance(record, VaultRoot):
            attribute = _SORT_BY_DATE.get(self._columns[column - 1][0])
            if attribute:
                value = getattr(record, attribute)
                return value.timestamp() if value else 0.0
        value = self.display(record, column)
        return (value or "").lower() if isinstance(value, str) else value

    def _state_tone(self, record: VaultItemRecord) -> Tone | None:
        if record.enabled is False or record.is_deleted:
            return Tone.MUTED
        state = fmt.expiry_state(record.expires_on)
        return Tone.ERROR if state == "expired" else Tone.WARNING if state == "soon" else None

    def foreground(self, record: Any) -> QBrush | None:
        if not isinstance(record, VaultItemRecord):
            return None
        tone = self._state_tone(record)
        return tone_brush(tone) if tone else None

    def decoration(self, record: Any, column: int) -> QIcon | None:
        """The name's icon: the item type's, or its state's (disabled, expired, expiring) in
        the state's tone; the word is in the Enabled and Expires columns."""
        if column != 0:
            return None
        if isinstance(record, VaultRoot):
            return icon(Icon.VAULT)
        if not isinstance(record, VaultItemRecord):
            return None
        if record.is_deleted:
            return icon(Icon.DELETE, tone_colour(Tone.MUTED))
        if record.enabled is False:
            return icon(Icon.DISABLED, tone_colour(Tone.MUTED))
        state = fmt.expiry_state(record.expires_on)
        if state == "expired":
            return icon(Icon.EXPIRED, tone_colour(Tone.ERROR))
        if state == "soon":
            return icon(Icon.EXPIRING, tone_colour(Tone.WARNING))
        return icon(self.item_type.icon)

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, VaultRoot):
            return record.tooltip
        if isinstance(record, VaultItemRecord) and record.is_deleted:
            purge = fmt.time_field(record, "scheduled_purge_on") or "not scheduled"
            deleted = fmt.time_field(record, "deleted_on")
            return (f"{record.recovery_id or record.id} (deleted {deleted}; "
                    f"purge scheduled {purge}; recovery level {record.recovery_level or '?'})")
        if isinstance(record, VaultItemRecord):
            notes = []
            if record.enabled is False:
                notes.append("disabled")
            state = fmt.expiry_state(record.expires_on)
            if state == "expired":
                notes.append("expired")
            elif state == "soon":
                notes.append("expires within 30 days")
            if record.managed:
                notes.append("managed by a certificate")
            notes.extend(f"{fmt.INVALID_DATE} in {field}: the service sent {problem}"
                         for field, problem in record.invalid_dates.items())
            text = fmt.visible_name(record.id) + (f" ({', '.join(notes)})" if notes else "")
            hidden = fmt.invisible_characters(record.name)
            return f"{hidden}\n{text}" if hidden else text
        return None

    def update_record(self, node: Node | AnyIndex,  # type: ignore[override]
                      record: SecretRecord | CertificateRecord | KeyRecord) -> None:
        """Replace a row's record with a fuller one (after a GET filled key type, or a write
        changed it). ``node`` is the row's node or index; a row removed meanwhile is left
        alone."""
        if not isinstance(node, Node):
            node = self.node_of(node)
        if node is self.root_node or node.parent is None:
            return
        node.record = record
        index = self.index_of(node)
        self.dataChanged.emit(index, self.index(index.row(), self.columnCount() - 1,
                                                index.parent()))

    # --- columns filled in the background ----------------------------------------------------

    def rows_in_view(self, indexes: Sequence[QModelIndex]) -> None:
        """The rows a pane shows now: those lacking columns are filled (``RowFiller``)."""
        if self.filler is None:
            return
        try:  # a view's signal calls this: nothing may escape into Qt
            self.filler.rows_in_view([self.node_of(index) for index in indexes
                                      if index.isValid() and index.model() is self
                                      and not self.is_status_index(index)])
        except Exception as error:
            report_model_fault(self, "rows_in_view", error)

    def _apply_fill(self, node: Node, full: VaultItemRecord) -> None:
        try:
            self.update_record(node, filled_row(node.record, full))
        except Exception as error:
            report_model_fault(self, "update_record", error)

    def cancel_subtree(self, node: Node) -> None:
        # Every refresh, removal, root removal and reset (the deleted view) passes here: the
        # rows' fills stop with their pages, before the rows go.
        super().cancel_subtree(node)
        if self.filler is not None:
            self.filler.cancel_under(node)

    def cancel_all(self) -> None:
        if self.filler is not None:
            self.filler.close()  # the window closes: nothing more is asked
        super().cancel_all()

    async def wait_idle(self) -> None:
        await super().wait_idle()
        if self.filler is not None:
            await self.filler.wait_idle()

    # --- the deleted view -----------------------------------------------------------------------

    def set_show_deleted(self, deleted: bool) -> None:
        """List soft-deleted items under every vault (True) or the active ones (False).

        The columns change with the mode, so this is one model reset: every vault forgets its
        rows (pages in flight are cancelled) and the vaults that had been listed list again.
        """
        if deleted == self.show_deleted:
            return
        self.beginResetModel()
        retired: list[Node] = []
        relist: list[Node] = []
        for vault in self.root_nodes():
            if vault.listing is not None and vault.listing.started:
                relist.append(vault)
            self.cancel_subtree(vault)
            retired.extend(vault.children)
            vault.children = []
            if vault.listing is not None:
                vault.listing.reset()
            vault.status_shown = False
        self.show_deleted = deleted
        self._columns = self.item_type.deleted_columns if deleted else self.item_type.columns
        self.__dict__.pop("_columns_cached", None)  # LazyTreeModel caches the column count
        self.endResetModel()
        self._retire(retired)
        for vault in relist:
            self.fetchMore(self.index_of(vault))

    # --- rows after writes ------------------------------------------------------------------------

    def vault_index(self, index: AnyIndex) -> QModelIndex:
        """The vault row above (or at) ``index``; invalid for an invalid index."""
        node = self.node_of(index)
        if node is self.root_node:
            return QModelIndex()
        while node.parent is not None and node.parent is not self.root_node:
            node = node.parent
        return self.index_of(node)

    def find_item(self, vault: AnyIndex, name: str) -> QModelIndex:
        """The loaded item row named ``name`` (Key Vault names are case-insensitive)."""
        folded = name.casefold()
        return self.find_child(vault, lambda record: isinstance(record, VaultItemRecord)
                               and record.name.casefold() == folded)

    def insert_item(self, vault: AnyIndex, record: VaultItemRecord) -> QModelIndex:
        """Show an item a write created (or recovered) under its vault, as its row.

        An existing row of that name is updated instead. Nothing is inserted when the vault
        is not listed yet (its first page will bring it) or when the name sorts after the
        loaded rows while more pages remain (that page will bring it): the tree never shows a
        row twice. Returns the row's index (invalid when not inserted).
        """
        row_record = item_row(record)
        existing = self.find_item(vault, record.name)
        if existing.isValid():
            self.update_record(existing, row_record)
            return existing
        node = self.node_of(vault)
        if node is self.root_node or not node.listed:
            return QModelIndex()
        names = [getattr(child.record, "name", "").casefold() for child in node.children]
        row = bisect.bisect(names, record.name.casefold())
        if row == len(node.children) and node.listing and node.listing.next_token is not None:
            return QModelIndex()
        parent = self.index_of(node)
        self.beginInsertRows(parent, row, row)
        node.children.insert(row, Node(record=row_record, parent=node,
                                       lazy=self.is_lazy(row_record)))
        self.endInsertRows()
        self._sync_status(node)  # "(no secrets)" goes
        return self.index(row, 0, parent)
