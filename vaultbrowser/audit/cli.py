"""``vaultbrowser audit``: write an audit report from the command line (no display needed).

::

    vaultbrowser audit --vault URL [--vault URL…] [--storage-account URL…]
                       [--connection-string-env NAME…] [--demo] [--scan-blobs]
                       [--identity TEXT] --format html|csv|json --output PATH

Every connection is opened read-only (the transport refuses anything but GET/HEAD/OPTIONS).
Vaults and accounts named by URL sign in with the default Entra ID credential chain; a
connection string is read from the named environment variable. ``--demo`` starts the local
emulators with the demo data and audits them. Progress goes to stderr.

Exit codes: 0 the report was written and every connection was read in full; 1 a failure that
does not depend on the findings (the report is incomplete — it was still written and lists the
errors — or it could not be written, or the demo could not start); 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from vaultbrowser.core.services.connections import (
    AuthMethod,
    Connection,
    ServiceKind,
    is_loopback_url,
    normalize_blob_endpoint,
    normalize_vault_url,
    storage_connection_from_connection_string,
)
from vaultbrowser.core.services.errors import InvalidInput, VaultBrowserError
from vaultbrowser.core.services.hardening import disable_core_dumps
from vaultbrowser.core.services.redaction import install_log_redaction

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
FORMATS = ("html", "csv", "json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultbrowser audit",
        description="Write a read-only audit report of Key Vaults and storage accounts "
                    "(inventory, expiry findings, risky settings). Reports never contain "
                    "secret values.",
    )
    parser.add_argument("--vault", action="append", default=[], metavar="URL",
                        help="a vault URL or name (repeatable); Entra ID sign-in")
    parser.add_argument("--storage-account", action="append", default=[], metavar="URL",
                        help="a blob endpoint or account name (repeatable); Entra ID sign-in")
    parser.add_argument("--connection-string-env", action="append", default=[], metavar="NAME",
                        help="an environment variable holding a storage connection string "
                             "(repeatable)")
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


def _connections(args: argparse.Namespace) -> list[Connection]:
    """The connections the arguments name, all read-only.

    Raises:
        InvalidInput: a URL or environment variable is unusable.
    """
    connections = [Connection(ServiceKind.KEY_VAULT, normalize_vault_url(url),
                              AuthMethod.DEFAULT, read_only=True) for url in args.vault]
    connections += [
        Connection(ServiceKind.BLOB,
                   normalize_blob_endpoint(url, allow_http=is_loopback_url(url)),
                   AuthMethod.DEFAULT, read_only=True)
        for url in args.storage_account
    ]
    for name in args.connection_string_env:
        value = os.environ.get(name)
        if not value:
            raise InvalidInput(f"The environment variable {name} is not set.",
                               advice=f"Set {name} to a storage connection string.")
        connections.append(replace(storage_connection_from_connection_string(value, name=name),
                                   read_only=True, secret_env=name))
    return connections


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


async def _demo_connections(demo: object, stream: TextIO) -> list[Connection]:
    """Start the demo emulators (seeded, certificates imported) and return read-only
    connections to them."""
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.demo.environment import DemoEnvironment
    from vaultbrowser.demo.setup import seed_vault_extras

    assert isinstance(demo, DemoEnvironment)
    print("audit: starting the demo Key Vault emulator…", file=stream, flush=True)
    vault = await demo.start_keyvault()
    seeding = ServiceSession()  # writable: imports the demo's extra certificates
    try:
        await seed_vault_extras(seeding.open_vault(vault))
    finally:
        await seeding.aclose()
    connections = [replace(vault, read_only=True)]
    print("audit: starting Azurite…", file=stream, flush=True)
    storage = await demo.start_storage()
    if storage is None:
        print(f"audit: Blob Storage demo unavailable: {demo.storage_unavailable_reason}",
              file=stream, flush=True)
    else:
        connections.append(replace(storage, read_only=True))
    return connections


async def _run(args: argparse.Namespace, connections: list[Connection], fmt: str,
               stream: TextIO) -> int:
    from vaultbrowser.audit.report import collect_report, write_report
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.demo.environment import DemoEnvironment

    demo = DemoEnvironment() if args.demo else None
    session = ServiceSession(read_only=True)  # an audit can never write, whatever it opens
    try:
        if demo is not None:
            connections = connections + await _demo_connections(demo, stream)
        report = await collect_report(
            session, connections, scan_blobs=args.scan_blobs, progress=_Progress(stream),
            identity=args.identity or _default_identity(),
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


def main(argv: list[str]) -> int:
    """Run ``vaultbrowser audit`` with ``argv`` (the arguments after "audit"); return the exit
    code. Never raises for bad input or service failures; prints no traceback for them."""
    # ``python -m vaultbrowser.audit`` does not pass through app.main
    disable_core_dumps()
    install_log_redaction()
    stream = sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse printed the usage and the problem
        return EXIT_OK if exit_.code in (0, None) else EXIT_BAD_INPUT
    try:
        connections = _connections(args)
        if not connections and not args.demo:
            raise InvalidInput("Nothing to audit.",
                               advice="Name at least one --vault, --storage-account or "
                                      "--connection-string-env, or use --demo.")
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
        return asyncio.run(_run(args, connections, fmt, stream))
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
