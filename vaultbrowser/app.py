"""The composition root: arguments → Settings → QApplication + qasync loop → services → window.

``KINDS`` is the registry of service kinds — the one place that names them. Everything else
(the window, the connection dialog and store, the audit command, the demo) is given it.

Heavy imports (Qt, the SDK) happen inside ``main`` so that ``--help`` and ``--version`` are
instant. Shutdown is driven by the window's close handling (clients and sessions close while the
loop still runs), then the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from vaultbrowser import APP_ID, APP_NAME, __version__
from vaultbrowser.azure.kind import KIND as AZURE_SIGN_IN
from vaultbrowser.blob.kind import KIND as BLOB_STORAGE
from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.cosmos.kind import KIND as COSMOS_DB
from vaultbrowser.keyvault.kind import KIND as KEY_VAULT
from vaultbrowser.redis.kind import KIND as REDIS

# The service kinds, in the order of their tabs. A new kind is one package and one line here.
KINDS: tuple[ServiceKind, ...] = (KEY_VAULT, BLOB_STORAGE, REDIS, COSMOS_DB, AZURE_SIGN_IN)


def build_parser(kinds: Sequence[ServiceKind] = KINDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser",
        description="Browse Azure " + " and ".join(kind.label for kind in kinds) + ".",
        epilog="With no connection given (and none saved), vaultbrowser opens demo mode on the "
        "local emulators. `vaultbrowser audit --help` writes audit reports without a window.",
    )
    parser.add_argument("--version", action="version", version=f"vaultbrowser {__version__}")
    parser.add_argument("addresses", nargs="*", metavar="URL",
                        help="open these Azure addresses for this run (a vault URL or a "
                        "secret/key/certificate id, an account, container, blob or SAS URL, an "
                        "Azure resource id) and select what they name")
    for kind in kinds:
        kind.add_arguments(parser)
    parser.add_argument("--demo", action="store_true",
                        help="open the local emulators with demo data (no Azure account needed)")
    parser.add_argument("--read-only", action="store_true",
                        help="open every connection read-only")
    parser.add_argument("--persistent-token-cache", action="store_true",
                        help="keep Entra ID tokens in azure-identity's encrypted token cache "
                        "between runs (off by default: tokens stay in memory)")
    parser.add_argument("--smoke-test", metavar="RESULT_JSON", type=Path,
                        help="open the demo, wait for the first rows of each tree, write a JSON "
                        "result file and exit (0 when every tree listed; installers' checks)")
    parser.add_argument("--screenshot", metavar="PNG", type=Path,
                        help="open the demo, save the window with each kind's first tree in "
                        "front as PNG files (PNG, then PNG's name with -<tree>) and quit (the "
                        "README's pictures)")
    return parser


def connections_from_args(args: argparse.Namespace,
                          kinds: Sequence[ServiceKind] = KINDS) -> list[Any]:
    """Connections named on the command line, each kind's in turn.

    Raises:
        InvalidInput: a URL or connection string is not valid.
    """
    # --read-only belongs to this run (the session), not to the connections.
    return [connection for kind in kinds for connection in kind.connections_from_args(args)]


def startup_connections(named: list[Any], store: Any) -> list[Any]:
    """What opens at start: the command line's connections, then the saved ones.

    The command line's are for this run only (never saved here): a mistyped --vault never
    becomes every later launch's default. Connections the user adds (the dialog, discovery)
    are the saved ones."""
    keys = {connection.key for connection in named}
    return [*named, *(c for c in store.load() if c.key not in keys)]


async def _open_connections(window: Any, connections: list[Any],
                            addresses: Sequence[str] = ()) -> None:
    # After the first paint: each waits for its SDK to be imported off the loop's thread.
    for connection in connections:
        await window.open_connection(connection)
    for text in addresses:
        await window.navigation.open_address(text)
    if connections and not addresses:
        await window.navigation.restore_last()  # where the user was when the window last closed
    if connections or addresses:
        window.state.update()  # none opened: the start screen's ways in, not an empty tree


def _opening_modules(connections: list[Any]) -> list[str]:
    opening = {connection.kind for connection in connections}
    return [name for kind in KINDS if kind.name in opening for name in kind.sdk_modules]


async def _import_sdk(window: Any, connections: list[Any]) -> None:
    """The SDK in a worker thread, the kinds of the connections opening at start first: their
    first rows wait for their own SDK only (a vault's need not wait ~0.5 s for the blob SDK).
    The other kinds' SDK waits until those first pages are in (at most ~1 s): importing it
    while they load took the loop's thread half its time (the GIL) and delayed them."""
    from vaultbrowser.core.services.sdk_imports import import_sdk

    await import_sdk(_opening_modules(connections))
    if connections:
        await _wait_until(lambda: not any(pane.model.is_loading() for pane in window.panes)
                          and len(window.connections) >= len(connections), 1.0)
    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)


