"""SDK blob objects → our frozen records: the one place per record type.

A faster listing path (raw XML through the same pipeline) only has to produce the same records;
nothing above ``services/`` sees the SDK's ``BlobProperties``, ``ContainerProperties`` or
``BlobPrefix``.
Every datetime leaves here timezone-aware UTC; every mapping leaves here read-only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.services.redaction import redact_url
from vaultbrowser.core.services.wire_time import to_utc


def utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (a naive one is taken to be UTC already); None when
    it is not a time or cannot be one in UTC."""
    if value is None:
        return None
    try:
        return to_utc(value)
    except ValueError:
        return None


def frozen_map(values: Mapping[str, Any] | None) -> Mapping[str, str]:
    """A read-only copy of ``values`` with string values (empty when None)."""
    return MappingProxyType({str(k): str(v) for k, v in (values or {}).items()})


def _enum_text(value: Any) -> str | None:
    """An SDK enum (or plain string) as its wire text."""
    if value is None:
        return None
    text = getattr(value, "value", value)
    return str(text) if text != "" else None


def _md5_text(value: Any) -> str | None:
    """Content-MD5 as the service sends it (base64); the SDK hands over raw bytes."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii") if len(value) else None
    return str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def container_record(props: Any, account_url: str) -> ContainerRecord:
    """From an SDK ``ContainerProperties`` (listing item or properties GET)."""
    lease = getattr(props, "lease", None)
    scope = getattr(props, "encryption_scope", None)
    return ContainerRecord(
        account_url=account_url,
        name=str(props.name),
        last_modified=utc(props.last_modified),
        etag=props.etag,
        public_access=_enum_text(props.public_access),
        lease_state=_enum_text(getattr(lease, "state", None)),
        lease_status=_enum_text(getattr(lease, "status", None)),
        lease_duration=_enum_text(getattr(lease, "duration", None)),
        has_immutability_policy=bool(props.has_immutability_policy),
        has_legal_hold=bool(props.has_legal_hold),
        metadata=frozen_map(props.metadata),
        deleted=bool(getattr(props, "deleted", False)),
        version=getattr(props, "version", None),
        default_encryption_scope=getattr(scope, "default_encryption_scope", None),
        immutable_storage_with_versioning=bool(
            getattr(props, "immutable_storage_with_versioning_enabled", False)
        ),
    )


def blob_record(
    props: Any, container: str, *, tags: Mapping[str, str] | None = None
) -> BlobRecord:
    """From an SDK ``BlobProperties`` (listing item or properties GET).

    ``tags`` overrides the properties' own tags (a properties GET has none: they come from a
    separate Get Blob Tags call).
    """
    settings = props.content_settings
    lease = props.lease
    copy = props.copy
    policy = getattr(props, "immutability_policy", None)
    listed_tags = tags if tags is not None else props.tags
    tag_count = _int(getattr(props, "tag_count", None))
    if tag_count is None and listed_tags:
        tag_count = len(listed_tags)
    copy_source = getattr(copy, "source", None)
    return BlobRecord(
        container=container,
        name=str(props.name),
        size=_int(props.size),
        content_type=settings.content_type,
        blob_type=_enum_text(props.blob_type),
        access_tier=_enum_text(props.blob_tier),
        last_modified=utc(props.last_modified),
        created_on=utc(props.creation_time),
        etag=props.etag,
        content_md5=_md5_text(settings.content_md5),
        content_encoding=settings.content_encoding,
        content_language=settings.content_language,
        content_disposition=settings.content_disposition,
        cache_control=settings.cache_control,
        lease_state=_enum_text(lease.state),
        lease_status=_enum_text(lease.status),
        lease_duration=_enum_text(lease.duration),
        server_encrypted=props.server_encrypted,
        metadata=frozen_map(props.metadata),
        tags=frozen_map(listed_tags),
        tag_count=tag_count,
        snapshot=props.snapshot,
        version_id=props.version_id,
        is_current_version=props.is_current_version,
        deleted=bool(props.deleted),
        access_tier_inferred=props.blob_tier_inferred,
        access_tier_changed_on=utc(props.blob_tier_change_time),
        archive_status=_enum_text(props.archive_status),
        rehydrate_priority=_enum_text(getattr(props, "rehydrate_priority", None)),
        encryption_scope=props.encryption_scope,
        last_accessed_on=utc(props.last_accessed_on),
        deleted_on=utc(props.deleted_time),
        remaining_retention_days=_int(props.remaining_retention_days),
        has_legal_hold=props.has_legal_hold,
        immutability_policy_until=utc(getattr(policy, "expiry_time", None)),
        immutability_policy_mode=_enum_text(getattr(policy, "policy_mode", None)),
        copy_status=_enum_text(getattr(copy, "status", None)),
        copy_source=redact_url(copy_source) if copy_source else None,
    )


def blob_prefix_record(prefix: Any, container: str) -> BlobPrefixRecord:
    """From an SDK ``BlobPrefix`` (walk_blobs). The SDK's lazy pager inside is never touched."""
    return BlobPrefixRecord(container=container, prefix=str(prefix.name))


def folder_item(item: Any, container: str) -> BlobPrefixRecord | BlobRecord:
    """One item of a delimiter listing: a virtual folder or a blob."""
    # A BlobPrefix is a pager, not BlobProperties: tell them apart by a BlobProperties field.
    if hasattr(item, "content_settings"):
        return blob_record(item, container)
    return blob_prefix_record(item, container)


_CONTENT_RANGE_TOTAL = re.compile(r"/(\d+)\s*$")


def total_size(response: ResponseInfo | None) -> int | None:
    """The blob's full size from a ranged GET's Content-Range (or a full GET's length)."""
    if response is None:
        return None
    content_range = response.header("Content-Range")
    if content_range:
        match = _CONTENT_RANGE_TOTAL.search(content_range)
        if match:
            return int(match.group(1))
    if response.status == 200:
        length = response.header("Content-Length")
        if length and length.isdigit():
            return int(length)
    return None
