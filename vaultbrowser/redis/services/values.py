"""Values by type, in bounded pieces: a huge key is never loaded in full.

Strings come in byte ranges (GETRANGE; decoding as text, JSON or hex is the caller's);
hashes, sets and sorted sets in pages (HSCAN/SSCAN/ZSCAN, the cursor is the continuation);
lists in windows (LRANGE) and streams in windows after an entry id (XRANGE with an exclusive
start). Every reply is still held to the command path's ``max_reply_bytes``. One member of a
page can be big: a hash page keeps a field whose name and value pass ``MAX_MEMBER_BYTES`` as a
row that says so (``HashField.skipped``), without its value, and the page's other fields are
read on; anything else over the limit is refused. (Redis before 7.4 has no HSCAN NOVALUES:
the value comes with its page and is dropped as soon as the reply is read.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.services.errors import InvalidInput, VaultBrowserError
from vaultbrowser.core.services.records import Page

if TYPE_CHECKING:  # redis-py loads off the loop's thread after the first paint
    from vaultbrowser.redis.services.wire.commands import RedisCommands

STRING_RANGE_BYTES = 64 * 1024  # a string's first look
MAX_RANGE_BYTES = 16 * 1024 * 1024  # the most one range asks for
MAX_WINDOW = 10_000  # entries of one list or stream window, members of one page
SCAN_TIME_BUDGET = 0.5  # seconds of HSCAN/SSCAN/ZSCAN calls for one page
MAX_MEMBER_BYTES = 1024 * 1024  # a hash field and its value, kept from a page (the viewer's cap)
_SKIPPED_NAME_BYTES = 4096  # of an oversized field's own name, kept to show which it is

_STREAM_ID = b"0123456789-"


@dataclass(frozen=True, slots=True)
class StringSlice:
    """``data`` is the string's bytes from ``start``; ``total`` its whole length."""

    data: bytes
    start: int
    total: int

    @property
    def complete(self) -> bool:
        return self.start == 0 and len(self.data) == self.total

    @property
    def end(self) -> int:
        return self.start + len(self.data)


@dataclass(frozen=True, slots=True)
class HashField:
    """A field and its value; ``skipped`` > 0: the bytes of a field and value too big to keep
    (over ``MAX_MEMBER_BYTES``): ``value`` is empty and ``field`` its first 4 KiB then."""

    field: bytes
    value: bytes
    skipped: int = 0


class _Skipped(int):
    """An oversized value's place in a fitted HSCAN reply: its size (field and value)."""


def _without_oversized_values(reply: Any) -> Any:
    """An HSCAN reply (cursor, {field: value}) whose oversized fields keep only their size."""
    cursor, found = reply
    if not isinstance(found, dict):
        return reply
    kept: dict[bytes, Any] = {}
    for field, value in found.items():
        size = len(field) + len(value)
        if size > MAX_MEMBER_BYTES:
            kept[bytes(field[:_SKIPPED_NAME_BYTES])] = _Skipped(size)
        else:
            kept[field] = value
    return cursor, kept


@dataclass(frozen=True, slots=True)
class ScoredMember:
    member: bytes
    score: float


@dataclass(frozen=True, slots=True)
class ListWindow:
    """``items`` are the list's entries from index ``start``; ``total`` its length."""

    items: tuple[bytes, ...]
    start: int
    total: int

    @property
    def end(self) -> int:
        return self.start + len(self.items)


@dataclass(frozen=True, slots=True)
class StreamEntry:
    id: str  # "1700000000000-0"
    fields: tuple[tuple[bytes, bytes], ...]


def _check_window(count: int) -> None:
    if not 1 <= count <= MAX_WINDOW:
        raise InvalidInput(f"A window holds 1 to {MAX_WINDOW:,} entries, not {count}.")


def _cursor(token: str | None) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise InvalidInput("The value's continuation is not valid.",
                           advice="Refresh the value to read it again from the start.")
    return int(token)


