"""Listing keys with SCAN, as pages; namespaces for the tree; the details of one key.

A page is ``core.services.records.Page`` of ``KeyRecord``: its ``next_token`` is the SCAN
cursor to go on from. In a cluster every primary is scanned in turn (sorted by host:port) and
the token names the primary and its cursor (``"host:port|cursor"``); standalone, the token is
the cursor. One page may take several SCAN calls (a MATCH or TYPE filter on a big key space
finds few keys per call), bounded by ``SCAN_TIME_BUDGET``: a page can hold fewer keys than
asked for and still have a next token — like a blob listing's, it is never "complete" early.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vaultbrowser.core.services.errors import InvalidInput, VaultBrowserError
from vaultbrowser.core.services.records import Page
from vaultbrowser.redis.services.wire.names import display_text, prefix_pattern

if TYPE_CHECKING:  # redis-py loads off the loop's thread after the first paint
    from vaultbrowser.redis.services.wire.commands import RedisCommands

# Page sizes for the trees, as PagingSettings has them for vaults and blobs: a small first page
# (time to first row), larger later ones, the largest for Load all (few round trips).
FIRST_KEY_PAGE = 100
NEXT_KEY_PAGE = 1_000
LOAD_ALL_KEY_PAGE = 5_000
SCAN_TIME_BUDGET = 0.5  # seconds of SCAN calls for one page
FILTERED_SCAN_COUNT = 1_000  # keys the server looks at per call when a filter leaves few
MAX_PAGE_SIZE = 10_000  # LimitSettings.max_page_items
KEY_TYPES = ("string", "hash", "list", "set", "zset", "stream")  # a module adds its own
_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
# The command that gives a key's length, by type (a module's types have none).
LENGTH_COMMANDS = {"string": "STRLEN", "hash": "HLEN", "list": "LLEN", "set": "SCARD",
                   "zset": "ZCARD", "stream": "XLEN"}


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key: its name as the server has it (bytes) and how to show it."""

    name: bytes

    @property
    def display(self) -> str:
        """Safe, unambiguous text (see ``names.display_text``)."""
        return display_text(self.name)


@dataclass(frozen=True, slots=True)
class KeyDetails:
    """What the detail pane shows of a key; a field is None when the server did not say
    (e.g. MEMORY USAGE not allowed to this user). ``exists`` is False for a key gone since."""

    name: bytes
    exists: bool
    type: str = "none"
    ttl_ms: int | None = None  # None: no expiry
    memory_bytes: int | None = None
    encoding: str | None = None
    length: int | None = None  # bytes of a string, entries of the others

    @property
    def display(self) -> str:
        return display_text(self.name)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _cursor(reply: object) -> int:
    # The cluster client answers SCAN's cursor as {node name: cursor}
    if isinstance(reply, dict) and len(reply) == 1:
        reply = next(iter(reply.values()))
    return int(reply)  # type: ignore[call-overload]


