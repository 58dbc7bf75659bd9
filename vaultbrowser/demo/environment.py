"""Demo mode: the local emulators, seeded with realistic data, as ordinary connections.

The Key Vault emulator runs in this process on a thread of its own (generating its keys and
certificates must not stall the window); Azurite runs as a child process. Nothing leaves
loopback. Qt-free: the window only receives ``Connection``s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.connections import AuthMethod, Connection, ServiceKind

log = logging.getLogger(__name__)


class DemoEnvironment:
    """Start with ``start_keyvault()`` / ``start_storage()``; stop with ``stop()``."""

    def __init__(self, workdir: Path | None = None, *, seed: bool = True) -> None:
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="vaultbrowser-demo-"))
        self.seed = seed
        self._emulator_context: Any = None
        self.emulator: Any = None
        self.azurite: Any = None
        self.storage_unavailable_reason: str | None = None

    async def start_keyvault(self) -> Connection:
        """Start the seeded Key Vault emulator; returns its connection."""
        from vaultbrowser.emulators.keyvault import run_emulator_in_thread

        seed = None
        if self.seed:
            from vaultbrowser.keyvault.services.demo_data import keyvault_demo_seed

            seed = keyvault_demo_seed()
        context = run_emulator_in_thread(data_dir=self.workdir / "keyvault", seed=seed)
        loop = asyncio.get_running_loop()
        self.emulator = await loop.run_in_executor(None, context.__enter__)
        self._emulator_context = context
        connection = Connection(ServiceKind.KEY_VAULT, self.emulator.url,
                                AuthMethod.LOCAL_EMULATOR, name="demo-vault (local emulator)",
                                ca_path=str(self.emulator.ca_path))
        if self.seed:
            # Setting up the demo is not a user action: it writes through a session of its
            # own, never through the window's (which may be read-only).
            from vaultbrowser.core.services.session import ServiceSession
            from vaultbrowser.demo.setup import seed_vault_extras

            setup = ServiceSession()
            try:
                await seed_vault_extras(setup.open_vault(connection))
            finally:
                await setup.aclose()
        return connection

    async def start_storage(self) -> Connection | None:
        """Start and seed Azurite; None (with ``storage_unavailable_reason``) without npm."""
        from vaultbrowser.emulators.azurite import Azurite, AzuriteUnavailable

        azurite = Azurite(workdir=self.workdir / "azurite")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, azurite.start)
        except AzuriteUnavailable as exc:
            self.storage_unavailable_reason = str(exc)
            log.warning("Blob Storage demo unavailable: %s", exc)
            return None
        self.azurite = azurite
        if self.seed:
            from vaultbrowser.demo.setup import seed_storage

            await seed_storage(azurite.connection_string)
        return Connection(ServiceKind.BLOB, azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                          name="devstoreaccount1 (Azurite)")

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        if self.azurite is not None:
            azurite, self.azurite = self.azurite, None
            await loop.run_in_executor(None, azurite.stop)
        if self._emulator_context is not None:
            context, self._emulator_context = self._emulator_context, None
            with contextlib.suppress(Exception):
                await loop.run_in_executor(None, context.__exit__, None, None, None)
