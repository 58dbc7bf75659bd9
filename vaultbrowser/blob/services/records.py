"""Blob Storage's frozen records: containers, virtual folders and blobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from vaultbrowser.core.services.records import EMPTY_MAPPING as _EMPTY


@dataclass(frozen=True, slots=True)
class ContainerRecord:
    account_url: str
    name: str
    last_modified: datetime | None = None
    etag: str | None = None
    public_access: str | None = None  # None (private), "blob" or "container"
    lease_state: str | None = None
    lease_status: str | None = None
    has_immutability_policy: bool = False
    has_legal_hold: bool = False
    metadata: Mapping[str, str] = field(default=_EMPTY)
    deleted: bool = False
    lease_duration: str | None = None  # "infinite" or "fixed" while leased
    default_encryption_scope: str | None = None
    immutable_storage_with_versioning: bool = False  # version-level WORM enabled
    version: str | None = None  # set for soft-deleted containers
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)


@dataclass(frozen=True, slots=True)
class BlobPrefixRecord:
    """A virtual folder: every blob whose name starts with ``prefix`` (which ends with '/')."""

    container: str
    prefix: str

    @property
    def display_name(self) -> str:
        return self.prefix.rstrip("/").rsplit("/", 1)[-1] + "/"


@dataclass(frozen=True, slots=True)
class BlobRecord:
    """One blob (or snapshot/version of one), from a listing or a properties GET.

    Listings fill ``tags`` only where the service returns them (``include=tags``); ``tag_count``
    says how many there are even when ``tags`` is empty. Datetimes are timezone-aware UTC.
    """

    container: str
    name: str
    size: int | None = None
    content_type: str | None = None
    blob_type: str | None = None  # BlockBlob, PageBlob, AppendBlob
    access_tier: str | None = None
    last_modified: datetime | None = None
    created_on: datetime | None = None
    etag: str | None = None
    content_md5: str | None = None  # base64, as the service sends it
    content_encoding: str | None = None
    content_language: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    lease_state: str | None = None
    server_encrypted: bool | None = None
    metadata: Mapping[str, str] = field(default=_EMPTY)
    tags: Mapping[str, str] = field(default=_EMPTY)
    snapshot: str | None = None
    version_id: str | None = None
    is_current_version: bool | None = None
    deleted: bool = False
    tag_count: int | None = None
    lease_status: str | None = None
    lease_duration: str | None = None
    access_tier_inferred: bool | None = None
    access_tier_changed_on: datetime | None = None
    archive_status: str | None = None
    rehydrate_priority: str | None = None  # Standard / High while a rehydration is pending
    encryption_scope: str | None = None
    last_accessed_on: datetime | None = None
    deleted_on: datetime | None = None
    remaining_retention_days: int | None = None
    has_legal_hold: bool | None = None
    immutability_policy_until: datetime | None = None
    immutability_policy_mode: str | None = None
    copy_status: str | None = None
    copy_source: str | None = None  # redacted: a copy source URL may carry a SAS
    # Time fields the service sent as something other than a date (field → what it sent).
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)

    @property
    def display_name(self) -> str:
        return self.name.rsplit("/", 1)[-1] if not self.name.endswith("/") else self.name