def _start_demo_later(window: Any) -> None:
    """The start screen's "Try the demo": the emulators, stopped (and their folder removed)
    when the window closes."""
    from vaultbrowser.core.services.demo import DemoEnvironment

    demo = DemoEnvironment(KINDS)
    window.add_closing_step(demo.stop)
    window.run_task(_open_demo(window, demo))


async def _open_demo(window: Any, demo: Any) -> None:
    async for connection in demo.connections(window.statusBar().showMessage, extras=True):
        await window.open_connection(connection)
    window.statusBar().showMessage(demo.summary(), 0 if demo.unavailable else 10_000)


async def _after_first_paint(painted: asyncio.Event, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` once the window has painted, or after a second (a window the system keeps
    hidden may not paint). Started before the paint, the SDK's import in a worker thread and the
    demo's emulators held the GIL half the time and delayed the first paint."""
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted.wait(), 1.0)
    except BaseException:
        work.close()  # cancelled (the window closed) before it began: it never runs
        raise
    await work


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


def _first_panes(window: Any, kinds: Sequence[ServiceKind]) -> list[tuple[str, Any]]:
    """(kind name, its first pane) of every kind: what the demo checks and shows."""
    return [(kind.name, window.view(kind.name).panes[0][1]) for kind in kinds]


async def _listed(pane: Any, least: int, timeout: float, gave_up: Any) -> bool:
    """Wait until the pane's first root lists more than ``least`` rows (False: timed out, or
    ``gave_up()``)."""
    from PySide6.QtCore import QModelIndex

    model = pane.model
    return await _wait_until(lambda: (model.rowCount(QModelIndex()) > 0
                                      and model.rowCount(model.index(0, 0)) > least)
                             or gave_up(), timeout) and not gave_up()


async def _screenshot(window: Any, demo: Any, kinds: Sequence[ServiceKind], path: Path) -> None:
    """Save the demo window with each kind's first tree in front — ``path``, then
    ``<stem>-<pane>.png`` — each with its third row (or its last, when fewer) selected; then
    quit."""
    for position, (name, pane) in enumerate(_first_panes(window, kinds)):
        window.show_pane(pane.title)
        if not await _listed(pane, 1, 90, lambda n=name: n in demo.unavailable):
            continue
        model = pane.model
        root = model.index(0, 0)
        await _select_and_wait(window, pane, model.index(min(2, model.rowCount(root) - 1), 0,
                                                         root))
        target = path if position == 0 else path.with_name(
            f"{path.stem}-{pane.title.lower().replace(' ', '-')}.png")
        window.grab().save(str(target))
    window.show_pane(_first_panes(window, kinds)[0][1].title)
    window.close()


async def _smoke_test(window: Any, demo: Any, kinds: Sequence[ServiceKind], path: Path,
                      started: float, painted: Any, outcome: list[int]) -> None:
    """Wait for the first rows of every kind's first tree in the demo, write ``path`` (JSON,
    atomically: a temporary file renamed), close the window; ``outcome`` gets the exit code.

    ``painted`` is the window's FirstPaintWatch: ``first_paint_epoch`` lets a caller that noted
    its launch time measure cold start from outside (a frozen app's loader included)."""
    import json
    import platform

    from PySide6 import __version__ as pyside_version

    from vaultbrowser.core.models.icons import font_loaded

    trees: dict[str, int] = {}
    first_rows_at: float | None = None
    ok = True
    for name, pane in _first_panes(window, kinds):
        window.show_pane(pane.title)  # a tree lists when shown, as a user would open it
        # A kind whose emulator cannot run here fails at once, saying why.
        listed = await _listed(pane, 1, 120, lambda n=name: n in demo.unavailable)
        model = pane.model
        trees[pane.title] = model.rowCount(model.index(0, 0)) if listed else 0
        ok = ok and listed
        if first_rows_at is None:
            first_rows_at = time.perf_counter() - started
    result = {
        "ok": ok,
        "version": __version__,
        "trees": trees,
        "icons": font_loaded(),  # the installers bundle the icon font (a bundle without it
                                 # still works, in words, but looks unfinished)
        "unavailable": dict(demo.unavailable),
        "first_paint_seconds": round(painted.at - started, 3) if painted.at else None,
        "first_paint_epoch": painted.epoch,
        "first_rows_seconds": round(first_rows_at or 0.0, 3),
        "python": platform.python_version(),
        "pyside6": pyside_version,
        "platform": platform.platform(),
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(result, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    outcome.append(0 if result["ok"] else 1)
    window.close()


def _close_on_interrupt(app: Any, window: Any) -> None:
    """Ctrl+C and SIGTERM close the window as its Quit does: clients, emulators and the demo's
    temporary folder go cleanly. (Python runs a signal handler only when it gets control: a
    light timer gives it that while Qt waits.)"""
    import signal

    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: Any) -> None:
        QTimer.singleShot(0, window.close)

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()
    from vaultbrowser.core.services.hardening import disable_core_dumps
    from vaultbrowser.core.services.redaction import install_log_redaction

    disable_core_dumps()  # this process will hold secret values: none may reach a core file
    install_log_redaction()  # whoever logs (SDK, aiohttp, the loop), credentials are redacted
    if argv[:1] == ["audit"]:
        # Reports need no window: `vaultbrowser audit …` never imports Qt.
        from vaultbrowser.core.audit.cli import main as audit_main

        return audit_main(argv[1:], KINDS)
    args = build_parser().parse_args(argv)
    from vaultbrowser.core.services.errors import VaultBrowserError

    try:
        connections = connections_from_args(args, KINDS)
        from vaultbrowser.core.services.kinds import parse_address

        for text in args.addresses:
            parse_address(KINDS, text)  # bad input stops here, before any window
    except VaultBrowserError as error:
        # As argparse does: the mistake on stderr, exit status 2, no window.
        print(f"vaultbrowser: error: {error.message}", file=sys.stderr)
        if error.advice:
            print(f"  {error.advice}", file=sys.stderr)
        return 2

    import qasync
    from PySide6.QtWidgets import QApplication

    from vaultbrowser.core.services.config import Settings
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.core.ui.error_dialog import ErrorReporter, install_excepthook
    from vaultbrowser.core.ui.window.main_window import MainWindow

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

    from vaultbrowser.core.ui.gc_guard import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from vaultbrowser.core.audit.trail import AuditTrail

    settings = Settings()
    session = ServiceSession(read_only=args.read_only, limits=settings.limits,
                             persistent_token_cache=args.persistent_token_cache)
    reporter = ErrorReporter()
    uninstall_hook = install_excepthook(reporter)
    demo = None
    store = None
    if args.demo or args.screenshot or args.smoke_test:
        connections = []
        args.addresses = []
    else:
        from vaultbrowser.core.ui.connection_store import ConnectionStore

        store = ConnectionStore(kinds=KINDS, on_invalid=reporter.report)
        connections = startup_connections(connections, store)
    if not connections and not args.addresses:
        from vaultbrowser.core.services.demo import DemoEnvironment

        demo = DemoEnvironment(KINDS)
    # Every data-plane request, appended: the user's trail, or the demo's own (in its folder,
    # gone with it: a demo never writes into the user's trail).
    trail = AuditTrail(demo.workdir / "audit-trail.jsonl" if demo is not None else None,
                       kinds=KINDS)
    session.journal.add_listener(trail.record_exchange)
    window = MainWindow(session, settings, kinds=KINDS, reporter=reporter,
                        on_closed=demo.stop if demo is not None else None,
                        connection_store=store, trail=trail)
    if demo is None:
        window.start_demo = lambda: _start_demo_later(window)
    # A listing paging in, or a sort or filter being computed: no complete collection now.
    collector.set_busy_check(lambda: any(pane.model.is_loading() or pane.proxy.pending
                                         for pane in window.panes))
    from vaultbrowser.core.ui.window.first_paint import FirstPaintWatch

    first_paint = asyncio.Event()
    # A child of the window: lives as long as it.
    painted = FirstPaintWatch(window, lambda _at, _epoch: first_paint.set())
    window.show()
    collector.freeze_startup_heap()
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    _close_on_interrupt(app, window)
    with loop:
        loop.set_exception_handler(lambda _loop, context: reporter.report(
            context.get("exception") or RuntimeError(context.get("message", "error"))))
        # In a worker thread, while the user looks around.
        window.run_task(_after_first_paint(first_paint, _import_sdk(window, connections)))
        window.run_task(_after_first_paint(
            first_paint, _open_connections(window, connections, args.addresses)))
        if demo is not None:
            window.run_task(_after_first_paint(first_paint, _open_demo(window, demo)))
        if args.screenshot:
            window.run_task(_screenshot(window, demo, KINDS, args.screenshot))
        outcome: list[int] = []
        if args.smoke_test:
            window.run_task(_smoke_test(window, demo, KINDS, args.smoke_test, started,
                                        painted, outcome))
        loop.run_until_complete(closed.wait())
    uninstall_hook()
    collector.stop()
    return outcome[0] if outcome else 0
