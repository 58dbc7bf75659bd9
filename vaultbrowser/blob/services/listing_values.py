"""Wire texts of a List Blobs page → the compact values ``listing_columns`` holds: what the
parser collects per ``<Blob>`` (``BlobFields``), dates as POSIX timestamps, ETags as numbers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from vaultbrowser.blob.services.listing_xml import _MONTHS

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_TIME = math.nan  # a time column's "None"

# How a row's ETag / Content-MD5 is held (the last two items of a shape).
ABSENT, PACKED, QUOTED, ODD = 0, 1, 2, 3


class BlobFields:
    """What one ``<Blob>`` element said, as the parser collected it: its direct children's
    texts (``fields``), ``<Properties>`` (``props``), ``<Metadata>`` and ``<Tags>`` (None when
    absent), and whether its ``<Name>`` was ``Encoded``."""

    __slots__ = ("encoded", "fields", "metadata", "props", "tags")

    def __init__(self) -> None:
        self.fields: dict[str, str | None] = {}
        self.props: dict[str, str | None] = {}
        self.metadata: dict[str, str] | None = None
        self.tags: dict[str, str] | None = None
        self.encoded = False


def stamp_of(value: datetime | None) -> float:
    return NO_TIME if value is None else value.timestamp()


def when(stamp: float) -> datetime | None:
    return None if stamp != stamp else _EPOCH + timedelta(seconds=stamp)  # NaN: None


def gmt_stamp(text: str, days: dict[str, float]) -> float | None:
    """The timestamp of "Tue, 02 Jan 2024 03:04:05 GMT" (what ``_parse_rfc1123``'s first
    branch reads, by the same slices), its day's part remembered in ``days``; None for any
    other text (``_parse_rfc1123`` then decides)."""
    if len(text) != 29 or not text.endswith(" GMT"):
        return None
    key = "\0" + text[5:16]  # the day ("02 Jan 2024"); never a whole date text
    day = days.get(key)
    if day is None:
        try:
            day = datetime(int(text[12:16]), _MONTHS[text[8:11]], int(text[5:7]),
                           tzinfo=UTC).timestamp()
        except (KeyError, ValueError):
            day = NO_TIME
        days[key] = day
    if day != day:
        return None
    try:
        hour, minute, second = int(text[17:19]), int(text[20:22]), int(text[23:25])
    except ValueError:
        return None
    if 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60:
        return day + hour * 3600 + minute * 60 + second
    return None


def packed_etag(text: str) -> tuple[int, int]:
    """(form, value) of an ETag: ``0x8DC…`` (or quoted) held as its number when the text is
    exactly what the number prints back to."""
    quoted = len(text) > 2 and text[0] == '"' and text[-1] == '"'
    bare = text[1:-1] if quoted else text
    if 2 < len(bare) <= 18 and bare[:2] == "0x":
        try:
            value = int(bare[2:], 16)
        except ValueError:
            return ODD, 0
        if value and f"0x{value:X}" == bare:
            return (QUOTED if quoted else PACKED), value
    return ODD, 0
