"""The composition root: command line → settings → services → (soon) the window.

Until the window lands, ``vaultbrowser --demo`` starts the local emulators (the Key Vault
emulator in-process, Azurite as a child process), lists what they serve through the real
service layer, and keeps them running until Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from vaultbrowser import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser",
        description="Browse Azure Key Vault and Azure Blob Storage.",
    )
    parser.add_argument("--version", action="version", version=f"vaultbrowser {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="start the local emulators with demo data (no Azure account needed)")
    return parser


async def _serve_demo() -> int:
    from vaultbrowser.emulator import KeyVaultEmulator
    from vaultbrowser.emulator.azurite import Azurite, AzuriteUnavailable
    from vaultbrowser.services.connections import AuthMethod, Connection, ServiceKind
    from vaultbrowser.services.session import ServiceSession

    workdir = Path(tempfile.mkdtemp(prefix="vaultbrowser-demo-"))
    emulator = KeyVaultEmulator(data_dir=workdir / "keyvault")
    await emulator.start()
    azurite: Azurite | None = Azurite(workdir=workdir / "azurite")
    try:
        await asyncio.get_running_loop().run_in_executor(None, azurite.start)
    except AzuriteUnavailable as exc:
        print(f"Blob Storage demo unavailable: {exc}", file=sys.stderr)
        azurite = None
    session = ServiceSession()
    try:
        print(f"Key Vault emulator: {emulator.url}  (CA certificate: {emulator.ca_path})")
        vault = session.open_vault(Connection(ServiceKind.KEY_VAULT, emulator.url,
                                              AuthMethod.LOCAL_EMULATOR,
                                              ca_path=str(emulator.ca_path)))
        page = await vault.list_secrets()
        print(f"  secrets: {len(page.items)} on the first page "
              f"(HTTP {page.response.status_line if page.response else '?'})")
        if azurite is not None:
            print(f"Azurite blob endpoint: {azurite.blob_endpoint}")
            storage = session.open_storage(Connection(ServiceKind.BLOB, azurite.blob_endpoint,
                                                      AuthMethod.LOCAL_EMULATOR))
            containers = await storage.list_containers(page_size=100)
            print(f"  containers: {len(containers.items)}")
        print("Serving; press Ctrl+C to stop.")
        await asyncio.Event().wait()
    finally:
        await session.aclose()
        if azurite is not None:
            azurite.stop()
        await emulator.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.demo:
        try:
            return asyncio.run(_serve_demo())
        except KeyboardInterrupt:
            return 0
    build_parser().print_help()
    return 0