class RedisValues:
    """Reads one key's value in bounded pieces."""

    def __init__(self, commands: RedisCommands) -> None:
        self._commands = commands

    async def string_range(self, name: bytes, start: int = 0,
                           size: int = STRING_RANGE_BYTES) -> StringSlice:
        """Bytes ``start`` … ``start + size - 1`` of a string, and its length (one pipeline).

        Raises:
            InvalidInput: a negative start, or a size outside 1..16 MiB.
            VaultBrowserError: the typed error (a key of another type: ``ServiceError``).
        """
        if start < 0 or not 1 <= size <= MAX_RANGE_BYTES:
            raise InvalidInput(f"A string is read in ranges of 1 byte to "
                               f"{MAX_RANGE_BYTES // (1024 * 1024)} MiB from a start ≥ 0.")
        total, data = await self._commands.call_batch(
            [("STRLEN", name), ("GETRANGE", name, start, start + size - 1)], key=name)
        for reply in (total, data):
            if isinstance(reply, VaultBrowserError):
                raise reply
        return StringSlice(bytes(data), start, int(total))

    async def _scan_page(self, command: str, name: bytes, continuation: str | None,
                         page_size: int, match: bytes | None,
                         fit: Callable[[Any], Any] | None = None,
                         ) -> tuple[list[Any], str | None]:
        _check_window(page_size)
        cursor = _cursor(continuation)
        options: list[bytes | str | int] = ["MATCH", match] if match is not None else []
        items: list[Any] = []
        started = time.monotonic()
        while True:
            reply = await self._commands.call(command, name, cursor, *options, "COUNT",
                                              page_size, key=name, fit=fit)
            cursor = int(reply[0])
            found = reply[1]
            items.extend(found.items() if isinstance(found, dict) else found)
            if cursor == 0:
                return items, None
            if len(items) >= page_size or time.monotonic() - started > SCAN_TIME_BUDGET:
                return items, str(cursor)

    async def hash_page(self, name: bytes, *, page_size: int = 100,
                        continuation: str | None = None,
                        match: bytes | None = None) -> Page[HashField]:
        """One HSCAN page of fields and values (``match``: a glob on field names); a field
        too big to keep is in it with ``skipped`` set, without its value.

        Raises:
            InvalidInput: a bad page size or continuation. VaultBrowserError: typed.
        """
        items, token = await self._scan_page("HSCAN", name, continuation, page_size, match,
                                             fit=_without_oversized_values)
        return Page(tuple(HashField(bytes(f), b"", int(v)) if isinstance(v, _Skipped)
                          else HashField(bytes(f), bytes(v)) for f, v in items), token, None)

    async def set_page(self, name: bytes, *, page_size: int = 100,
                       continuation: str | None = None,
                       match: bytes | None = None) -> Page[bytes]:
        """One SSCAN page of members. Raises: as ``hash_page``."""
        items, token = await self._scan_page("SSCAN", name, continuation, page_size, match)
        return Page(tuple(bytes(member) for member in items), token, None)

    async def sorted_set_page(self, name: bytes, *, page_size: int = 100,
                              continuation: str | None = None,
                              match: bytes | None = None) -> Page[ScoredMember]:
        """One ZSCAN page of members and scores (in the server's order, not by score).
        Raises: as ``hash_page``."""
        items, token = await self._scan_page("ZSCAN", name, continuation, page_size, match)
        return Page(tuple(ScoredMember(bytes(m), float(s)) for m, s in items), token, None)

    async def list_window(self, name: bytes, start: int = 0, count: int = 100) -> ListWindow:
        """Entries ``start`` … ``start + count - 1`` of a list and its length (one pipeline).

        Raises:
            InvalidInput: a negative start or a bad count. VaultBrowserError: typed.
        """
        _check_window(count)
        if start < 0:
            raise InvalidInput("A list window starts at index 0 or later.")
        total, items = await self._commands.call_batch(
            [("LLEN", name), ("LRANGE", name, start, start + count - 1)], key=name)
        for reply in (total, items):
            if isinstance(reply, VaultBrowserError):
                raise reply
        return ListWindow(tuple(bytes(item) for item in items), start, int(total))

    async def stream_window(self, name: bytes, *, after: str | None = None,
                            count: int = 100) -> Page[StreamEntry]:
        """Up to ``count`` entries after entry id ``after`` (None: from the first); the page's
        token is the last id when more may follow.

        Raises:
            InvalidInput: a bad count or entry id. VaultBrowserError: typed.
        """
        _check_window(count)
        if after is not None and (not after or not set(after.encode()) <= set(_STREAM_ID)):
            raise InvalidInput("That is not a stream entry id (like 1700000000000-0).")
        start = f"({after}" if after else "-"
        reply = await self._commands.call("XRANGE", name, start, "+", "COUNT", count, key=name)
        entries = tuple(
            StreamEntry(entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id),
                        tuple((bytes(k), bytes(v)) for k, v in (fields or {}).items()))
            for entry_id, fields in reply)
        token = entries[-1].id if len(entries) == count else None
        return Page(entries, token, None)
