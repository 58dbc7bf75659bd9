"""The three types of vault item — secrets, certificates, keys — as values the trees and the
actions are given: a name, a noun, the columns of the active and the deleted view, and which
part of a ``KeyVaultService`` lists and changes them (``items_of``), and which columns its
listing lacks and how a GET brings them (``row_fill``). Nothing here branches on a
type: a tree or an action asks its ``VaultItemType``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.icons import Icon
from vaultbrowser.core.services.records import Page, Result

if TYPE_CHECKING:
    from vaultbrowser.keyvault.services.inputs import PropertyChanges
    from vaultbrowser.keyvault.services.records import VaultItemRecord
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService

Column = tuple[str, Callable[[Any], Any]]


class VaultItems(Protocol):
    """What ``service.secrets``, ``service.certificates`` and ``service.keys`` all offer."""

    noun: str

    async def list(self, *, page_size: int = ..., continuation: str | None = None
                   ) -> Page[Any]: ...

    async def list_versions(self, name: str, *, page_size: int = ...,
                            continuation: str | None = None) -> Page[Any]: ...

    async def list_deleted(self, *, page_size: int = ..., continuation: str | None = None
                           ) -> Page[Any]: ...

    async def update_properties(self, name: str, version: str | None,
                                changes: PropertyChanges) -> Result[Any]: ...

    async def delete(self, name: str) -> Result[Any]: ...

    async def recover(self, name: str) -> Result[Any]: ...

    async def purge(self, name: str, *, typed_name: str) -> Result[None]: ...


@dataclass(frozen=True, eq=False)
class RowFill:
    """Columns a type's listing does not carry, and the one GET that brings them.

    ``lacks(record)``: the row's record is missing them; ``fetch(service, name)``: the item's
    full record (its latest version), from the same GET the detail pane makes.
    """

    lacks: Callable[[Any], bool]
    fetch: Callable[[KeyVaultService, str], Awaitable[VaultItemRecord]]


@dataclass(frozen=True, eq=False)
class VaultItemType:
    """One type of vault item (see the module docstring)."""

    name: str  # "secrets": the tree's noun
    noun: str  # "secret": one of them
    title: str  # the tab's label
    items_of: Callable[[KeyVaultService], VaultItems]
    icon: Icon
    columns: tuple[Column, ...]
    deleted_columns: tuple[Column, ...]
    # Column titles by importance: in a narrow pane the others step aside first.
    priority: tuple[str, ...] = ()
    row_fill: RowFill | None = None  # None: the listing carries every column


_ENABLED: Column = ("Enabled", lambda r: fmt.yes_no(r.enabled))
_CREATED: Column = ("Created", lambda r: fmt.time_field(r, "created_on"))
_UPDATED: Column = ("Updated", lambda r: fmt.time_field(r, "updated_on"))
_EXPIRES: Column = ("Expires", lambda r: fmt.with_expiry_word(r))
_TAGS: Column = ("Tags", lambda r: fmt.tags(r.tags))
_THUMBPRINT: Column = ("Thumbprint (SHA-1)", lambda r: r.x509_thumbprint or "")
_CONTENT_TYPE: Column = ("Content type", lambda r: r.content_type or "")
# What the vault rows list in deleted mode: when each item was deleted and will be purged.
_DELETED_HEAD: tuple[Column, ...] = (
    ("Deleted on", lambda r: fmt.time_field(r, "deleted_on")),
    ("Purge scheduled", lambda r: fmt.time_field(r, "scheduled_purge_on")),
    ("Recovery level", lambda r: r.recovery_level or ""),
)


async def _full_certificate(service: KeyVaultService, name: str) -> VaultItemRecord:
    return (await service.certificates.get(name)).value.properties  # subject from its X.509


async def _full_key(service: KeyVaultService, name: str) -> VaultItemRecord:
    return (await service.keys.get(name)).value  # type and size / curve from its JWK


SECRETS = VaultItemType(
    "secrets", "secret", "Key Vault Secrets", lambda service: service.secrets, Icon.SECRET,
    columns=(_ENABLED, _CONTENT_TYPE, _CREATED, _UPDATED, _EXPIRES, _TAGS),
    deleted_columns=(*_DELETED_HEAD, _CONTENT_TYPE, _EXPIRES, _TAGS),
    priority=("Expires", "Enabled", "Updated", "Deleted on", "Purge scheduled",
              "Content type", "Created", "Tags"),
)
CERTIFICATES = VaultItemType(
    "certificates", "certificate", "Key Vault Certificates",
    lambda service: service.certificates, Icon.CERTIFICATE,
    columns=(_ENABLED, ("Subject", lambda r: r.subject or ""), _EXPIRES, _THUMBPRINT,
             _CREATED, _UPDATED, _TAGS),
    deleted_columns=(*_DELETED_HEAD, _THUMBPRINT, _EXPIRES, _TAGS),
    priority=("Expires", "Subject", "Enabled", "Updated", "Deleted on", "Purge scheduled",
              "Thumbprint (SHA-1)", "Created", "Tags"),
    row_fill=RowFill(lambda r: r.subject is None, _full_certificate),
)
KEYS = VaultItemType(
    "keys", "key", "Key Vault Keys", lambda service: service.keys, Icon.KEY,
    columns=(_ENABLED, ("Type", lambda r: r.key_type or ""),
             ("Size / curve", lambda r: r.curve or (str(r.key_size) if r.key_size else "")),
             _CREATED, _UPDATED, _EXPIRES, _TAGS),
    deleted_columns=(*_DELETED_HEAD, _EXPIRES, _TAGS),
    priority=("Expires", "Type", "Size / curve", "Enabled", "Updated", "Deleted on",
              "Purge scheduled", "Created", "Tags"),
    row_fill=RowFill(lambda r: r.key_type is None, _full_key),
)
ITEM_TYPES = (SECRETS, CERTIFICATES, KEYS)
