"""Azure's part of demo mode: the local Resource Manager emulator, whose demo tenants and
subscriptions hold the demo vault, storage account, Azure Managed Redis clusters and Cosmos DB
accounts (the emulators started before it)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.records import (
    COSMOS_TYPE,
    KEY_VAULT_TYPE,
    REDIS_TYPE,
    STORAGE_TYPE,
)
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

# Where a resource points when its emulator could not start (opening it then says so).
_ABSENT_VAULT = "https://127.0.0.1:9/"
_ABSENT_ACCOUNT = "http://127.0.0.1:9/devstoreaccount1/"


class AzureDemo:
    """The demo sign-in: ``start()`` returns its connection, ``stop()`` stops the emulator."""

    starting = "Starting the local Azure Resource Manager emulator…"

    def __init__(self, workdir: Path, seed: bool = True) -> None:
        self._workdir = workdir
        self._emulator: ArmEmulator | None = None

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        started = started or {}
        vault = started.get(KEY_VAULT_TYPE)
        account = started.get(STORAGE_TYPE)
        cache = started.get(REDIS_TYPE)  # no Redis demo (no redis-server): no AMR clusters
        redis = urlsplit(cache.url) if cache else None
        cosmos = started.get(COSMOS_TYPE)  # no Cosmos demo (no node): no Cosmos DB accounts
        world = demo_world(vault_uri=vault.url + "/" if vault else _ABSENT_VAULT,
                           blob_endpoint=account.url + "/" if account else _ABSENT_ACCOUNT,
                           account_key=AZURITE_ACCOUNT_KEY,
                           redis_host=redis.hostname if redis else None,
                           redis_port=(redis.port or 6379) if redis else 10000,
                           redis_tls=redis is None or redis.scheme == "rediss",
                           cosmos_endpoint=cosmos.url if cosmos else None)
        # The Key Vault emulator's TLS folder: one CA for both, so a discovered vault opens
        # with the sign-in's CA file.
        tls_dir = Path(vault.ca_path).parent if vault and vault.ca_path else (
            self._workdir / "arm")
        emulator = ArmEmulator(world, data_dir=tls_dir)
        await emulator.start()
        self._emulator = emulator
        return Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR,
                          name="Azure (demo tenants)", tenant_id=CONTOSO_TENANT_ID,
                          ca_path=self._trusted(emulator, cosmos))

    def _trusted(self, emulator: ArmEmulator, cosmos: Connection | None) -> str:
        """The sign-in's CA file, which the loopback resources it finds are opened with: the
        emulator's, and the local Cosmos DB server's when it has a CA of its own (a bundle of
        both: a few KB written once)."""
        own = emulator.ca_file
        if cosmos is None or not cosmos.ca_path or Path(cosmos.ca_path).resolve() == own:
            return str(own)
        bundle = self._workdir / "arm-and-cosmos-ca.pem"
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_text(own.read_text(encoding="ascii").rstrip("\n") + "\n"
                          + Path(cosmos.ca_path).read_text(encoding="ascii"), encoding="ascii")
        return str(bundle)

    async def stop(self) -> None:
        if self._emulator is not None:
            emulator, self._emulator = self._emulator, None
            await emulator.stop()
