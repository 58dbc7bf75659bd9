"""Key Vault's part of demo mode: our emulator on a thread of its own, seeded with the demo
vault (generating its keys and certificates must not stall the window), and a second one,
the drifted staging vault, for the tools across vaults."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.services.demo.certificate_imports import import_demo_certificates
from vaultbrowser.keyvault.services.demo.issuer_seed import seed_demo_issuers
from vaultbrowser.keyvault.services.demo.seed import keyvault_demo_seed
from vaultbrowser.keyvault.services.demo.staging_seed import keyvault_staging_seed
from vaultbrowser.keyvault.services.opener import open_vault


class KeyVaultDemo:
    """The demo vault: ``start()`` returns its connection, ``stop()`` stops the emulator."""

    starting = "Starting the local Key Vault emulator…"

    def __init__(self, workdir: Path, seed: bool = True) -> None:
        self._workdir = workdir
        self._seed = seed
        self._contexts: list[Any] = []
        # The staging vault (seeded only): the window's tools across vaults compare with it.
        self.more_connections: list[Connection] = []

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        connection = await self._start_vault("keyvault", "demo-vault (local emulator)",
                                             keyvault_demo_seed() if self._seed else None)
        if self._seed:
            await seed_vault_extras(connection)
            self.more_connections = [await self._start_vault(
                "keyvault-staging", "demo-vault-staging (local emulator)",
                keyvault_staging_seed())]
        return connection

    async def _start_vault(self, folder: str, name: str,
                           seed: dict[str, Any] | None) -> Connection:
        from vaultbrowser.emulators.keyvault import run_emulator_in_thread

        # Both vaults share the demo folder's TLS material (one CA to trust).
        context = run_emulator_in_thread(data_dir=self._workdir / "keyvault", seed=seed)
        emulator = await asyncio.get_running_loop().run_in_executor(None, context.__enter__)
        self._contexts.append(context)
        return Connection(KEY_VAULT, emulator.url, AuthMethod.LOCAL_EMULATOR, name=name,
                          ca_path=str(emulator.ca_path))

    async def stop(self) -> None:
        while self._contexts:
            context = self._contexts.pop()
            with contextlib.suppress(Exception):
                await asyncio.get_running_loop().run_in_executor(
                    None, context.__exit__, None, None, None)


async def seed_vault_extras(connection: Connection) -> list[str]:
    """Import the demo certificates whose dates the emulator's seed format cannot express,
    and create the demo's certificate issuers and contacts (nor can it express those).

    Setting up the demo is not a user action: it writes through a session of its own, never
    through the window's (which may be read-only). Returns the imported names (idempotent).

    Raises:
        VaultBrowserError: the vault refused an import.
    """
    setup = ServiceSession()
    try:
        service = open_vault(setup, connection)
        async with translated():
            imported = await import_demo_certificates(service.clients.certificate_client)
        await seed_demo_issuers(service)  # "Certificate issuers and contacts…" shows them
        return imported
    finally:
        await setup.aclose()
