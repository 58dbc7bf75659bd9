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
import time
from pathlib import Path
from typing import Any

from vaultbrowser import APP_ID, APP_NAME, __version__

CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser",
        description="Browse Azure Key Vault and Azure Blob Storage.",
        epilog="With no connection given (and none saved), vaultbrowser opens demo mode on the "
        "local emulators. `vaultbrowser audit --help` writes audit reports without a window.",
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
    parser.add_argument("--persistent-token-cache", action="store_true",
                        help="keep Entra ID tokens in azure-identity's encrypted token cache "
                        "between runs (off by default: tokens stay in memory)")
    parser.add_argument("--smoke-test", metavar="RESULT_JSON", type=Path,
                        help="open the demo, wait for the first rows of each tree, write a JSON "
                        "result file and exit (0 when both trees listed; installers' checks)")
    parser.add_argument("--screenshot", metavar="PNG", type=Path,
                        help=argparse.SUPPRESS)  # development: save the demo window and quit
    return parser


def connections_from_args(args: argparse.Namespace) -> list[Any]:
    """Connections named on the command line.

    Raises:
        InvalidInput: a URL or connection string is not valid.
    """
    from vaultbrowser.core.services.connections import (
        AuthMethod,
        Connection,
        ServiceKind,
        normalize_blob_endpoint,
        normalize_vault_url,
        storage_connection_from_connection_string,
    )
    from vaultbrowser.core.services.errors import InvalidInput

    # --read-only belongs to this run (the session), not to the connections: they are saved.
    connections = [Connection(ServiceKind.KEY_VAULT, normalize_vault_url(url))
                   for url in args.vault]
    connections += [Connection(ServiceKind.BLOB, normalize_blob_endpoint(url))
                    for url in args.storage_account]
    if args.connection_string_env:
        value = os.environ.get(args.connection_string_env)
        if not value:
            raise InvalidInput(f"The environment variable {args.connection_string_env} is not "
                               "set or empty.")
        parsed = storage_connection_from_connection_string(value)
        # Remember where the secret came from, never the secret itself.
        connections.append(Connection(parsed.kind, parsed.url, AuthMethod.CONNECTION_STRING,
                                      secret_env=args.connection_string_env))
    return connections


async def _open_connections(window: Any, connections: list[Any]) -> None:
    # After the first paint: each waits for its SDK to be imported off the loop's thread.
    for connection in connections:
        await window.open_connection(connection)


async def _open_demo(window: Any, demo: Any) -> None:
    window.statusBar().showMessage("Starting the local Key Vault emulator…")
    vault = await demo.start_keyvault()
    await window.open_connection(vault)
    window.statusBar().showMessage("Starting Azurite and seeding demo blobs…")
    storage = await demo.start_storage()
    if storage is not None:
        await window.open_connection(storage)
        window.statusBar().showMessage("Demo mode: local emulators with demo data", 10_000)
    else:
        window.statusBar().showMessage(
            f"Blob Storage demo unavailable ({demo.storage_unavailable_reason}); "
            "showing the Key Vault demo only.")


