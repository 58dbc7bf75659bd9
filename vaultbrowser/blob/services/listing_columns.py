"""One List Blobs page held column by column: ``BlobColumns``, a ``Sequence`` of the page's
prefixes and then its blobs, each blob a ``BlobRecord`` built when asked for.

Why columns: a loaded million-blob container held a million frozen 40-field records (344
bytes each), their ETag and Content-MD5 strings and datetimes: about 800 bytes a row. Here a
row is its name, eight bytes each for size, last modified, created, ETag, sixteen for the MD5
and four for its *shape*: the tuple of its few-valued fields (content type, blob type, tier,
lease state, …), stored once per page and shared by every row that has it. Metadata and tags
are kept only for the rows that have them (equal maps shared within a page), rare fields
(snapshot, version, deletion time, an unusual ETag, …) in a per-row dict only where present.

``blob(row)`` rebuilds exactly the ``BlobRecord`` that ``listing_xml.blob_record_from_xml``
makes from the same XML (the tests compare both on Azurite's and generated listings).
"""

from __future__ import annotations

import dataclasses
import math
from array import array
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, overload
from urllib.parse import unquote

from vaultbrowser.blob.services.listing_values import (
    ABSENT,
    NO_TIME,
    ODD,
    PACKED,
    QUOTED,
    BlobFields,
    gmt_stamp,
    packed_etag,
    stamp_of,
    when,
)
from vaultbrowser.blob.services.listing_xml import (
    _BLOB_TIME_TAGS,
    _NO_VALUES,
    _bool,
    _int,
    _md5,
    _parse_rfc1123,
    _shared,
)
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord
from vaultbrowser.core.services.redaction import redact_url
from vaultbrowser.core.services.wire_time import describe_wire_value

__all__ = ["SHAPE_FIELDS", "BlobColumns", "BlobFields"]

_NO_SIZE = -(2**63)  # a size column's "None"
# Content-MD5 is held as the 24 characters the service sent (base64 of 16 bytes).
_MD5_TEXT_BYTES = 24
_NO_MD5_TEXT = bytes(_MD5_TEXT_BYTES)
# Shared int objects for row numbers (a page holds at most 5,000 blobs): a row's number held
# as a dict key or a tree leaf's index costs no int object of its own.
ROW_NUMBERS = tuple(range(5_000))

# The records ``record_at`` built last (a few screens' worth), by (page, row).
_RECENT: dict[tuple[BlobColumns, int], BlobRecord] = {}
_RECENT_MAX = 512  # (it keeps their pages alive: a few screens, not more)

# The few-valued fields of a blob, held once per distinct combination (a page's "shapes").
SHAPE_FIELDS = ("content_type", "blob_type", "access_tier", "content_encoding",
                "content_language", "content_disposition", "cache_control", "lease_state",
                "lease_status", "lease_duration", "server_encrypted", "is_current_version",
                "deleted", "tag_count", "access_tier_inferred", "archive_status",
                "rehydrate_priority", "encryption_scope", "has_legal_hold",
                "immutability_policy_mode", "copy_status")
# BlobRecord's fields in order, their defaults, and where each sits (records are built
# positionally from a per-shape template).
_FIELDS = dataclasses.fields(BlobRecord)
_FIELD_AT = {field.name: at for at, field in enumerate(_FIELDS)}
_DEFAULTS = tuple(field.default if field.default is not dataclasses.MISSING else None
                  for field in _FIELDS)
_CONTAINER, _NAME, _SIZE, _MODIFIED, _CREATED, _ETAG, _MD5, _METADATA, _TAGS = (
    _FIELD_AT[name] for name in ("container", "name", "size", "last_modified", "created_on",
                                 "etag", "content_md5", "metadata", "tags"))
# The <Properties> texts a shape is made of, in ``_shape_of``'s order.
_SHAPE_TAGS = ("Content-Type", "BlobType", "AccessTier", "Content-Encoding",
               "Content-Language", "Content-Disposition", "Cache-Control", "LeaseState",
               "LeaseStatus", "LeaseDuration", "ServerEncrypted", "TagCount",
               "AccessTierInferred", "ArchiveStatus", "RehydratePriority", "EncryptionScope",
               "LegalHold", "ImmutabilityPolicyMode", "CopyStatus")
