"""The vaults a cross-vault tool works on (search, compare, copy, expiry timeline).

A tool is given ``Vault``s — a label and an open ``KeyVaultService`` each — and never opens or
closes one itself: the window's vault set (``keyvault/ui/across/vaults.py``) does, so a vault
discovery found but nobody opened is closed again when the tool is done with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window imports this before its first paint; the SDK comes later
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService


@dataclass(frozen=True, eq=False)
class Vault:
    """One vault: what to call it (the connection's name), its service, and whether its
    connection is read-only (writes to it are refused in the transport anyway; tools use
    this to say so before they try)."""

    label: str
    service: KeyVaultService
    read_only: bool = False
    discovered: bool = False  # found by an Azure sign-in, not opened in the Key Vault tabs

    @property
    def url(self) -> str:
        return self.service.vault_url
