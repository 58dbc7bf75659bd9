"""In-memory store of versioned Key Vault objects with soft delete.

One :class:`Collection` per object kind (secrets, keys, certificates). Names are
case-insensitive like the service's; an object keeps the spelling it was created with. Each
collection keeps a sorted list of its active and of its deleted names so listings page in
O(log n + page) (see ``paging``).
"""

from __future__ import annotations

import bisect
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from vaultbrowser.emulators.keyvault.errors import bad_parameter

RECOVERY_LEVEL = "Recoverable+Purgeable"
RECOVERABLE_DAYS = 90
# The service's DeletionRecoveryLevel values (7.x data plane).
RECOVERY_LEVELS = frozenset({
    "Purgeable",
    "Recoverable+Purgeable",
    "Recoverable",
    "Recoverable+ProtectedSubscription",
    "CustomizedRecoverable+Purgeable",
    "CustomizedRecoverable",
    "CustomizedRecoverable+ProtectedSubscription",
})


@dataclass(frozen=True)
class Recovery:
    """The vault's deletion recovery level, which every object reports in its attributes.

    ``Purgeable`` is a vault without soft delete (a delete is final); levels without
    ``Purgeable`` (or with ``ProtectedSubscription``) are purge protection: deleted objects can
    only be recovered until the service purges them after ``days``.
    """

    level: str = RECOVERY_LEVEL
    days: int = RECOVERABLE_DAYS

    def __post_init__(self) -> None:
        if self.level not in RECOVERY_LEVELS:
            raise ValueError(f"unknown recovery level {self.level!r}")
        if self.soft_delete and not 7 <= self.days <= 90:
            raise ValueError("recoverable days must be between 7 and 90")

    @property
    def soft_delete(self) -> bool:
        return self.level != "Purgeable"

    @property
    def purgeable(self) -> bool:
        return "Purgeable" in self.level and "ProtectedSubscription" not in self.level

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"recoveryLevel": self.level}
        if self.soft_delete:
            out["recoverableDays"] = self.days
        return out


# Rendering happens deep inside the handlers; the server sets the vault's level per request.
_DEFAULT_RECOVERY = Recovery()
_RENDERED_RECOVERY: ContextVar[Recovery | None] = ContextVar("kv_recovery", default=None)


@contextmanager
def rendering_recovery(recovery: Recovery) -> Iterator[None]:
    """Render every ``attributes`` object inside the block with ``recovery``."""
    token = _RENDERED_RECOVERY.set(recovery)
    try:
        yield
    finally:
        _RENDERED_RECOVERY.reset(token)


def now() -> int:
    """The current time in Unix seconds, the unit of every timestamp on the wire."""
    return int(time.time())


def new_version() -> str:
    """A 32-hex lowercase version id."""
    return uuid.uuid4().hex


def _epoch_seconds(value: Any, name: str) -> int | None:
    """An ``nbf``/``exp`` of a request: whole seconds since the epoch, or null.

    Raises:
        KvError: 400 BadParameter for another JSON type (the service refuses those too).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise bad_parameter(f"Invalid value for the attribute '{name}'.")
    if not -62_135_596_800 <= value <= 253_402_300_799:
        raise bad_parameter(f"Invalid value for the attribute '{name}'.")
    return int(value)


@dataclass
class Attributes:
    """The ``attributes`` object of a bundle."""

    enabled: bool = True
    nbf: int | None = None
    exp: int | None = None
    created: int = field(default_factory=now)
    updated: int = field(default_factory=now)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Wire form: unset fields omitted, recovery level and days always present."""
        out: dict[str, Any] = {"enabled": self.enabled}
        if self.nbf is not None:
            out["nbf"] = self.nbf
        if self.exp is not None:
            out["exp"] = self.exp
        out["created"] = self.created
        out["updated"] = self.updated
        out.update((_RENDERED_RECOVERY.get() or _DEFAULT_RECOVERY).to_json())
        out.update(self.extra)
        return out

    def apply(self, patch: dict[str, Any] | None) -> None:
        """Apply an ``attributes`` object from a request (only the fields it carries)."""
        if not patch:
            return
        if patch.get("enabled") is not None:
            self.enabled = bool(patch["enabled"])
        for name in ("nbf", "exp"):
            if name in patch:
                setattr(self, name, _epoch_seconds(patch[name], name))
        self.updated = now()

    @classmethod
    def from_request(cls, data: dict[str, Any] | None) -> Attributes:
        """New attributes from a create request's ``attributes``."""
        attrs = cls()
        if data:
            attrs.apply(data)
        return attrs


