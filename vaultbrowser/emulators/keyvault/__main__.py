"""``python -m vaultbrowser.emulators.keyvault``: the Key Vault emulator alone, until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from vaultbrowser.emulators.keyvault.server import KeyVaultEmulator


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m vaultbrowser.emulators.keyvault",
                                     description="Local Azure Key Vault data-plane emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--seed", type=Path, default=None, help="JSON seed document")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    emulator = KeyVaultEmulator(data_dir=args.data_dir, latency_ms=args.latency_ms)
    if args.seed:
        emulator.seed_file(args.seed)
    await emulator.start(args.host, args.port)
    print(f"Vault URL: {emulator.url}", flush=True)
    print(f"CA certificate: {emulator.ca_path}", flush=True)
    print(f"Identity endpoint: {emulator.identity_endpoint}", flush=True)
    print(f"Identity header: {emulator.identity_header}", flush=True)
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
