"""``python -m vaultbrowser.emulators.arm``: the ARM + Resource Graph emulator, until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from vaultbrowser.emulators.arm.seed import demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.world import World

# Azurite's well-known development account key (public, documented).
_AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
                "KBHBeksoGMGw==")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vaultbrowser.emulators.arm",
        description="Local Azure Resource Manager + Resource Graph emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None, help="where the TLS files go")
    parser.add_argument("--seed", type=Path, default=None,
                        help="a world as JSON (World.to_json); default: the demo world")
    parser.add_argument("--demo-vault-uri", default="https://127.0.0.1:8443/")
    parser.add_argument("--demo-blob-endpoint",
                        default="http://127.0.0.1:10000/devstoreaccount1/")
    parser.add_argument("--demo-account-key", default=_AZURITE_KEY)
    return parser.parse_args(argv)


def _world(args: argparse.Namespace) -> World:
    if args.seed:
        return World.from_json(args.seed.read_text(encoding="utf-8"))
    return demo_world(vault_uri=args.demo_vault_uri, blob_endpoint=args.demo_blob_endpoint,
                      account_key=args.demo_account_key)


async def _serve(args: argparse.Namespace) -> None:
    emulator = ArmEmulator(_world(args), data_dir=args.data_dir)
    await emulator.start(args.host, args.port)
    home = emulator.world.home_tenant_id
    print(f"ARM base URL: {emulator.base_url}", flush=True)
    print(f"CA certificate: {emulator.ca_file}", flush=True)
    for tenant in emulator.world.tenants:
        print(f"Tenant {tenant.id}  {tenant.display_name}"
              f"{'  (requires MFA)' if tenant.requires_mfa else ''}", flush=True)
    print(f"Sample token (home tenant, 1 hour): {emulator.token(home)}", flush=True)
    print("Use: SubscriptionClient(EmulatorArmCredential(home_tenant), base_url=<ARM base URL>, "
          "connection_verify=<CA certificate>)  (vaultbrowser.emulators.arm.tokens)", flush=True)
    print(f"  or: curl --cacert <CA certificate> -H 'Authorization: Bearer <token>' "
          f"'{emulator.base_url}/subscriptions?api-version=2022-12-01'", flush=True)
    print("Serving until Ctrl+C.", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse(argv)))


if __name__ == "__main__":
    main()