@dataclass
class Version:
    """One version of an object; ``data`` holds the kind-specific payload."""

    version: str
    attributes: Attributes
    tags: dict[str, str] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    managed: bool = False


@dataclass
class Entry:
    """An object (all its versions) under one name."""

    name: str
    versions: dict[str, Version] = field(default_factory=dict)
    sorted_versions: list[str] = field(default_factory=list)
    latest: str = ""
    deleted_date: int | None = None
    scheduled_purge_date: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, version: Version) -> None:
        """Add a version and make it the latest."""
        self.versions[version.version] = version
        bisect.insort(self.sorted_versions, version.version)
        self.latest = version.version

    def current(self) -> Version:
        """The latest version."""
        return self.versions[self.latest]


class SortedNames:
    """A sorted list of lower-cased names with O(log n) lookups."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def add(self, key: str) -> None:
        i = bisect.bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            self.keys.insert(i, key)

    def remove(self, key: str) -> None:
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]


class Collection:
    """Active and soft-deleted objects of one kind."""

    def __init__(self, kind: str, recovery: Recovery | None = None) -> None:
        self.kind = kind
        self.recovery = recovery or Recovery()
        self.active: dict[str, Entry] = {}
        self.deleted: dict[str, Entry] = {}
        self.active_names = SortedNames()
        self.deleted_names = SortedNames()

    def get(self, name: str) -> Entry | None:
        return self.active.get(name.lower())

    def get_deleted(self, name: str) -> Entry | None:
        return self.deleted.get(name.lower())

    def put(self, entry: Entry) -> None:
        key = entry.name.lower()
        self.active[key] = entry
        self.active_names.add(key)

    def soft_delete(self, name: str) -> Entry | None:
        """Move an active object to the deleted collection; returns it (None if absent).

        Without soft delete (recovery level ``Purgeable``) the object is gone for good: it is
        returned without deletion dates and not kept.
        """
        key = name.lower()
        entry = self.active.pop(key, None)
        if entry is None:
            return None
        self.active_names.remove(key)
        if not self.recovery.soft_delete:
            return entry
        entry.deleted_date = now()
        entry.scheduled_purge_date = entry.deleted_date + self.recovery.days * 86400
        self.deleted[key] = entry
        self.deleted_names.add(key)
        return entry

    def recover(self, name: str) -> Entry | None:
        """Move a deleted object back; returns it (None if absent)."""
        key = name.lower()
        entry = self.deleted.pop(key, None)
        if entry is None:
            return None
        self.deleted_names.remove(key)
        entry.deleted_date = entry.scheduled_purge_date = None
        self.put(entry)
        return entry

    def purge(self, name: str) -> Entry | None:
        """Forget a deleted object for good; returns it (None if absent)."""
        key = name.lower()
        entry = self.deleted.pop(key, None)
        if entry is not None:
            self.deleted_names.remove(key)
        return entry


class Store:
    """All the collections of one vault, under the vault's recovery level."""

    def __init__(self, recovery: Recovery | None = None) -> None:
        self.recovery = recovery or Recovery()
        self.secrets = Collection("secret", self.recovery)
        self.keys = Collection("key", self.recovery)
        self.certificates = Collection("certificate", self.recovery)
