"""A key's value in bounded pieces, as the value viewer shows it (Qt-free).

``ValuePages.for_type`` picks how a type is read: a string in byte ranges (GETRANGE, 64 KiB
at a time), hashes, sets and sorted sets in SCAN pages (HSCAN/SSCAN/ZSCAN), lists in index
windows (LRANGE) and streams in id windows (XRANGE). ``more()`` reads the next piece; nothing
reads a key in full unless the user keeps asking, and ``MAX_SHOWN_*`` caps what one viewer
holds. Rows are text already (names and values made safe by ``display_text``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.redis.services.values import MAX_MEMBER_BYTES, STRING_RANGE_BYTES, HashField
from vaultbrowser.redis.services.wire.names import display_text

PAGE_ENTRIES = 100
MAX_SHOWN_BYTES = 1024 * 1024  # of a string, in one viewer (set as text in one go)
MAX_HEX_BYTES = 256 * 1024  # a hex dump is 4.5 characters a byte, built in Python
MAX_SHOWN_ROWS = 50_000  # of a collection, in one viewer
_CELL = 2_000  # characters of one shown member or value

COLUMNS = {
    "hash": ("Field", "Value"),
    "set": ("Member",),
    "zset": ("Member", "Score"),
    "list": ("Index", "Value"),
    "stream": ("Entry id", "Fields"),
}


def cell(value: bytes) -> str:
    return display_text(value, _CELL)


def _hash_row(item: HashField) -> tuple[str, str]:
    if not item.skipped:
        return cell(item.field), cell(item.value)
    return (cell(item.field), f"‹value not read: {fmt.size(item.skipped)} with its field, "
                              f"more than the {fmt.size(MAX_MEMBER_BYTES)} a page keeps›")


def hex_dump(data: bytes, start: int = 0) -> str:
    """16 bytes a line: offset, hex, printable ASCII (the first ``MAX_HEX_BYTES``)."""
    lines = []
    for offset in range(0, min(len(data), MAX_HEX_BYTES), 16):
        chunk = data[offset:offset + 16]
        hexes = " ".join(f"{byte:02x}" for byte in chunk)
        text = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in chunk)
        lines.append(f"{start + offset:08x}  {hexes:<47}  {text}")
    if len(data) > MAX_HEX_BYTES:
        lines.append(f"… (hex shows the first {MAX_HEX_BYTES // 1024} KiB)")
    return "\n".join(lines)


def as_json(data: bytes) -> str | None:
    """The value pretty-printed when it is JSON (None when it is not)."""
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


@dataclass
class ValuePages:
    """What has been read of one key's value so far, and how to read on."""

    service: Any  # RedisService
    name: bytes
    type: str
    total: int | None = None  # bytes of a string, entries of the others (when known)
    data: bytes = b""  # a string's bytes read so far (from offset 0)
    rows: list[tuple[str, ...]] = field(default_factory=list)
    # Where to go on: a SCAN cursor, a list index, a stream id; None at the end
    position: str | None = ""
    # The rows' raw members (hash fields, list indexes) for edits: parallel to ``rows``
    keys: list[Any] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)  # hash values, list entries: raw
    skipped: int = 0  # hash fields shown without their value (too big to read in a page)

    @property
    def is_string(self) -> bool:
        return self.type == "string"

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS.get(self.type, ())

    @property
    def readable(self) -> bool:
        return self.is_string or self.type in COLUMNS

    @property
    def complete(self) -> bool:
        return self.position is None

    @property
    def capped(self) -> bool:
        """The viewer holds as much as it may; the rest is not shown."""
        return (len(self.data) >= MAX_SHOWN_BYTES if self.is_string
                else len(self.rows) >= MAX_SHOWN_ROWS)

    @property
    def can_read_more(self) -> bool:
        return self.readable and not self.complete and not self.capped

    async def more(self) -> int:
        """Read the next piece; how many bytes (a string) or rows it added.

        Raises:
            VaultBrowserError: the typed error of the command that failed.
        """
        if not self.can_read_more:
            return 0
        values = self.service.values
        token = self.position or None
        if self.is_string:
            piece = await values.string_range(self.name, len(self.data), STRING_RANGE_BYTES)
            self.data += piece.data
            self.total = piece.total
            self.position = None if len(self.data) >= piece.total or not piece.data else "more"
            return len(piece.data)
        before = len(self.rows)
        if self.type == "hash":
            page = await values.hash_page(self.name, page_size=PAGE_ENTRIES, continuation=token)
            self.rows += [_hash_row(item) for item in page.items]
            # A skipped field has no key: the viewer offers no edit of a value it has not read
            self.keys += [None if item.skipped else item.field for item in page.items]
            self.values += [item.value for item in page.items]
            self.skipped += sum(1 for item in page.items if item.skipped)
            self.position = page.next_token
        elif self.type == "set":
            page = await values.set_page(self.name, page_size=PAGE_ENTRIES, continuation=token)
            self.rows += [(cell(member),) for member in page.items]
            self.keys += list(page.items)
            self.position = page.next_token
        elif self.type == "zset":
            page = await values.sorted_set_page(self.name, page_size=PAGE_ENTRIES,
                                                continuation=token)
            self.rows += [(cell(item.member), f"{item.score:g}") for item in page.items]
            self.keys += [item.member for item in page.items]
            self.position = page.next_token
        elif self.type == "list":
            window = await values.list_window(self.name, int(token or 0), PAGE_ENTRIES)
            self.rows += [(str(window.start + offset), cell(item))
                          for offset, item in enumerate(window.items)]
            self.keys += list(range(window.start, window.end))
            self.values += list(window.items)
            self.total = window.total
            self.position = str(window.end) if window.end < window.total else None
        elif self.type == "stream":
            page = await values.stream_window(self.name, after=token, count=PAGE_ENTRIES)
            self.rows += [(entry.id, ", ".join(f"{cell(k)}={cell(v)}" for k, v in entry.fields))
                          for entry in page.items]
            self.keys += [entry.id for entry in page.items]
            self.position = page.next_token
        return len(self.rows) - before

    def summary(self) -> str:
        """"first 64.0 KiB of 1.2 MiB", "100 of 1,234 entries", "all 12 entries"."""
        if self.is_string:
            total = self.total or 0
            if self.complete:
                return f"all {fmt.size(total)}"
            return f"first {fmt.size(len(self.data))} of {fmt.size(total)}" + (
                " (the viewer shows at most 1 MiB)" if self.capped else "")
        shown = len(self.rows)
        skipped = (f" · {self.skipped:,} value{'s' if self.skipped > 1 else ''} too big to "
                   f"read" if self.skipped else "")
        if self.complete:
            return f"all {shown:,} entries{skipped}"
        of = f" of {self.total:,}" if self.total is not None else ""
        return f"{shown:,}{of} entries shown{skipped} · more" + (
            " (the viewer shows at most 50,000)" if self.capped else "")

    def edited(self, row: int, value: bytes) -> tuple[str, ...] | None:
        """Take a written value: the whole string, or the hash field's or list entry's value
        at ``row``; the table row's new text (None for a string)."""
        if self.is_string:
            self.data, self.total, self.position = value, len(value), None
            return None
        self.values[row] = value
        first = self.rows[row][0]
        self.rows[row] = (first, cell(value))
        return self.rows[row]
