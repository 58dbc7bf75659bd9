"""The world: the demo estate, generated worlds, JSON round trips and the command line."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from vaultbrowser.emulators.arm.__main__ import _parse, _world
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    FABRIKAM_TENANT_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    generated_world,
)
from vaultbrowser.emulators.arm.tokens import make_token, read_token
from vaultbrowser.emulators.arm.world import World

from .helpers import ACCOUNT_KEY, BLOB_ENDPOINT, VAULT_URI, demo


def test_demo_world_is_deterministic_and_shaped() -> None:
    world = demo()
    assert world.to_json() == demo().to_json()
    assert world.home_tenant_id == CONTOSO_TENANT_ID
    assert [t.display_name for t in world.tenants] == ["Contoso Demo", "Fabrikam Partner"]
    fabrikam = world.tenant(FABRIKAM_TENANT_ID)
    assert fabrikam is not None and fabrikam.requires_mfa
    restricted = world.subscription(RESTRICTED_SUBSCRIPTION_ID)
    assert restricted is not None and not restricted.readable
    vault = next(v for v in world.vaults if v.name == "demo-vault")
    assert vault.vault_uri == VAULT_URI and vault.enable_purge_protection
    account = next(a for a in world.storage_accounts if a.name == "devstoreaccount1")
    assert account.keys[0] == ACCOUNT_KEY and account.blob_endpoint == BLOB_ENDPOINT
    assert world.resource_group(vault.subscription_id, "RG-PROD-SECRETS") == "rg-prod-secrets"


def test_json_round_trip() -> None:
    world = demo()
    again = World.from_json(world.to_json())
    assert again == world


def test_generated_world_is_fast_and_seeded() -> None:
    started = time.perf_counter()
    world = generated_world(3, 50, 2000, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    assert (len(world.tenants), len(world.subscriptions)) == (3, 150)
    assert len(world.vaults) + len(world.storage_accounts) == 2000
    assert len(world.vaults) == len(world.storage_accounts) == 1000
    same = generated_world(3, 50, 2000, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    assert same.subscriptions[7].id == world.subscriptions[7].id
    other = generated_world(3, 50, 20, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT, seed=1)
    assert other.tenants[0].id != world.tenants[0].id


def test_command_line_world(tmp_path: Path) -> None:
    seed = tmp_path / "world.json"
    seed.write_text(demo().to_json(), encoding="utf-8")
    assert _world(_parse(["--seed", str(seed)])) == demo()
    args = _parse(["--demo-vault-uri", VAULT_URI, "--demo-blob-endpoint", BLOB_ENDPOINT,
                   "--demo-account-key", ACCOUNT_KEY])
    assert _world(args) == demo()


def test_command_line_serves(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultbrowser.emulators.arm", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(6)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lines[0].startswith("ARM base URL: https://127.0.0.1:")
    assert lines[1].strip() == f"CA certificate: {(tmp_path / 'ca.pem').resolve()}"
    token = next(line for line in lines if line.startswith("Sample token")).split(": ", 1)[1]
    assert read_token(f"Bearer {token.strip()}").tenant_id == CONTOSO_TENANT_ID
    assert make_token(CONTOSO_TENANT_ID).count(".") == 2
