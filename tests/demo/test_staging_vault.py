"""The demo's second vault: ``KeyVaultDemo`` starts production and the drifted staging vault,
and the app's demo opens both (``extras``); the audit command's demo audits the first only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from azure.keyvault.secrets.aio import SecretClient

from vaultbrowser.core.services.demo import DemoEnvironment
from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN
from vaultbrowser.core.services.signin.credentials import StaticTokenCredential
from vaultbrowser.keyvault.kind import KIND as KEY_VAULT_KIND
from vaultbrowser.keyvault.services.demo.staging_seed import keyvault_staging_seed


async def _secrets(connection: Any) -> dict[str, Any]:
    async with SecretClient(connection.url, StaticTokenCredential(LOCAL_EMULATOR_TOKEN),
                            connection_verify=connection.ca_path) as client:
        names = [p.name async for p in client.list_properties_of_secrets()
                 if not p.managed and p.enabled]
        return {name: await client.get_secret(name) for name in names}


def test_staging_seed_drifts_from_production() -> None:
    seed = keyvault_staging_seed()
    names = {spec["name"] for spec in seed["secrets"]}
    assert "stripe-webhook-secret" not in names  # only in production
    assert {"feature-flags-staging", "loadtest-api-key"} <= names  # only in staging
    sizes = {spec["name"]: spec.get("key_size") for spec in seed["keys"]}
    assert sizes["data-encryption-rsa4096"] == 2048


def test_demo_starts_production_and_staging(tmp_path: Path) -> None:
    async def body() -> tuple[list[Any], list[Any], dict[str, Any], dict[str, Any]]:
        demo = DemoEnvironment((KEY_VAULT_KIND,), tmp_path / "demo")
        try:
            opened = [c async for c in demo.connections(extras=True)]
            production, staging = await asyncio.gather(_secrets(opened[0]),
                                                       _secrets(opened[1]))
        finally:
            await demo.stop()
        audit_demo = DemoEnvironment((KEY_VAULT_KIND,), tmp_path / "audit", seed=False)
        try:
            audited = [c async for c in audit_demo.connections()]
        finally:
            await audit_demo.stop()
        return opened, audited, production, staging

    opened, audited, production, staging = asyncio.run(body())
    assert [c.display_name for c in opened] == ["demo-vault (local emulator)",
                                                "demo-vault-staging (local emulator)"]
    assert len(audited) == 1
    assert opened[0].url != opened[1].url
    common = set(production) & set(staging)
    assert "redis-cache-connection" in common
    assert production["redis-cache-connection"].value != staging["redis-cache-connection"].value
    assert production["stripe-api-key"].value == staging["stripe-api-key"].value
    assert staging["stripe-api-key"].properties.tags["env"] == "staging"
