"""The audit trail: an append-only JSON-lines log of every data-plane request and audit event.

Each line: time (UTC), identity (from the token's claims, never the token), connection,
operation (as the request's kind names it: "list secrets", "query items", "redis SET"…; an
event's own name), resource (the redacted URL), status, request id. Lines are only ever
appended; the file is created private (0600). Nothing in it can carry a secret: URLs are
redacted, and values are never recorded.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal
from vaultbrowser.core.services.kinds import ServiceKind

TRAIL_FILE = "audit-trail.jsonl"
FIELDS = ("time", "identity", "connection", "operation", "resource", "status", "request_id")


def data_dir() -> Path:
    """The platform's per-user data directory for vaultbrowser (``VAULTBROWSER_DATA_DIR``
    overrides it, e.g. for tests)."""
    override = os.environ.get("VAULTBROWSER_DATA_DIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "vaultbrowser"


def generic_operation(method: str, url: str) -> str:
    """The name of a request no kind named: its method and the first word of its path
    ("GET /dbs/…"), no ids, no query. Core knows no kind's URL shapes."""
    try:
        segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return method.upper()
    shape = "/" + "/".join(segments[:1]) + ("/…" if len(segments) > 1 else "")
    return f"{method.upper()} {shape}"


def describe_operation(method: str, url: str, kinds: Iterable[ServiceKind] = ()) -> str:
    """A readable name for a journal record made without a name (a command of another
    protocol): the name the first of ``kinds`` gives it (``ServiceKind.operation_name``), else
    ``generic_operation``. HTTP requests are named by their own kind as they are sent
    (``ExchangeRecord.operation``)."""
    for kind in kinds:
        named = kind.operation_name(method, url) if kind.operation_name is not None else None
        if named is not None:
            return named
    return generic_operation(method, url)


def entry_from_exchange(record: ExchangeRecord, kinds: Iterable[ServiceKind] = ()
                        ) -> dict[str, Any]:
    """The trail's line for one journal record: its operation as its kind named it when it was
    sent, else as one of ``kinds`` names it, else generically."""
    response = record.response
    status: Any
    if record.refused:
        status = "refused (read-only)"
    elif response is not None:
        status = response.status
    elif record.reply is not None:  # a command of another protocol, answered
        status = "ok"
    else:
        status = record.failure or "no response"
    return {
        "time": record.started_at.isoformat(timespec="milliseconds"),
        "identity": record.identity,
        "connection": record.connection,
        "operation": record.operation or describe_operation(record.method, record.url, kinds),
        "resource": record.url,
        "status": status,
        "request_id": response.request_id if response is not None else None,
    }


class AuditTrail:
    """Appends entries to the trail file and keeps this session's entries for export.

    ``kinds``: the registry, whose kinds may name their own records (``operation_name``)."""

    def __init__(self, path: Path | None = None, *, kinds: Sequence[ServiceKind] = ()) -> None:
        self.path = path or data_dir() / TRAIL_FILE
        self._kinds = tuple(kind for kind in kinds if kind.operation_name is not None)
        self._session: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record_exchange(self, record: ExchangeRecord) -> None:
        """Journal listener: one line per data-plane HTTP exchange."""
        self.append(entry_from_exchange(record, self._kinds))

    def record_event(self, operation: str, *, connection: str, resource: str,
                     identity: str | None = None, status: Any = "ok") -> None:
        """An audit event that is not an HTTP exchange (e.g. a confirmed secret reveal)."""
        self.append({"time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                     "identity": identity, "connection": connection, "operation": operation,
                     "resource": resource, "status": status, "request_id": None})

    def append(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps({field: entry.get(field) for field in FIELDS}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as file:
                file.write(line + "\n")
            self._session.append(dict(entry))

    def session_entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._session)

    def read_all(self) -> list[dict[str, Any]]:
        """Every entry in the file (all sessions), skipping lines that do not parse."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries


def latest_identity(journal: HttpJournal, connection: str | None = None) -> str | None:
    """Who made the session's most recent request (of ``connection``, when given)."""
    for record in reversed(journal.records()):
        if record.identity and (connection is None or record.connection == connection):
            return record.identity
    return None


def entries_as_csv(entries: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    for entry in entries:
        writer.writerow({field: "" if entry.get(field) is None else entry.get(field)
                         for field in FIELDS})
    return buffer.getvalue()


def entries_as_json(entries: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps([{field: entry.get(field) for field in FIELDS} for entry in entries],
                      indent=2, ensure_ascii=False)


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename: never a partial file."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
