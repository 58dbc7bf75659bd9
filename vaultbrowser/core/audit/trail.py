"""The audit trail: an append-only JSON-lines log of every data-plane request and audit event.

Each line: time (UTC), identity (from the token's claims, never the token), connection,
operation ("list secrets", "get blob properties", "reveal secret value"…), resource (the
redacted URL), status, request id. Lines are only ever appended; the file is created private
(0600). Nothing in it can carry a secret: URLs are redacted, and values are never recorded.
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
from urllib.parse import parse_qs, unquote, urlsplit

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


_KV_COLLECTIONS = {"secrets": "secret", "keys": "key", "certificates": "certificate",
                   "deletedsecrets": "deleted secret", "deletedkeys": "deleted key",
                   "deletedcertificates": "deleted certificate"}
_VERBS = {"GET": "get", "HEAD": "get", "PUT": "set", "PATCH": "update", "POST": "act on",
          "DELETE": "delete", "OPTIONS": "probe"}


_ARM_TYPES = {"vaults": "key vault", "storageaccounts": "storage account"}


def _resource_manager_operation(method: str, segments: list[str]) -> str | None:
    """Resource Manager and Resource Graph requests by name; None for other paths."""
    lowered = [segment.lower() for segment in segments]
    if lowered == ["tenants"]:
        return "list tenants"
    if lowered[:1] == ["subscriptions"] and len(lowered) <= 2:
        return "list subscriptions" if len(lowered) == 1 else "get subscription"
    if lowered == ["providers", "microsoft.resourcegraph", "resources"]:
        return "list resources (Resource Graph query)"
    if lowered[:1] != ["subscriptions"] or "providers" not in lowered:
        return None
    tail = lowered[lowered.index("providers") + 2:]
    noun = _ARM_TYPES.get(tail[0], tail[0]) if tail else "resource"
    if tail[-1:] == ["listkeys"]:
        return f"list {noun} keys"
    if len(tail) == 1:
        return f"list {noun}s"
    return f"{_VERBS.get(method, method)} {noun}"


def describe_operation(method: str, url: str, kinds: Iterable[ServiceKind] = ()) -> str:
    """A readable name for a request: the name the first of ``kinds`` gives it (a command of
    another protocol, ``ServiceKind.operation_name``), else the name of a Key Vault, Blob or
    Resource Manager request ("list secrets", "get blob properties", "list resources
    (Resource Graph query)")."""
    for kind in kinds:
        named = kind.operation_name(method, url) if kind.operation_name is not None else None
        if named is not None:
            return named
    try:
        parts = urlsplit(url)
    except ValueError:
        return method
    query = parse_qs(parts.query)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    method = method.upper()
    # (A blob container may be called "tenants": blob hosts are never Resource Manager.)
    arm = None if ".blob." in (parts.hostname or "") else _resource_manager_operation(
        method, segments)
    if arm is not None:
        return arm
    if segments and segments[0] in _KV_COLLECTIONS:
        noun = _KV_COLLECTIONS[segments[0]]
        if len(segments) == 1:
            return f"list {noun}s" if method == "GET" else f"{_VERBS.get(method, method)} {noun}s"
        tail = segments[-1]
        if tail == "versions":
            return f"list {noun} versions"
        if tail in ("recover", "backup", "restore", "import", "create", "rotate", "pending",
                    "policy", "rotationpolicy"):
            return f"{noun} {tail}" if method == "GET" else f"{tail} {noun}"
        return f"{_VERBS.get(method, method)} {noun}"
    comp = (query.get("comp") or [""])[0]
    restype = (query.get("restype") or [""])[0]
    # Blob endpoints: /account[/container[/blob…]] (Azurite) or /container[/blob…] (Azure).
    if comp == "list":
        return "list containers" if restype != "container" else "list blobs"
    if comp == "batch":  # one request carrying many sub-requests (tier changes, deletes)
        return "blob batch"
    if restype == "container":
        return f"{_VERBS.get(method, method)} container"
    if comp == "tags":
        return f"{_VERBS.get(method, method)} blob tags"
    if comp == "metadata":
        return f"{_VERBS.get(method, method)} blob metadata"
    if comp in ("tier", "snapshot"):
        return "set blob tier" if comp == "tier" else "create blob snapshot"
    if method == "DELETE" and ("versionid" in query or "snapshot" in query):
        return "delete blob version" if "versionid" in query else "delete blob snapshot"
    if method == "HEAD":
        return "get blob properties"
    if method == "GET":
        return "download blob"
    return f"{_VERBS.get(method, method)} blob"


def entry_from_exchange(record: ExchangeRecord, kinds: Iterable[ServiceKind] = ()
                        ) -> dict[str, Any]:
    """The trail's line for one journal record (its operation named by ``kinds`` first)."""
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
        "operation": describe_operation(record.method, record.url, kinds),
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
