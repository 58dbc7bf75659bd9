"""Seeding steps of demo mode that need the SDK (so they live in services/)."""

from __future__ import annotations

from vaultbrowser.services.demo_blobs import DemoBlobSummary, seed_azurite_demo
from vaultbrowser.services.demo_data import import_demo_certificates
from vaultbrowser.services.keyvault import KeyVaultService
from vaultbrowser.services.translate import translated


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
