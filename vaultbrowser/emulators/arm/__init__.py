"""A local Azure Resource Manager + Resource Graph emulator (Qt-free, aiohttp, HTTPS on loopback).

The unmodified management SDK clients (sync and ``.aio``) work against it given
``base_url=emulator.base_url``, ``connection_verify=str(emulator.ca_file)`` and a credential
from :mod:`~vaultbrowser.emulators.arm.tokens` (unsigned JWTs; the token's ``tid`` decides what
is answered). Calls answered:

- SubscriptionClient: ``tenants.list``, ``subscriptions.list``, ``subscriptions.get``
- ResourceGraphClient: ``resources(QueryRequest)`` (query subset: see ``graph_query.py``)
- KeyVaultManagementClient: ``vaults.list_by_subscription``, ``list_by_resource_group``,
  ``get``, ``list``
- StorageManagementClient: ``storage_accounts.list``, ``list_by_resource_group``,
  ``get_properties``, ``list_keys``
- Microsoft.Cache/redisEnterprise (``redis_enterprise.py``) and Microsoft.DocumentDB/
  databaseAccounts (``cosmos_accounts.py``: list, get, listKeys, readonlykeys) as plain REST

Interface::

    emu = ArmEmulator(world, data_dir=None)        # world: world.World (seed.demo_world, ...)
    await emu.start(host="127.0.0.1", port=0); await emu.stop()
    emu.base_url, emu.ca_file, emu.world, emu.requests (RequestLogEntry), emu.faults
    emu.token(tenant_id=None, mfa=False, ...), emu.credential(tenant_id=None, mfa_tenants=()),
    emu.sync_credential(...)  # tokens.EmulatorArmCredential / EmulatorArmSyncCredential
    emu.faults.fail_next(path_prefix, status, code, message, times=1, retry_after=None),
    emu.faults.crash_next(path_prefix), emu.faults.latency_ms, emu.faults.clear()
    emu.unhandled_errors   # requests that raised (answered 500 in ARM's envelope)
    with run_arm_emulator_in_thread(world, data_dir=...) as emu: ...
    python -m vaultbrowser.emulators.arm [--port N] [--seed FILE | --demo-vault-uri URL
                                          --demo-blob-endpoint URL]
"""

from __future__ import annotations

from vaultbrowser.emulators.arm.faults import Faults, RequestLogEntry
from vaultbrowser.emulators.arm.seed import demo_world, generated_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import (
    EmulatorArmCredential,
    EmulatorArmSyncCredential,
    make_token,
    read_token,
)
from vaultbrowser.emulators.arm.world import World

__all__ = [
    "ArmEmulator",
    "EmulatorArmCredential",
    "EmulatorArmSyncCredential",
    "Faults",
    "RequestLogEntry",
    "World",
    "demo_world",
    "generated_world",
    "make_token",
    "read_token",
    "run_arm_emulator_in_thread",
]
