"""The composition root: arguments → Settings → QApplication + qasync loop → services → window.

Heavy imports (Qt, the SDK) happen inside ``main`` so that ``--help`` and ``--version`` are
instant. Shutdown is driven by the window's close handling (clients and sessions close while the
loop still runs), then the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from vaultbrowser import APP_NAME, __version__

CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser",
        description="Browse Azure Key Vault and Azure Blob Storage.",
        epilog="With no connection given (and none saved), vaultbrowser opens demo mode on the "
        "local emulators.",
    )
    parser.add_argument("--version", action="version", version=f"vaultbrowser {__version__}")
    parser.add_argument("--vault", action="append", default=[], metavar="URL",
                        help="a Key Vault URL or name (repeatable)")
    parser.add_argument("--storage-account", action="append", default=[], metavar="URL",
                        help="a storage account URL or name, signed in with Entra ID "
                        "(repeatable)")
    parser.add_argument("--connection-string-env", metavar="NAME", nargs="?",
                        const=CONNECTION_STRING_ENV,
                        help="open the storage account whose connection string is in this "
                        f"environment variable (default {CONNECTION_STRING_ENV})")
    parser.add_argument("--demo", action="store_true",
                        help="open the local emulators with demo data (no Azure account needed)")
    parser.add_argument("--read-only", action="store_true",
                        help="open every connection read-only")
    parser.add_argument("--screenshot", metavar="PNG", type=Path,
                        help=argparse.SUPPRESS)  # development: save the demo window and quit
    return parser


def connections_from_args(args: argparse.Namespace) -> list[Any]:
    """Connections named on the command line.

    Raises:
        InvalidInput: a URL or connection string is not valid.
    """
    from vaultbrowser.errors import InvalidInput
    from vaultbrowser.services.connections import (
        AuthMethod,
        Connection,
        ServiceKind,
        normalize_blob_endpoint,
        normalize_vault_url,
        storage_connection_from_connection_string,
    )

    connections = [Connection(ServiceKind.KEY_VAULT, normalize_vault_url(url),
                              read_only=args.read_only) for url in args.vault]
    connections += [Connection(ServiceKind.BLOB, normalize_blob_endpoint(url),
                               read_only=args.read_only) for url in args.storage_account]
    if args.connection_string_env:
        value = os.environ.get(args.connection_string_env)
        if not value:
            raise InvalidInput(f"The environment variable {args.connection_string_env} is not "
                               "set or empty.")
        parsed = storage_connection_from_connection_string(value, read_only=args.read_only)
        # Remember where the secret came from, never the secret itself.
        connections.append(Connection(parsed.kind, parsed.url, AuthMethod.CONNECTION_STRING,
                                      secret_env=args.connection_string_env,
                                      read_only=args.read_only))
    return connections


async def _open_demo(window: Any, demo: Any) -> None:
    window.statusBar().showMessage("Starting the local Key Vault emulator…")
    vault = await demo.start_keyvault()
    window.add_connection(vault)
    window.statusBar().showMessage("Starting Azurite and seeding demo blobs…")
    try:
        from vaultbrowser.services.demo_setup import seed_vault_extras

        await seed_vault_extras(window.session.open_vault(vault))
    finally:
        storage = await demo.start_storage()
    if storage is not None:
        window.add_connection(storage)
        window.statusBar().showMessage("Demo mode: local emulators with demo data", 10_000)
    else:
        window.statusBar().showMessage(
            f"Blob Storage demo unavailable ({demo.storage_unavailable_reason}); "
            "showing the Key Vault demo only.")


async def _screenshot(window: Any, path: Path) -> None:
    """Expand the demo, select an item, wait for its details, save the window as PNG."""
    from PySide6.QtCore import QModelIndex

    deadline = asyncio.get_running_loop().time() + 60
    pane = window.panes[0]
    while pane.model.rowCount(QModelIndex()) == 0 or pane.model.rowCount(
            pane.model.index(0, 0)) < 5:
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    vault = pane.proxy.index(0, 0)
    pane.view.setCurrentIndex(pane.proxy.index(2, 0, vault))
    shown = asyncio.Event()
    window.details_shown.connect(lambda _details: shown.set())
    await asyncio.wait_for(shown.wait(), 20)
    await asyncio.sleep(0.5)
    window.grab().save(str(path))
    window.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    import qasync
    from PySide6.QtWidgets import QApplication

    from vaultbrowser.config import Settings
    from vaultbrowser.errors import VaultBrowserError
    from vaultbrowser.services.session import ServiceSession
    from vaultbrowser.ui.error_dialog import ErrorDialog, ErrorReporter, install_excepthook
    from vaultbrowser.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    try:
        connections = connections_from_args(args)
    except VaultBrowserError as error:
        ErrorDialog(error).exec()
        return 2

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    settings = Settings(read_only=args.read_only)
    session = ServiceSession()
    reporter = ErrorReporter()
    uninstall_hook = install_excepthook(reporter)
    demo = None
    if args.demo or args.screenshot or not connections:
        from vaultbrowser.demo import DemoEnvironment

        demo = DemoEnvironment()
    window = MainWindow(session, settings, reporter=reporter,
                        on_closed=demo.stop if demo is not None else None)
    for connection in connections:
        try:
            window.add_connection(connection)
        except VaultBrowserError as error:
            reporter.report(error)
    window.show()
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    with loop:
        loop.set_exception_handler(lambda _loop, context: reporter.report(
            context.get("exception") or RuntimeError(context.get("message", "error"))))
        if demo is not None:
            window.run_task(_open_demo(window, demo))
        if args.screenshot:
            window.run_task(_screenshot(window, args.screenshot))
        loop.run_until_complete(closed.wait())
    uninstall_hook()
    return 0
