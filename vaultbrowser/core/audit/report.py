"""Audit reports: collect one (``collect_report``), render it (HTML, CSV, JSON), write it
atomically (``write_report``).

Reports never contain secret values: listings carry none and nothing here asks for one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from vaultbrowser import __version__
from vaultbrowser.core.audit.findings import analyze, merged
from vaultbrowser.core.audit.inventory import InventoryCollector, Progress, collect_inventory
from vaultbrowser.core.audit.model import AuditedConnection, AuditReport
from vaultbrowser.core.audit.render_html import render_html
from vaultbrowser.core.audit.render_tabular import render_csv, render_json
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import ServiceKind, kinds_by_name
from vaultbrowser.core.services.session import ServiceSession

__all__ = [
    "FORMATS",
    "collect_report",
    "render_report",
    "write_report",
]

FORMATS: dict[str, Callable[[AuditReport], str]] = {
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}


async def collect_report(
    session: ServiceSession,
    connections: Sequence[Connection],
    *,
    kinds: Sequence[ServiceKind],
    scan_blobs: bool = False,
    progress: Progress | None = None,
    identity: str | None = None,
    now: datetime | None = None,
    options: argparse.Namespace | None = None,
) -> AuditReport:
    """Inventory every connection and evaluate the findings.

    ``kinds`` is the registry: each connection's kind collects its own inventory.
    ``progress(what, done, total)`` is called as listings page in and per-item calls finish
    (``total`` None while unknown). ``now`` (default: the current UTC time) is both the report's
    stamp and the reference for expiry rules; ``options``, the audit command's arguments (a
    kind's own audit options: ``InventoryCollector.options``). A failing vault, account,
    listing or call is recorded in ``AuditReport.errors`` and the rest is still audited.

    Services opened here are closed before returning. Cancelling the awaiting task propagates
    ``asyncio.CancelledError`` after closing them; nothing is written anywhere.
    """
    generated_at = (now or datetime.now(UTC)).astimezone(UTC)
    collector = InventoryCollector(session, scan_blobs=scan_blobs, progress=progress)
    if options is not None:
        collector.options = options
    await collect_inventory(collector, connections, kinds_by_name(kinds))
    items = tuple(sorted(collector.items, key=lambda i: (i.source, i.kind, i.name.lower())))
    containers = tuple(sorted(collector.containers, key=lambda c: (c.source, c.name)))
    resources = tuple(sorted(collector.resources, key=lambda r: (
        r.tenant.lower(), r.tenant_id, r.subscription.lower(), r.subscription_id,
        r.name.lower(), r.resource_id)))
    return AuditReport(
        generated_at=generated_at,
        identity=identity,
        tool_version=__version__,
        connections=tuple(
            AuditedConnection(kind=str(c.kind), name=c.display_name, url=c.url, auth=str(c.auth))
            for c in connections
        ),
        items=items,
        containers=containers,
        findings=merged(analyze(items, containers, generated_at, resources),
                        collector.findings),
        errors=collector.errors.errors(),
        scan_blobs=scan_blobs,
        resources=resources,
    )


def render_report(report: AuditReport, fmt: str) -> str:
    """The report in ``fmt`` ("html", "csv" or "json").

    Raises:
        InvalidInput: an unknown format.
    """
    renderer = FORMATS.get(fmt.lower())
    if renderer is None:
        raise InvalidInput(f"Unknown report format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return renderer(report)


def write_report(report: AuditReport, path: Path, fmt: str) -> None:
    """Render ``report`` as ``fmt`` and write it to ``path`` atomically.

    The text is rendered first, written to a temporary file in ``path``'s directory, flushed
    to disk and renamed over ``path``: a reader sees the old file or the whole new one, never a
    partial file; on any failure the temporary file is removed. The file is readable by its
    owner only (mode 0600): an inventory of secret names and tags is itself sensitive.

    Raises:
        InvalidInput: an unknown format.
        OSError: the directory is not writable (nothing is left behind).
        Exception: whatever rendering raised (nothing is written).
    """
    text = render_report(report, fmt)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        # newline="" keeps the CSV's \r\n row endings as the csv module wrote them.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