_RARE_TIME_TAGS = tuple(pair for pair in _BLOB_TIME_TAGS
                        if pair[0] not in ("last_modified", "created_on"))
_RARE_TIMES = frozenset(tag for _field, tag in _RARE_TIME_TAGS)
_NO_STAMP = -math.inf  # (a sentinel object: compared by identity, never stored)
class BlobColumns(Sequence[BlobPrefixRecord | BlobRecord]):
    """A listing page: ``prefixes`` (``BlobPrefixRecord``), then its blobs by row. Indexing
    builds the item; ``blob_count``, ``name``, ``size``, ``shape`` … read a blob's columns
    without building its record. Append-only while the page is parsed, then never changed."""

    __slots__ = ("__weakref__", "_extras", "_maps", "_metadata", "_raw_shapes", "_shape_index",
                 "_shape_values", "_shapes", "_tags", "container", "created", "etags", "md5s",
                 "modified", "name_bytes", "name_ends", "prefixes", "sizes")

    def __init__(self, container: str) -> None:
        self.container = container
        self.prefixes: list[BlobPrefixRecord] = []
        # The names, UTF-8, end to end (a str per row is ~50 bytes more than its text).
        self.name_bytes = bytearray()
        self.name_ends = array("I")
        self.sizes = array("q")
        self.modified = array("d")
        self.created = array("d")
        self.etags = array("Q")
        self.md5s = bytearray()
        self._shapes = array("H")
        self._shape_values: list[dict[str, Any]] = []  # per shape: its fields as keywords
        self._shape_index: dict[tuple[Any, ...], int] = {}
        self._raw_shapes: dict[tuple[Any, ...], int] = {}  # the texts of a shape → its index
        self._metadata: dict[int, Mapping[str, str]] = {}
        self._tags: dict[int, Mapping[str, str]] = {}
        self._extras: dict[int, dict[str, Any]] = {}
        self._maps: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}

    # --- reading --------------------------------------------------------------------------

    @property
    def blob_count(self) -> int:
        return len(self.name_ends)

    def __len__(self) -> int:
        return len(self.prefixes) + len(self.name_ends)

    @overload
    def __getitem__(self, index: int) -> BlobPrefixRecord | BlobRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BlobPrefixRecord | BlobRecord]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(index)
        folders = len(self.prefixes)
        return self.prefixes[index] if index < folders else self.blob(index - folders)

    def __iter__(self) -> Iterator[BlobPrefixRecord | BlobRecord]:
        yield from self.prefixes
        for row in range(len(self.name_ends)):
            yield self.blob(row)

    def name(self, row: int) -> str:
        start = self.name_ends[row - 1] if row else 0
        return self.name_bytes[start:self.name_ends[row]].decode("utf-8", "surrogatepass")

    def size(self, row: int) -> int | None:
        size = self.sizes[row]
        if size == _NO_SIZE:
            return self._extras.get(row, {}).get("size")
        return size

    def modified_stamp(self, row: int) -> float:
        """Last modified as a POSIX timestamp; NaN when the listing had none."""
        return self.modified[row]

    def blob_modified(self, row: int) -> datetime | None:
        return when(self.modified[row])

    def shape(self, row: int) -> Mapping[str, Any]:
        """The row's few-valued fields (``SHAPE_FIELDS``), shared with the rows like it."""
        return self._shape_values[self._shapes[row]]

    def is_deleted(self, row: int) -> bool:
        return bool(self._shape_values[self._shapes[row]]["deleted"])

    def record_at(self, row: int) -> BlobRecord:
        """``blob(row)``, remembered for a while: a view asks for the same few rows' record
        per painted cell (a tree leaf's ``record``; ``tree_node.RowSource``)."""
        key = (self, row)
        record = _RECENT.get(key)
        if record is None:
            if len(_RECENT) >= _RECENT_MAX:
                _RECENT.clear()
            record = _RECENT[key] = self.blob(row)
        return record

    def blob(self, row: int) -> BlobRecord:
        """The row's record, built now (the same values on every call). Positional, from its
        shape's template: a view, a sort or a consumer may build a million of them."""
        shape = self._shape_values[self._shapes[row]]
        values = list(shape["_template"])
        etag_form = shape["_etag"]
        if etag_form == PACKED:
            values[_ETAG] = f"0x{self.etags[row]:X}"
        elif etag_form == QUOTED:
            values[_ETAG] = f'"0x{self.etags[row]:X}"'
        if shape["_md5"] == PACKED:
            at = row * _MD5_TEXT_BYTES
            values[_MD5] = _md5(self.md5s[at:at + _MD5_TEXT_BYTES].decode("ascii"))
        size = self.sizes[row]
        values[_CONTAINER] = self.container
        values[_NAME] = self.name(row)
        values[_SIZE] = None if size == _NO_SIZE else size
        values[_MODIFIED] = when(self.modified[row])
        values[_CREATED] = when(self.created[row])
        values[_METADATA] = self._metadata.get(row, _NO_VALUES)
        values[_TAGS] = self._tags.get(row, _NO_VALUES)
        extras = self._extras.get(row)
        if extras:
            for field, value in extras.items():
                values[_FIELD_AT[field]] = value
        return BlobRecord(*values)

    # --- filling (the parser) ---------------------------------------------------------------

    def seal(self) -> None:
        """The page is complete: its columns keep their exact size (growing buffers hold up
        to an eighth more)."""
        self.name_bytes = bytes(self.name_bytes)  # type: ignore[assignment]
        self.md5s = bytes(self.md5s)  # type: ignore[assignment]
        for name in ("name_ends", "sizes", "modified", "created", "etags", "_shapes"):
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, column))

    def add_prefix(self, name: str) -> None:
        self.prefixes.append(BlobPrefixRecord(container=self.container, prefix=name))

    def add_blob(self, blob: BlobFields, dates: dict[str, float]) -> None:
        """Append one ``<Blob>``: the values ``blob_record_from_xml`` would give, column by
        column. ``dates``: the page's date texts → timestamps (a listing repeats a few).
        Written for few Python calls: it runs once per listed blob."""
        count = len(self.name_ends)
        row = ROW_NUMBERS[count] if count < 5_000 else count
        fields, props = blob.fields, blob.props
        get = props.get
        extras: dict[str, Any] = {}
        name = fields.get("Name") or ""
        self.name_bytes += (unquote(name) if blob.encoded else name).encode("utf-8",
                                                                          "surrogatepass")
        self.name_ends.append(len(self.name_bytes))

        size = _int(get("Content-Length"))
        if size is None or not _NO_SIZE < size < 2**63:
            if size is not None:
                extras["size"] = size
            size = _NO_SIZE
        self.sizes.append(size)

        for tag, field, column in (("Last-Modified", "last_modified", self.modified),
                                   ("Creation-Time", "created_on", self.created)):
            text = get(tag)
            if text:
                stamp = dates.get(text, _NO_STAMP)
                if stamp is _NO_STAMP or stamp != stamp:  # not seen yet, or not a date
                    stamp = self._stamp_of(text, field, dates, extras)
                column.append(stamp)
            else:
                column.append(NO_TIME)
        if not _RARE_TIMES.isdisjoint(props):
            for field, tag in _RARE_TIME_TAGS:
                text = get(tag)
                if text:
                    stamp = self._stamp_of(text, field, dates, extras)
                    if stamp == stamp:
                        extras[field] = when(stamp)

        text = get("Etag")
        if text is None:
            etag_form, value = ABSENT, 0
        else:  # "0x8DC…": held as its number when it prints back the same
            try:
                value = int(text, 16) if text[:2] == "0x" and len(text) <= 18 else 0
            except ValueError:
                value = 0
            etag_form = PACKED if value and f"0x{value:X}" == text else ODD
            if etag_form == ODD:
                etag_form, value = packed_etag(text)  # quoted, or kept as sent
                if etag_form == ODD:
                    extras["etag"] = text
        self.etags.append(value)

        text = get("Content-MD5")
        if not text:
            md5_form = ABSENT
            self.md5s += _NO_MD5_TEXT
        elif len(text) == _MD5_TEXT_BYTES and text.isascii():
            md5_form = PACKED  # canonicalised (``_md5``) when the record is built
            self.md5s += text.encode("ascii")
        else:
            md5 = _md5(text)
            md5_form = ODD if md5 else ABSENT
            if md5:
                extras["content_md5"] = md5
            self.md5s += _NO_MD5_TEXT

        tags = blob.tags
        if tags:
            self._tags[row] = MappingProxyType(tags)
        if blob.metadata:
            self._metadata[row] = self._shared_map(blob.metadata)
        if len(fields) > 1:  # more than <Name>: snapshots, versions, deleted blobs
            for field, tag in (("snapshot", "Snapshot"), ("version_id", "VersionId")):
                if fields.get(tag) is not None:
                    extras[field] = fields[tag]
        days = _int(get("RemainingRetentionDays"))
        if days is not None:
            extras["remaining_retention_days"] = days
        copy_source = get("CopySource")
        if copy_source:
            extras["copy_source"] = redact_url(copy_source)
        if extras:
            if "invalid_dates" in extras:
                extras["invalid_dates"] = MappingProxyType(extras["invalid_dates"])
            self._extras[row] = extras

        key = (*map(get, _SHAPE_TAGS), fields.get("IsCurrentVersion"), fields.get("Deleted"),
               len(tags) if tags else 0, etag_form, md5_form)
        index = self._raw_shapes.get(key)
        if index is None:
            index = self._raw_shapes[key] = self._shape_of(key)
        self._shapes.append(index)

    @staticmethod
    def _stamp_of(text: str, field: str, dates: dict[str, float],
                  extras: dict[str, Any]) -> float:
        """A date text's timestamp (NaN when it is not a date: then ``invalid_dates`` says
        what was sent), parsed once per page."""
        stamp = dates.get(text)
        if stamp is None:
            stamp = gmt_stamp(text, dates)
            if stamp is None:  # not the usual shape: as listing_xml parses it
                stamp = stamp_of(_parse_rfc1123(text))
            dates[text] = stamp
        if stamp != stamp:
            extras.setdefault("invalid_dates", {})[field] = describe_wire_value(text)
        return stamp

    def _shape_of(self, key: tuple[Any, ...]) -> int:
        """The shape index of a blob whose raw shape texts are ``key`` (converted as
        ``blob_record_from_xml`` converts them; equal shapes are one entry)."""
        (content_type, blob_type, tier, encoding, language, disposition, cache, lease_state,
         lease_status, lease_duration, encrypted, tag_count, inferred, archive, rehydrate,
         scope, legal_hold, policy_mode, copy_status, current, deleted, tags, etag_form,
         md5_form) = key
        count = _int(tag_count)
        shape = (_shared(content_type), _shared(blob_type) or None, _shared(tier) or None,
                 _shared(encoding), _shared(language), disposition, _shared(cache),
                 _shared(lease_state) or None, _shared(lease_status) or None,
                 _shared(lease_duration) or None, _bool(encrypted), _bool(current),
                 bool(_bool(deleted)), count if count is not None or not tags else tags,
                 _bool(inferred), archive or None, rehydrate or None, scope,
                 _bool(legal_hold), policy_mode or None, copy_status or None,
                 etag_form, md5_form)
        index = self._shape_index.get(shape)
        if index is None:
            index = self._shape_index[shape] = len(self._shape_values)
            values = dict(zip(SHAPE_FIELDS, shape, strict=False))
            template = list(_DEFAULTS)
            for field, value in values.items():
                template[_FIELD_AT[field]] = value
            values["_etag"], values["_md5"], values["_template"] = etag_form, md5_form, \
                tuple(template)
            self._shape_values.append(values)
        return index

    def _shared_map(self, values: dict[str, str]) -> Mapping[str, str]:
        """One read-only map per distinct metadata of the page (rows often share theirs)."""
        key = tuple(values.items())
        shared = self._maps.get(key)
        if shared is None:
            shared = self._maps[key] = MappingProxyType(values)
        return shared
