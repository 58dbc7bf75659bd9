"""Blob Storage's part of demo mode: Azurite as a child process, seeded with the demo
containers. Without Node.js it is unavailable, and the demo goes on without it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path

from vaultbrowser.blob.services.connections import BLOB
from vaultbrowser.blob.services.demo.seeding import seed_azurite_demo
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.kinds import DemoUnavailable
from vaultbrowser.core.services.translate import translated
from vaultbrowser.emulators.azurite import Azurite, AzuriteUnavailable

log = logging.getLogger(__name__)


class AzuriteDemo:
    """The demo account: ``start()`` returns its connection, ``stop()`` stops Azurite."""

    starting = "Starting Azurite and seeding demo blobs…"

    def __init__(self, workdir: Path, seed: bool = True) -> None:
        self._workdir = workdir
        self._seed = seed
        self._azurite: Azurite | None = None

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        azurite = Azurite(workdir=self._workdir / "azurite")
        try:
            await asyncio.get_running_loop().run_in_executor(None, azurite.start)
        except AzuriteUnavailable as exc:
            log.warning("Blob Storage demo unavailable: %s", exc)
            raise DemoUnavailable(str(exc)) from exc
        self._azurite = azurite
        if self._seed:
            async with translated():
                await seed_azurite_demo(azurite.connection_string)
        return Connection(BLOB, azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                          name="devstoreaccount1 (Azurite)")

    async def stop(self) -> None:
        if self._azurite is not None:
            azurite, self._azurite = self._azurite, None
            await asyncio.get_running_loop().run_in_executor(None, azurite.stop)
