"""Key Vault trees: vault → secrets / certificates / keys → versions (one model per kind)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from vaultbrowser.config import PagingSettings
from vaultbrowser.models import formatting as fmt
from vaultbrowser.models.connection_root import ConnectionRoot
from vaultbrowser.models.lazy_tree import LazyTreeModel, Node
from vaultbrowser.services.records import (
    CertificateRecord,
    KeyRecord,
    Page,
    SecretRecord,
    VaultItemRecord,
)

if TYPE_CHECKING:  # the SDK loads when a vault is opened, not at start-up
    from vaultbrowser.services.keyvault import KeyVaultService

class VaultItemKind(StrEnum):
    SECRETS = "secrets"
    CERTIFICATES = "certificates"
    KEYS = "keys"


@dataclass(frozen=True, eq=False)
class VaultRoot(ConnectionRoot):
    """A connected vault: the top-level row of each Key Vault tree."""

    service: KeyVaultService


Column = tuple[str, Callable[[Any], Any]]

_COMMON_TAIL: list[Column] = [
    ("Created", lambda r: fmt.when(r.created_on)),
    ("Updated", lambda r: fmt.when(r.updated_on)),
    ("Expires", lambda r: fmt.when(r.expires_on)),
    ("Tags", lambda r: fmt.tags(r.tags)),
]

COLUMNS: dict[VaultItemKind, list[Column]] = {
    VaultItemKind.SECRETS: [
        ("Enabled", lambda r: fmt.yes_no(r.enabled)),
        ("Content type", lambda r: r.content_type or ""),
        *_COMMON_TAIL,
    ],
    VaultItemKind.CERTIFICATES: [
        ("Enabled", lambda r: fmt.yes_no(r.enabled)),
        ("Subject", lambda r: r.subject or ""),
        ("Expires", lambda r: fmt.when(r.expires_on)),
        ("Thumbprint (SHA-1)", lambda r: r.x509_thumbprint or ""),
        ("Created", lambda r: fmt.when(r.created_on)),
        ("Updated", lambda r: fmt.when(r.updated_on)),
        ("Tags", lambda r: fmt.tags(r.tags)),
    ],
    VaultItemKind.KEYS: [
        ("Enabled", lambda r: fmt.yes_no(r.enabled)),
        ("Type", lambda r: r.key_type or ""),
        ("Size / curve", lambda r: r.curve or (str(r.key_size) if r.key_size else "")),
        *_COMMON_TAIL,
    ],
}

_FILLED_ON_SELECTION = {"Subject", "Type", "Size / curve"}
_SORT_BY_DATE = {"Created": "created_on", "Updated": "updated_on", "Expires": "expires_on"}


class KeyVaultTreeModel(LazyTreeModel):
    """Vaults → items of one kind → versions. Items list their versions only when expanded."""

    def __init__(self, kind: VaultItemKind, paging: PagingSettings | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._paging = paging or PagingSettings()
        self._columns = COLUMNS[kind]

    def column_titles(self) -> Sequence[str]:
        return ["Name", *(title for title, _ in self._columns)]

    def is_lazy(self, record: Any) -> bool:
        if isinstance(record, VaultRoot):
            return True
        # An item from the vault's listing has versions; a version row is a leaf.
        return isinstance(record, VaultItemRecord) and record.version is None

    def page_size(self, node: Node, first: bool) -> int:
        return self._paging.first_page_keyvault if first else self._paging.next_page_keyvault

    def noun(self, node: Node) -> str:
        return self.kind.value if isinstance(node.record, VaultRoot) else "versions"

    def vault_of(self, node: Node) -> VaultRoot:
        while not isinstance(node.record, VaultRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        service = self.vault_of(node).service
        options = {"page_size": page_size, "continuation": continuation}
        if isinstance(node.record, VaultRoot):
            lister = {
                VaultItemKind.SECRETS: service.list_secrets,
                VaultItemKind.CERTIFICATES: service.list_certificates,
                VaultItemKind.KEYS: service.list_keys,
            }[self.kind]
            return await lister(**options)
        name = node.record.name
        versions = {
            VaultItemKind.SECRETS: service.list_secret_versions,
            VaultItemKind.CERTIFICATES: service.list_certificate_versions,
            VaultItemKind.KEYS: service.list_key_versions,
        }[self.kind]
        return await versions(name, **options)

    def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            title = self._columns[section - 1][0]
            if title in _FILLED_ON_SELECTION:
                return (f"{title}: Key Vault listings do not carry it; it is filled in when "
                        "an item is selected (its GET).")
        return super().headerData(section, orientation, role)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, VaultRoot):
            return record.label if column == 0 else ""
        if column == 0:
            return record.version if record.version else record.name
        return self._columns[column - 1][1](record)

    def sort_value(self, record: Any, column: int) -> Any:
        if column > 0 and not isinstance(record, VaultRoot):
            attribute = _SORT_BY_DATE.get(self._columns[column - 1][0])
            if attribute:
                value = getattr(record, attribute)
                return value.timestamp() if value else 0.0
        value = self.display(record, column)
        return (value or "").lower() if isinstance(value, str) else value

    def foreground(self, record: Any) -> QBrush | None:
        if not isinstance(record, VaultItemRecord):
            return None
        if record.enabled is False:
            return QBrush(QColor(140, 140, 140))
        state = fmt.expiry_state(record.expires_on)
        if state == "expired":
            return QBrush(QColor(190, 30, 30))
        if state == "soon":
            return QBrush(QColor(176, 110, 0))
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, VaultRoot):
            return record.tooltip
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
            return f"{record.id}" + (f" ({', '.join(notes)})" if notes else "")
        return None

    def update_record(self, node: Node, record: SecretRecord | CertificateRecord | KeyRecord
                      ) -> None:
        """Replace a row's record with a fuller one (e.g. after a GET filled key type)."""
        node.record = record
        node.sort_keys = None
        index = self.index_of(node)
        self.dataChanged.emit(index, self.index(index.row(), self.columnCount() - 1,
                                                index.parent()))
