"""``vaultbrowser audit``: write an audit report from the command line (no display needed).

::

    vaultbrowser audit --vault URL [--vault URL…] [--storage-account URL…]
                       [--connection-string-env NAME…]
                       [--discover [--tenant ID…] [--subscription ID…]]
                       [--demo] [--scan-blobs]
                       [--identity TEXT] --format html|csv|json --output PATH

Every connection is opened read-only (the transport refuses anything but GET/HEAD/OPTIONS).
Vaults and accounts named by URL sign in with the default Entra ID credential chain; a
connection string is read from the named environment variable; ``--discover`` audits every
vault and account that Azure discovery finds. ``--demo`` starts the local emulators with the
demo data and audits them: directly, or with ``--discover`` through the demo's discovery only.
Progress goes to stderr.

Exit codes: 0 the report was written and every connection was read in full; 1 a failure that
does not depend on the findings (the report is incomplete — it was still written and lists the
errors — or it could not be written, or the demo could not start); 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.demo import DemoEnvironment
from vaultbrowser.core.services.errors import InvalidInput, VaultBrowserError
from vaultbrowser.core.services.hardening import disable_core_dumps
from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.core.services.redaction import install_log_redaction

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
FORMATS = ("html", "csv", "json")


def build_parser(kinds: Sequence[ServiceKind]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser audit",
        description="Write a read-only audit report of "
                    + " and ".join(f"{kind.nouns[1]}" for kind in kinds)
                    + " (inventory, expiry findings, risky settings). Reports never contain "
                    "secret values.",
    )
    for kind in kinds:
        kind.add_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="report format (default: from the output's suffix, else html)")
    parser.add_argument("--output", required=True, type=Path, metavar="PATH",
                        help="where to write the report (replaced atomically)")
    parser.add_argument("--scan-blobs", action="store_true",
                        help="count blobs and sum their sizes per container (lists every blob)")
    parser.add_argument("--demo", action="store_true",
                        help="start the local demo emulators and audit them")
    parser.add_argument("--identity", metavar="TEXT", default=None,
                        help="who ran the audit, stamped on the report (default: the local "
                             "account)")
    return parser


def _connections(args: argparse.Namespace, kinds: Sequence[ServiceKind]) -> list[Connection]:
    """The connections the arguments name, all read-only.

    Raises:
        InvalidInput: a URL or environment variable is unusable.
    """
    return [replace(connection, read_only=True)
            for kind in kinds for connection in kind.connections_from_args(args)]


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.output.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "html"


def _default_identity() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (local account)"


class _Progress:
    """Progress lines on stderr: every listing page, and per-item work at 0/25/50/75/100%."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, what: str, done: int, total: int | None) -> None:
        if total is None:
            line = f"{what}: {done} listed"
        elif total and (done in (0, total) or done * 4 // total != (done - 1) * 4 // total):
            line = f"{what}: {done}/{total}"
        else:
            return
        print(f"audit: {line}", file=self._stream, flush=True)


async def _demo_connections(demo: DemoEnvironment, stream: TextIO) -> list[Connection]:
    """Start the demo emulators (seeded) and return read-only connections to them."""

    def tell(text: str) -> None:
        print(f"audit: {text}", file=stream, flush=True)

    connections = [replace(connection, read_only=True)
                   async for connection in demo.connections(tell)]
    for name, reason in demo.unavailable.items():
        tell(f"the {name} demo is unavailable: {reason}")
    return connections


def with_demo(named: Sequence[Connection], demo: Sequence[Connection],
              kinds: Sequence[ServiceKind]) -> list[Connection]:
    """The connections a demo run audits. A discovering kind's connection named on the command
    line (``--discover``) stands for that kind's demo connection, which takes its scope: the
    demo is then audited through discovery only. Without one the demo's other kinds are
    audited directly (discovery would audit the same resources again)."""
    discovering = {kind.name for kind in kinds if kind.discovers}
    scopes = {connection.kind: connection.scope for connection in named
              if connection.kind in discovering}
    kept = [connection for connection in named if connection.kind not in discovering]
    if scopes:
        return kept + [replace(connection, scope=scopes[connection.kind])
                       for connection in demo if connection.kind in scopes]
    return kept + [connection for connection in demo if connection.kind not in discovering]


async def _run(args: argparse.Namespace, kinds: Sequence[ServiceKind],
               connections: list[Connection], fmt: str, stream: TextIO) -> int:
    from vaultbrowser.core.audit.report import collect_report, write_report
    from vaultbrowser.core.services.session import ServiceSession

    demo = DemoEnvironment(kinds) if args.demo else None
    session = ServiceSession(read_only=True)  # an audit can never write, whatever it opens
    try:
        if demo is not None:
            connections = with_demo(connections, await _demo_connections(demo, stream), kinds)
        report = await collect_report(
            session, connections, kinds=kinds, scan_blobs=args.scan_blobs,
            progress=_Progress(stream),
            identity=args.identity or _default_identity(), options=args,
        )
    finally:
        await session.aclose()
        if demo is not None:
            await demo.stop()
    await asyncio.get_running_loop().run_in_executor(
        None, write_report, report, args.output, fmt)
    counts = report.severity_counts()
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no findings"
    print(f"audit: wrote {args.output} ({fmt}): {summary}", file=stream, flush=True)
    if report.errors:
        print(f"audit: the report is incomplete: {len(report.errors)} error(s) while "
              "collecting (listed in the report):", file=stream)
        for error in report.errors:
            print(f"audit:   {error.source}: {error.operation}: {error.title}: "
                  f"{error.message.splitlines()[0] if error.message else ''}"
                  + (f" (request id {error.request_id})" if error.request_id else ""),
                  file=stream)
        return EXIT_FAILURE
    return EXIT_OK


def main(argv: list[str], kinds: Sequence[ServiceKind]) -> int:
    """Run ``vaultbrowser audit`` with ``argv`` (the arguments after "audit") over the
    registry's ``kinds``; return the exit code. Never raises for bad input or service failures;
    prints no traceback for them."""
    # ``python -m vaultbrowser.core.audit`` does not pass through app.main
    disable_core_dumps()
    install_log_redaction()
    stream = sys.stderr
    parser = build_parser(kinds)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse printed the usage and the problem
        return EXIT_OK if exit_.code in (0, None) else EXIT_BAD_INPUT
    try:
        connections = _connections(args, kinds)
        if not connections and not args.demo:
            raise InvalidInput("Nothing to audit.",
                               advice="Name at least one connection (see --help), or use "
                                      "--demo.")
        directory = args.output.parent if str(args.output.parent) else Path(".")
        if not directory.is_dir():
            raise InvalidInput(f"The output directory {directory} does not exist.")
        fmt = _format(args)
    except InvalidInput as error:
        print(f"vaultbrowser audit: error: {error.message}", file=stream)
        if error.advice and error.advice != InvalidInput.default_advice:
            print(f"vaultbrowser audit: {error.advice}", file=stream)
        return EXIT_BAD_INPUT
    try:
        return asyncio.run(_run(args, kinds, connections, fmt, stream))
    except KeyboardInterrupt:
        print("vaultbrowser audit: cancelled; no report written.", file=stream)
        return 130
    except VaultBrowserError as error:
        print(f"vaultbrowser audit: {error.title}: {error}", file=stream)
        if error.request_id:
            print(f"vaultbrowser audit: request id {error.request_id}", file=stream)
        return EXIT_FAILURE
    except OSError as error:
        print(f"vaultbrowser audit: could not write the report: {error}", file=stream)
        return EXIT_FAILURE
