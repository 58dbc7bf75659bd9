"""List Blobs / List Containers XML (``EnumerationResults``) → our records, without the SDK's
model deserializer, in slices that never hold the event loop for long.

The SDK turns every listed blob into generated models and then into ``BlobProperties`` (about
0.5 ms of CPU per blob, on the loop that also paints the window). Here the body is parsed with
``xml.etree.ElementTree``'s C parser and each ``<Blob>`` element goes straight to a
``BlobRecord``. The records are the ones ``blob_convert`` makes from the SDK's objects, field for
field (the fast-listing tests compare both paths on the same data).

Why slices and not ``run_in_executor``: ElementTree's C parser holds the GIL for the whole of a
``feed``/``fromstring`` call, so parsing a 5,000-blob page (3.2 MB) in a worker thread still stops
the loop thread for that long (measured with ``bench.loop_monitor.LoopStallMonitor``, GC off:
65-72 ms per page; with GC on a worker's full collection also holds the GIL). Instead the body is
fed to an ``XMLPullParser`` in 32 KiB pieces as it arrives from the network, each complete item
is converted and cleared at once, and ``Slicer.pause()`` yields to the loop whenever a stretch has
run for ``budget`` seconds (measured: 11 ms longest stall for the same page, GC permitting).

What slicing cannot remove: the cyclic GC's full collections, whose length grows with the whole
process heap and which any code keeping many records alive triggers (the records a model holds
are GC-tracked). Streaming keeps our own share small (no 100,000-element tree per page); the
SDK path makes about 50,000 cyclic garbage objects per page on top.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from urllib.parse import unquote

from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.services.errors import ServiceError
from vaultbrowser.core.services.http.limits import page_items_exceeded
from vaultbrowser.core.services.redaction import redact_url
from vaultbrowser.core.services.wire_time import describe_wire_value

__all__ = [
    "DEFAULT_SLICE_SECONDS",
    "FEED_BYTES",
    "Slicer",
    "blob_record_from_xml",
    "container_record_from_xml",
    "read_blob_listing",
    "read_container_listing",
]

# How long one stretch of parsing/converting may keep the loop before it yields.
DEFAULT_SLICE_SECONDS = 0.004
# The parser is fed at most this much at a time, and what it parsed is converted before the next
# piece: 32 KiB is about 50 blobs, 1-3 ms of work.
FEED_BYTES = 32 * 1024

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


class Slicer:
    """Cooperative time slicing: ``await slicer.pause()`` yields to the loop once ``budget``
    seconds have passed since the last yield, and costs one clock read otherwise."""

    __slots__ = ("_budget", "_mark", "yields")

    def __init__(self, budget: float = DEFAULT_SLICE_SECONDS) -> None:
        self._budget = budget
        self._mark = time.perf_counter()
        self.yields = 0

    async def pause(self) -> None:
        now = time.perf_counter()
        if now - self._mark >= self._budget:
            await asyncio.sleep(0)
            self.yields += 1
            self._mark = time.perf_counter()


async def _read_items(
    chunks: AsyncIterable[bytes],
    slicer: Slicer,
    item_tags: frozenset[str],
    on_item: Callable[[ET.Element], None],
    max_items: int | None = None,
) -> ET.Element | None:
    """Stream-parse a body, calling ``on_item`` with each complete item element (a direct
    ``<Blob>``/``<BlobPrefix>``/``<Container>``) as soon as it is parsed; returns the root.

    Each item is cleared once converted, so the parsed tree never holds more than one feed's
    worth of items: the elements die young, which keeps the cyclic GC from promoting a 100,000
    element tree per page and then pausing the loop for a full collection (measured: 60-160 ms
    pauses with a whole tree per page).

    Only elements with children count as items: a metadata key may be named "Blob", but
    metadata values are text, so such an element is a leaf.

    Raises:
        ServiceError: the body is not well-formed XML.
        LimitExceeded: more than ``max_items`` items (parsing stops there).
    """
    parser = ET.XMLPullParser(events=("end",))
    root: ET.Element | None = None
    left = -1 if max_items is None else max_items  # items still allowed (-1: no limit)

    def drain() -> None:
        nonlocal root, left
        for _event, element in parser.read_events():
            root = element  # the last "end" is the root's
            if element.tag in item_tags and len(element):
                if not left:
                    raise page_items_exceeded(max_items or 0)
                left -= 1
                on_item(element)
                element.clear()

    try:
        async for chunk in chunks:
            view = memoryview(chunk)
            for start in range(0, len(view), FEED_BYTES):
                parser.feed(view[start:start + FEED_BYTES])
                drain()
                await slicer.pause()
        parser.close()
        drain()
    except (ET.ParseError, LookupError, UnicodeError) as error:  # LookupError: an encoding
        where = (f" (line {error.position[0]}, column {error.position[1]})"
                 if isinstance(error, ET.ParseError) else "")
        raise ServiceError(
            f"The service's listing is not well-formed XML{where}.",
            advice="The service, or a proxy on the way, sent a damaged answer. Try again; if "
                   "it persists, the proxy may be rewriting responses.") from None
    return root


# --- scalar fields, as the SDK's deserializer reads them -----------------------------------------


class _Dates:
    """RFC 1123 dates ("Mon, 23 Nov 2026 17:49:58 GMT") → aware UTC datetimes, memoized per page
    (a listing repeats the same few timestamps many times)."""

    __slots__ = ("_cache", "invalid")

    def __init__(self) -> None:
        self._cache: dict[str, datetime | None] = {}
        self.invalid: set[str] = set()  # texts that were not dates (rare: checked per record)

    def __call__(self, text: str | None) -> datetime | None:
        if not text:
            return None
        try:
            return self._cache[text]
        except KeyError:
            pass
        value = _parse_rfc1123(text)
        if value is None:
            self.invalid.add(text)
        self._cache[text] = value
        return value


def _parse_rfc1123(text: str) -> datetime | None:
    """An RFC 1123 date as aware UTC, or None when it is not one (or not one UTC can hold)."""
    try:
        if len(text) == 29 and text.endswith(" GMT"):
            return datetime(int(text[12:16]), _MONTHS[text[8:11]], int(text[5:7]),
                            int(text[17:19]), int(text[20:22]), int(text[23:25]), tzinfo=UTC)
    except (KeyError, ValueError):
        pass
    try:
        value = parsedate_to_datetime(text)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# Each time field of a ``BlobRecord``, and the ``<Properties>`` element that carries it.
_BLOB_TIME_TAGS = (("last_modified", "Last-Modified"), ("created_on", "Creation-Time"),
                   ("access_tier_changed_on", "AccessTierChangeTime"),
                   ("last_accessed_on", "LastAccessTime"), ("deleted_on", "DeletedTime"),
                   ("immutability_policy_until", "ImmutabilityPolicyUntilDate"))


def _invalid_dates(props: Mapping[str, str | None], tags: tuple[tuple[str, str], ...],
                   invalid: set[str]) -> dict[str, Mapping[str, str]]:
    """``{"invalid_dates": field → what the service sent}`` for a record whose date texts
    were not dates; ``{}`` (the record's default) otherwise, at once when the page had none."""
    if not invalid:
        return {}
    found = {field: describe_wire_value(props[tag]) for field, tag in tags
             if props.get(tag) in invalid}
    return {"invalid_dates": MappingProxyType(found)} if found else {}


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


def _int(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _md5(text: str | None) -> str | None:
    """Content-MD5 in canonical base64, as ``blob_convert`` re-encodes the SDK's bytes."""
    if not text:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text
    return base64.b64encode(raw).decode("ascii") if raw else None


def _shared(text: str | None) -> str | None:
    """One str per distinct value of a field with few values (content type, tier, lease state):
    a million listed blobs then hold a handful of them, not a million ~60-byte copies."""
    return sys.intern(text) if text else text


def _name(element: ET.Element | None) -> str:
    """A ``<Name>``; ``Encoded="true"`` means the service percent-encoded it (names with
    characters XML 1.0 cannot carry), as the SDK's ``unquote`` undoes."""
    if element is None:
        return ""
    text = element.text or ""
    if element.get("Encoded", "").lower() == "true":
        return unquote(text)
    return text


# Shared by every record without metadata or tags: one fewer GC-tracked object per record.
_NO_VALUES: Mapping[str, str] = MappingProxyType({})


def _children_map(element: ET.Element | None) -> Mapping[str, str]:
    if element is None or not len(element):
        return _NO_VALUES
    return MappingProxyType({child.tag: child.text or "" for child in element})


def _tags(element: ET.Element | None) -> dict[str, str] | None:
    """``<Tags><TagSet><Tag><Key/><Value/></Tag>…`` → dict (None when absent)."""
    if element is None:
        return None
    tags: dict[str, str] = {}
    for tag in element.iter("Tag"):
        key = tag.findtext("Key")
        if key is not None:
            tags[key] = tag.findtext("Value") or ""
    return tags


# --- records ----------------------------------------------------------------------------------


def blob_record_from_xml(element: ET.Element, container: str, dates: _Dates | None = None
                         ) -> BlobRecord:
    """One ``<Blob>`` element → ``BlobRecord`` (the same record ``blob_convert.blob_record``
    makes from the SDK's ``BlobProperties`` of that blob)."""
    date = dates or _Dates()
    fields: dict[str, ET.Element] = {child.tag: child for child in element}
    props_element = fields.get("Properties")
    props: dict[str, str | None] = (
        {child.tag: child.text for child in props_element} if props_element is not None else {}
    )
    get = props.get

    def text(tag: str) -> str | None:
        child = fields.get(tag)
        return child.text if child is not None else None

    tags = _tags(fields.get("Tags"))
    tag_count = _int(get("TagCount"))
    if tag_count is None and tags:
        tag_count = len(tags)
    copy_source = get("CopySource")
    return BlobRecord(
        container=container,
        name=_name(fields.get("Name")),
        size=_int(get("Content-Length")),
        content_type=_shared(get("Content-Type")),
        blob_type=_shared(get("BlobType")) or None,
        access_tier=_shared(get("AccessTier")) or None,
        last_modified=date(get("Last-Modified")),
        created_on=date(get("Creation-Time")),
        etag=get("Etag"),
        content_md5=_md5(get("Content-MD5")),
        content_encoding=_shared(get("Content-Encoding")),
        content_language=_shared(get("Content-Language")),
        content_disposition=get("Content-Disposition"),
        cache_control=_shared(get("Cache-Control")),
        lease_state=_shared(get("LeaseState")) or None,
        lease_status=_shared(get("LeaseStatus")) or None,
        lease_duration=_shared(get("LeaseDuration")) or None,
        server_encrypted=_bool(get("ServerEncrypted")),
        metadata=_children_map(fields.get("Metadata")),
        tags=MappingProxyType(tags) if tags else _NO_VALUES,
        tag_count=tag_count,
        snapshot=text("Snapshot"),
        version_id=text("VersionId"),
        is_current_version=_bool(text("IsCurrentVersion")),
        deleted=bool(_bool(text("Deleted"))),
        access_tier_inferred=_bool(get("AccessTierInferred")),
        access_tier_changed_on=date(get("AccessTierChangeTime")),
        archive_status=get("ArchiveStatus") or None,
        rehydrate_priority=get("RehydratePriority") or None,
        encryption_scope=get("EncryptionScope"),
        last_accessed_on=date(get("LastAccessTime")),
        deleted_on=date(get("DeletedTime")),
        remaining_retention_days=_int(get("RemainingRetentionDays")),
        has_legal_hold=_bool(get("LegalHold")),
        immutability_policy_until=date(get("ImmutabilityPolicyUntilDate")),
        immutability_policy_mode=get("ImmutabilityPolicyMode") or None,
        copy_status=get("CopyStatus") or None,
        copy_source=redact_url(copy_source) if copy_source else None,
        **_invalid_dates(props, _BLOB_TIME_TAGS, date.invalid),
    )


def container_record_from_xml(element: ET.Element, account_url: str,
                              dates: _Dates | None = None) -> ContainerRecord:
    """One ``<Container>`` element → ``ContainerRecord`` (as ``blob_convert.container_record``)."""
    date = dates or _Dates()
    fields: dict[str, ET.Element] = {child.tag: child for child in element}
    props_element = fields.get("Properties")
    props: dict[str, str | None] = (
        {child.tag: child.text for child in props_element} if props_element is not None else {}
    )
    get = props.get
    version = fields.get("Version")
    return ContainerRecord(
        account_url=account_url,
        name=_name(fields.get("Name")),
        last_modified=date(get("Last-Modified")),
        etag=get("Etag"),
        public_access=get("PublicAccess") or None,
        lease_state=get("LeaseState") or None,
        lease_status=get("LeaseStatus") or None,
        lease_duration=get("LeaseDuration") or None,
        has_immutability_policy=bool(_bool(get("HasImmutabilityPolicy"))),
        has_legal_hold=bool(_bool(get("HasLegalHold"))),
        metadata=_children_map(fields.get("Metadata")),
        deleted=bool(_bool(fields["Deleted"].text if "Deleted" in fields else None)),
        version=version.text if version is not None else None,
        default_encryption_scope=get("DefaultEncryptionScope"),
        immutable_storage_with_versioning=bool(
            _bool(get("ImmutableStorageWithVersioningEnabled"))
        ),
        **_invalid_dates(props, (("last_modified", "Last-Modified"),), date.invalid),
    )


def _next_marker(root: ET.Element | None) -> str | None:
    return (root.findtext("NextMarker") if root is not None else None) or None


_BLOB_ITEMS = frozenset({"Blob", "BlobPrefix"})
_CONTAINER_ITEMS = frozenset({"Container"})


async def read_blob_listing(
    chunks: AsyncIterable[bytes], container: str, slicer: Slicer, max_items: int | None = None
) -> tuple[list[BlobPrefixRecord], list[BlobRecord], str | None]:
    """The prefixes, blobs and continuation marker of a List Blobs ``EnumerationResults`` body.

    Prefixes and blobs are returned apart (in document order each): the SDK's ``walk_blobs``
    hands out a page's prefixes first, then its blobs, and so does ``list_folder``.

    Raises:
        ServiceError: the body is not well-formed XML.
        LimitExceeded: more than ``max_items`` prefixes and blobs.
    """
    prefixes: list[BlobPrefixRecord] = []
    blobs: list[BlobRecord] = []
    dates = _Dates()

    def on_item(element: ET.Element) -> None:
        if element.tag == "Blob":
            blobs.append(blob_record_from_xml(element, container, dates))
        else:
            prefixes.append(BlobPrefixRecord(container=container,
                                             prefix=_name(element.find("Name"))))

    root = await _read_items(chunks, slicer, _BLOB_ITEMS, on_item, max_items)
    return prefixes, blobs, _next_marker(root)


async def read_container_listing(
    chunks: AsyncIterable[bytes], account_url: str, slicer: Slicer, max_items: int | None = None
) -> tuple[list[ContainerRecord], str | None]:
    """The containers and continuation marker of a List Containers ``EnumerationResults`` body.

    Raises:
        ServiceError: the body is not well-formed XML.
        LimitExceeded: more than ``max_items`` containers.
    """
    containers: list[ContainerRecord] = []
    dates = _Dates()

    def on_item(element: ET.Element) -> None:
        containers.append(container_record_from_xml(element, account_url, dates))

    root = await _read_items(chunks, slicer, _CONTAINER_ITEMS, on_item, max_items)
    return containers, _next_marker(root)