def check_scan_arguments(page_size: int, type_filter: str | None) -> None:
    """Raises:
        InvalidInput: ``page_size`` outside 1..10000, or an unknown type filter.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page of keys holds 1 to {MAX_PAGE_SIZE:,} keys, not {page_size}.")
    if type_filter is not None and not _TYPE_NAME.fullmatch(type_filter):
        raise InvalidInput(f"{type_filter[:30]!r} is not a Redis type.",
                           advice="Filter by one of " + ", ".join(KEY_TYPES) + ", or a "
                                  "module's type (ReJSON-RL).")


class RedisKeys:
    """Keys of one connection: SCAN pages and per-key details."""

    def __init__(self, commands: RedisCommands) -> None:
        self._commands = commands

    async def list_keys(self, *, page_size: int, continuation: str | None = None,
                        match: bytes | None = None, type_filter: str | None = None,
                        ) -> Page[KeyRecord]:
        """One page of keys (about ``page_size``; a small first page, larger later ones, as
        the caller asks). ``match``: a SCAN MATCH glob (``namespace_pattern`` for one
        namespace); ``type_filter``: one of ``KEY_TYPES`` or a module's type (SCAN TYPE).

        Raises:
            InvalidInput: a bad page size, type or continuation token.
            VaultBrowserError: the typed error of a SCAN that failed.
        """
        check_scan_arguments(page_size, type_filter)
        primaries = self._commands.primaries()
        node, cursor = self._position(continuation, primaries)
        count = page_size if match is None and type_filter is None else max(
            page_size, FILTERED_SCAN_COUNT)
        options: list[bytes | str | int] = []
        if match is not None:
            options += ["MATCH", match]
        options += ["COUNT", count]
        if type_filter is not None:
            options += ["TYPE", type_filter]
        keys: list[KeyRecord] = []
        started = time.monotonic()
        while True:
            reply = await self._commands.call(
                "SCAN", cursor, *options, node=node if self._commands.cluster else None)
            cursor = _cursor(reply[0])
            keys.extend(map(KeyRecord, reply[1]))  # bytes already (no decoding client)
            if cursor == 0:
                index = primaries.index(node) + 1
                if index >= len(primaries):
                    return Page(tuple(keys), None, None)
                node = primaries[index]
            if len(keys) >= page_size or time.monotonic() - started > SCAN_TIME_BUDGET:
                return Page(tuple(keys), self._token(node, cursor), None)

    def _token(self, node: str, cursor: int) -> str:
        return f"{node}|{cursor}" if self._commands.cluster else str(cursor)

    def _position(self, continuation: str | None,
                  primaries: tuple[str, ...]) -> tuple[str, int]:
        if not continuation:
            return primaries[0], 0
        node, _, cursor = continuation.rpartition("|")
        if not self._commands.cluster:
            node = primaries[0]
        if not cursor.isdigit() or node not in primaries:
            raise InvalidInput("The key listing's continuation is not valid (the cluster's "
                               "primaries may have changed).",
                               advice="Refresh the list to scan again from the start.")
        return node, int(cursor)

    async def details(self, name: bytes) -> KeyDetails:
        """Type, TTL, memory, encoding and length of ``name``: two pipelined round trips
        (the length's command depends on the type).

        Raises:
            VaultBrowserError: the typed error when the batch as a whole failed.
        """
        kind, pttl, memory, encoding = await self._commands.call_batch(
            [("TYPE", name), ("PTTL", name), ("MEMORY", "USAGE", name),
             ("OBJECT", "ENCODING", name)], key=name)
        if isinstance(kind, VaultBrowserError):
            raise kind
        type_name = _text(kind)
        if type_name == "none" or pttl == -2:
            return KeyDetails(name, exists=False)
        length = None
        if type_name in LENGTH_COMMANDS:
            reply = await self._commands.call(LENGTH_COMMANDS[type_name], name, key=name)
            length = int(reply)
        return KeyDetails(
            name, exists=True, type=type_name,
            ttl_ms=int(pttl) if isinstance(pttl, int) and pttl >= 0 else None,
            memory_bytes=int(memory) if isinstance(memory, int) else None,
            encoding=_text(encoding) if isinstance(encoding, bytes | str) else None,
            length=length)


# --- namespaces (the tree mode) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamespaceRecord:
    """Keys that share ``prefix`` (ending in the delimiter): a folder of the tree."""

    prefix: bytes
    delimiter: bytes

    @property
    def display(self) -> str:
        """The last segment ("user" for b"app:user:")."""
        segment = self.prefix[:-len(self.delimiter)]
        parent_end = segment.rfind(self.delimiter)
        start = parent_end + len(self.delimiter) if parent_end >= 0 else 0
        return display_text(segment[start:])

    @property
    def pattern(self) -> bytes:
        """SCAN MATCH for the keys below it (all depths)."""
        return namespace_pattern(self.prefix)


def namespace_pattern(prefix: bytes) -> bytes:
    return prefix_pattern(prefix)


def split_namespaces(keys: tuple[KeyRecord, ...] | list[KeyRecord], *, prefix: bytes = b"",
                     delimiter: bytes = b":") -> tuple[list[NamespaceRecord], list[KeyRecord]]:
    """The namespaces directly below ``prefix`` that ``keys`` (all starting with ``prefix``)
    fall into, in first-seen order without repeats, and the keys directly at this level."""
    if not delimiter:
        raise InvalidInput("The namespace delimiter is empty.", advice="Use ':' or another "
                                                                       "separator.")
    seen: dict[bytes, NamespaceRecord] = {}
    direct: list[KeyRecord] = []
    for key in keys:
        if not key.name.startswith(prefix):
            continue
        rest = key.name[len(prefix):]
        end = rest.find(delimiter)
        if end < 0:
            direct.append(key)
            continue
        namespace = prefix + rest[:end] + delimiter
        if namespace not in seen:
            seen[namespace] = NamespaceRecord(namespace, delimiter)
    return list(seen.values()), direct


class NamespaceGrouping:
    """Pages of one tree level, grouped as they land: each page's new namespaces (never one
    twice across pages) and its direct keys."""

    def __init__(self, prefix: bytes = b"", delimiter: bytes = b":") -> None:
        self.prefix = prefix
        self.delimiter = delimiter
        self._seen: set[bytes] = set()

    def add(self, keys: tuple[KeyRecord, ...] | list[KeyRecord],
            ) -> tuple[list[NamespaceRecord], list[KeyRecord]]:
        namespaces, direct = split_namespaces(keys, prefix=self.prefix,
                                              delimiter=self.delimiter)
        fresh = [space for space in namespaces if space.prefix not in self._seen]
        self._seen.update(space.prefix for space in fresh)
        return fresh, direct