async def _wait_until(condition: Any, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _select_and_wait(window: Any, pane: Any, source: Any) -> None:
    shown = asyncio.Event()
    window.details_shown.connect(lambda _details: shown.set())
    pane.view.setCurrentIndex(pane.proxy.mapFromSource(source))
    await asyncio.wait_for(shown.wait(), 20)
    await asyncio.sleep(0.3)  # let the view repaint


async def _screenshot(window: Any, demo: Any, path: Path) -> None:
    """Save the demo window as ``path`` (secrets) and ``<stem>-blobs.png``, then quit."""
    from PySide6.QtCore import QModelIndex

    secrets = window.secrets_model
    await _wait_until(lambda: secrets.rowCount(QModelIndex()) > 0
                      and secrets.rowCount(secrets.index(0, 0)) > 5, 60)
    await _wait_until(lambda: window.blob_model.rowCount(QModelIndex()) > 0
                      or demo.storage_unavailable_reason is not None, 90)
    pane = window.panes[0]
    await _select_and_wait(window, pane, secrets.index(2, 0, secrets.index(0, 0)))
    window.grab().save(str(path))

    blobs = window.blob_model
    if blobs.rowCount(QModelIndex()):
        window.tabs.setCurrentIndex(3)
        pane = window.panes[3]
        account = blobs.index(0, 0)
        await _wait_until(lambda: blobs.rowCount(account) > 1, 30)
        names = [blobs.index(row, 0, account).data() for row in range(blobs.rowCount(account))]
        container = blobs.index(names.index("website-assets"), 0, account)
        pane.view.expand(pane.proxy.mapFromSource(container))
        await _wait_until(lambda: blobs.rowCount(container) > 2, 30)
        folder = blobs.index(0, 0, container)
        pane.view.expand(pane.proxy.mapFromSource(folder))
        await _wait_until(lambda: blobs.rowCount(folder) > 1, 30)
        await _select_and_wait(window, pane, blobs.index(1, 0, folder))
        window.grab().save(str(path.with_name(path.stem + "-blobs.png")))
    window.close()


async def _smoke_test(window: Any, demo: Any, path: Path, started: float,
                      painted: Any, outcome: list[int]) -> None:
    """Wait for the demo's first secret and blob rows, write ``path`` (JSON, atomically: a
    temporary file renamed), close the window; ``outcome`` gets the exit code.

    ``painted`` is the window's FirstPaintWatch: ``first_paint_epoch`` lets a caller that noted
    its launch time measure cold start from outside (a frozen app's loader included)."""
    import json
    import platform

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QModelIndex

    secrets, blobs = window.secrets_model, window.blob_model
    secrets_ok = await _wait_until(lambda: secrets.rowCount(QModelIndex()) > 0
                                   and secrets.rowCount(secrets.index(0, 0)) > 5, 90)
    secrets_at = time.perf_counter() - started
    window.tabs.setCurrentIndex(3)  # a tree lists when shown, as a user would open it
    # Without Node.js and Azurite the demo has no storage: fail at once, saying why.
    blobs_ok = await _wait_until(lambda: (blobs.rowCount(QModelIndex()) > 0
                                          and blobs.rowCount(blobs.index(0, 0)) > 1)
                                 or demo.storage_unavailable_reason is not None, 120)
    blobs_ok = blobs_ok and demo.storage_unavailable_reason is None
    result = {
        "ok": secrets_ok and blobs_ok,
        "version": __version__,
        "secret_rows": secrets.rowCount(secrets.index(0, 0)) if secrets_ok else 0,
        "containers": blobs.rowCount(blobs.index(0, 0)) if blobs_ok else 0,
        "storage_unavailable": getattr(demo, "storage_unavailable_reason", None),
        "first_paint_seconds": round(painted.at - started, 3) if painted.at else None,
        "first_paint_epoch": painted.epoch,
        "first_secret_rows_seconds": round(secrets_at, 3),
        "python": platform.python_version(),
        "pyside6": pyside_version,
        "platform": platform.platform(),
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(result, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    outcome.append(0 if result["ok"] else 1)
    window.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    from vaultbrowser.core.services.hardening import disable_core_dumps
    from vaultbrowser.core.services.redaction import install_log_redaction

    disable_core_dumps()  # this process will hold secret values: none may reach a core file
    install_log_redaction()  # whoever logs (SDK, aiohttp, the loop), credentials are redacted
    if argv[:1] == ["audit"]:
        # Reports need no window: `vaultbrowser audit …` never imports Qt.
        from vaultbrowser.audit.cli import main as audit_main

        return audit_main(argv[1:])
    args = build_parser().parse_args(argv)

    import qasync
    from PySide6.QtWidgets import QApplication

    from vaultbrowser.core.services.config import Settings
    from vaultbrowser.core.services.errors import VaultBrowserError
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.core.ui.error_dialog import ErrorDialog, ErrorReporter, install_excepthook
    from vaultbrowser.core.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # Wayland's app id: the desktop entry's icon and name
    from vaultbrowser.core.ui.app_icon import application_icon

    app.setWindowIcon(application_icon())
    # The window hides at once on close but shuts down asynchronously (clients, sessions,
    # emulators): the loop ends on its `closed` signal, not when the last window disappears.
    app.setQuitOnLastWindowClosed(False)
    try:
        connections = connections_from_args(args)
    except VaultBrowserError as error:
        ErrorDialog(error).exec()
        return 2

    from vaultbrowser.core.ui.gc_guard import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from vaultbrowser.audit.trail import AuditTrail

    settings = Settings()
    session = ServiceSession(read_only=args.read_only, limits=settings.limits,
                             persistent_token_cache=args.persistent_token_cache)
    trail = AuditTrail()  # every data-plane request of every session, appended
    session.journal.add_listener(trail.record_exchange)
    reporter = ErrorReporter()
    uninstall_hook = install_excepthook(reporter)
    demo = None
    store = None
    if args.demo or args.screenshot or args.smoke_test:
        connections = []
    else:
        from vaultbrowser.core.ui.connection_store import ConnectionStore

        store = ConnectionStore(on_invalid=reporter.report)
        # Connections named on the command line are remembered too (never their secrets).
        for connection in connections:
            store.add(connection)
        saved = store.load()
        named = {c.key for c in connections}
        connections += [c for c in saved if c.key not in named]
    if not connections:
        from vaultbrowser.demo.environment import DemoEnvironment

        demo = DemoEnvironment()
    window = MainWindow(session, settings, reporter=reporter,
                        on_closed=demo.stop if demo is not None else None,
                        connection_store=store, trail=trail)
    collector.set_busy_check(lambda: any(pane.model.is_loading() for pane in window.panes))
    from vaultbrowser.core.ui.first_paint import FirstPaintWatch

    painted = FirstPaintWatch(window)  # a child of the window: lives as long as it
    window.show()
    collector.freeze_startup_heap()
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    with loop:
        loop.set_exception_handler(lambda _loop, context: reporter.report(
            context.get("exception") or RuntimeError(context.get("message", "error"))))
        from vaultbrowser.core.services.sdk_imports import import_sdk

        window.run_task(import_sdk())  # in a worker thread, while the user looks around
        window.run_task(_open_connections(window, connections))
        if demo is not None:
            window.run_task(_open_demo(window, demo))
        if args.screenshot:
            window.run_task(_screenshot(window, demo, args.screenshot))
        outcome: list[int] = []
        if args.smoke_test:
            window.run_task(_smoke_test(window, demo, args.smoke_test, started, painted,
                                        outcome))
        loop.run_until_complete(closed.wait())
    uninstall_hook()
    collector.stop()
    return outcome[0] if outcome else 0
