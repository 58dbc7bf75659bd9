"""Seeding steps of demo mode that need the SDK (so they live in services/)."""

from __future__ import annotations

from vaultbrowser.blob.services.demo_data import DemoBlobSummary, seed_azurite_demo
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.demo_data import import_demo_certificates
from vaultbrowser.keyvault.services.vault_service import KeyVaultService


async def seed_vault_extras(service: KeyVaultService) -> list[str]:
    """Import the demo certificates whose dates the emulator's seed format cannot express.

    Raises:
        VaultBrowserError: the vault refused an import.
    """
    async with translated():
        return await import_demo_certificates(service.certificate_client)


async def seed_storage(connection_string: str) -> DemoBlobSummary:
    """Create the demo containers and blobs (idempotent).

    Raises:
        VaultBrowserError: the account refused a request.
    """
    async with translated():
        return await seed_azurite_demo(connection_string)
