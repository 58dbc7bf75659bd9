"""The Cosmos kind's records: databases, containers, items, and the facts of one call.

Frozen and SDK-free: models and widgets read these, never an azure.cosmos type. Wire values
become ours here once (``_ts`` → a UTC datetime; a document stays the JSON object it is).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vaultbrowser.core.services.records import ResponseInfo


def _timestamp(value: Any) -> datetime | None:
    """``_ts`` (seconds since the epoch) as a UTC datetime; None when absent or not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class DatabaseRecord:
    """One database of the account."""

    id: str
    etag: str = ""
    modified: datetime | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> DatabaseRecord:
        return cls(_text(data.get("id")), _text(data.get("_etag")), _timestamp(data.get("_ts")))


@dataclass(frozen=True, slots=True)
class ContainerRecord:
    """One container: its partition key paths come with the listing (no extra call)."""

    database: str
    id: str
    partition_key_paths: tuple[str, ...] = ()
    default_ttl: int | None = None  # None: off; -1: on, items without their own never expire
    etag: str = ""
    modified: datetime | None = None

    @classmethod
    def from_wire(cls, database: str, data: Mapping[str, Any]) -> ContainerRecord:
        key = data.get("partitionKey")
        paths = key.get("paths") if isinstance(key, Mapping) else None
        ttl = data.get("defaultTtl")
        return cls(database, _text(data.get("id")),
                   tuple(p for p in paths or () if isinstance(p, str)),
                   ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None,
                   _text(data.get("_etag")), _timestamp(data.get("_ts")))


def value_at(document: Mapping[str, Any], path: str) -> Any:
    """The value at a partition key path ("/tenant/id") in a document; None when absent."""
    value: Any = document
    for part in path.strip("/").split("/"):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One item: the whole JSON document and what the table and the writes need of it.

    ``partition_key`` is the value at the container's partition key path(s) (a list for
    hierarchical keys); ``etag`` the version a conditional write is made against.
    """

    id: str
    partition_key: Any
    etag: str
    modified: datetime | None
    document: Mapping[str, Any] = field(repr=False)

    @property
    def size(self) -> int:
        """Bytes of the compact JSON (size findings, the detail pane). Computed when asked:
        measuring every item of a page was half the time of turning it into records."""
        return len(json.dumps(self.document, separators=(",", ":"), ensure_ascii=False)
                   .encode())

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], key_paths: tuple[str, ...]) -> ItemRecord:
        if len(key_paths) == 1:
            key: Any = value_at(data, key_paths[0])
        else:
            key = [value_at(data, path) for path in key_paths] if key_paths else None
        return cls(_text(data.get("id")), key, _text(data.get("_etag")),
                   _timestamp(data.get("_ts")), data)


@dataclass(frozen=True, slots=True)
class CallFacts:
    """The Cosmos response headers that matter for one call (the detail pane's rows).

    The session token itself is never kept (it is redacted in every ``ResponseInfo``): only
    that the service sent one.
    """

    status: int
    request_charge: float | None
    activity_id: str | None
    session_token_sent: bool
    continuation_present: bool
    retry_after: float | None  # seconds
    item_count: int | None

    @classmethod
    def of(cls, info: ResponseInfo) -> CallFacts:
        def number(name: str) -> float | None:
            value = info.header(name)
            try:
                return float(value) if value is not None else None
            except ValueError:
                return None

        retry_ms = number("x-ms-retry-after-ms")
        count = number("x-ms-item-count")
        return cls(
            status=info.status,
            request_charge=number("x-ms-request-charge"),
            activity_id=info.header("x-ms-activity-id"),
            session_token_sent=info.header("x-ms-session-token") is not None,
            continuation_present=bool(info.header("x-ms-continuation")),
            retry_after=retry_ms / 1000.0 if retry_ms is not None else None,
            item_count=int(count) if count is not None else None,
        )
