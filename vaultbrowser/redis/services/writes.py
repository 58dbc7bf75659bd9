"""Changes to keys and values, when the connection is not read-only.

Every write goes through the command path (``commands.RedisCommands``): refused locally on a
read-only connection, recorded in the journal (the activity panel and the audit trail) with the
values written hidden (``Hidden``). Multi-key deletes are split by cluster hash slot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from vaultbrowser.core.services.errors import Conflict, InvalidInput, NotFound
from vaultbrowser.redis.services.keys import RedisKeys
from vaultbrowser.redis.services.wire.commands import Hidden, RedisCommands

DELETE_BATCH = 500  # keys per UNLINK
PATTERN_SCAN_COUNT = 1_000


class RedisWrites:
    """Writes of one connection. Each method raises ``ReadOnlyRefused`` on a read-only
    connection (nothing sent) and the typed error of a failed command."""

    def __init__(self, commands: RedisCommands, keys: RedisKeys) -> None:
        self._commands = commands
        self._keys = keys  # its SCAN pages find what a pattern delete deletes

    async def _call(self, *args: bytes | str | int | float | Hidden, key: bytes) -> object:
        return await self._commands.call(*args, key=key)

    # --- strings ------------------------------------------------------------------------

    async def set_string(self, name: bytes, value: bytes, *, keep_ttl: bool = True) -> None:
        """Replace a string's whole value (its TTL kept unless ``keep_ttl`` is False)."""
        await self._call("SET", name, Hidden(value), *(["KEEPTTL"] if keep_ttl else []),
                         key=name)

    async def set_string_range(self, name: bytes, offset: int, value: bytes) -> int:
        """Overwrite bytes from ``offset`` (a big string edited in place); the new length."""
        if offset < 0:
            raise InvalidInput("A string is overwritten from offset 0 or later.")
        return int(await self._call("SETRANGE", name, offset, Hidden(value), key=name))

    # --- hashes, lists, sets, sorted sets, streams ----------------------------------------

    async def set_hash_field(self, name: bytes, field: bytes, value: bytes) -> None:
        await self._call("HSET", name, field, Hidden(value), key=name)

    async def delete_hash_fields(self, name: bytes, fields: Sequence[bytes]) -> int:
        return int(await self._call("HDEL", name, *fields, key=name))

    async def set_list_item(self, name: bytes, index: int, value: bytes) -> None:
        """Replace entry ``index`` (LSET).

        Raises:
            NotFound: the list is gone or shorter now.
        """
        await self._call("LSET", name, index, Hidden(value), key=name)

    async def remove_list_items(self, name: bytes, value: bytes, count: int = 1) -> int:
        """Remove up to ``count`` entries equal to ``value`` from the head (0: all)."""
        return int(await self._call("LREM", name, count, Hidden(value), key=name))

    async def add_set_members(self, name: bytes, members: Sequence[bytes]) -> int:
        return int(await self._call("SADD", name, *(Hidden(m) for m in members), key=name))

    async def remove_set_members(self, name: bytes, members: Sequence[bytes]) -> int:
        return int(await self._call("SREM", name, *(Hidden(m) for m in members), key=name))

    async def add_sorted_members(self, name: bytes, scores: Mapping[bytes, float]) -> int:
        pairs = [part for member, score in scores.items() for part in (score, Hidden(member))]
        return int(await self._call("ZADD", name, *pairs, key=name))

    async def remove_sorted_members(self, name: bytes, members: Sequence[bytes]) -> int:
        return int(await self._call("ZREM", name, *(Hidden(m) for m in members), key=name))

    async def add_stream_entry(self, name: bytes, fields: Mapping[bytes, bytes],
                               entry_id: str = "*") -> str:
        """Append an entry; its id."""
        if not fields:
            raise InvalidInput("A stream entry needs at least one field.")
        parts = [part for field, value in fields.items() for part in (field, Hidden(value))]
        reply = await self._call("XADD", name, entry_id, *parts, key=name)
        return reply.decode() if isinstance(reply, bytes) else str(reply)

    async def delete_stream_entries(self, name: bytes, ids: Sequence[str]) -> int:
        return int(await self._call("XDEL", name, *ids, key=name))

    # --- keys -----------------------------------------------------------------------------

    async def set_ttl(self, name: bytes, seconds: int) -> None:
        """Expire the key in ``seconds``.

        Raises:
            InvalidInput: seconds < 1. NotFound: the key is gone.
        """
        if seconds < 1:
            raise InvalidInput("A time to live is at least 1 second.",
                               advice="Delete the key instead, or clear its expiry.")
        if not await self._call("EXPIRE", name, seconds, key=name):
            raise NotFound("The key no longer exists.")

    async def clear_ttl(self, name: bytes) -> bool:
        """Keep the key for good; False when it had no expiry (or is gone)."""
        return bool(await self._call("PERSIST", name, key=name))

    async def rename(self, name: bytes, new_name: bytes) -> None:
        """Rename, never overwriting (RENAMENX).

        Raises:
            Conflict: a key named ``new_name`` exists. NotFound: ``name`` is gone.
            InvalidInput: in a cluster, the names are in different hash slots.
        """
        if name == new_name:
            return
        if not await self._call("RENAMENX", name, new_name, key=name):
            raise Conflict("A key with the new name exists already: nothing was renamed.",
                           advice="Choose another name, or delete that key first.")

    async def delete_keys(self, names: Iterable[bytes]) -> int:
        """Delete keys (UNLINK: the server frees big values in the background); how many
        existed. In a cluster, one UNLINK per hash slot."""
        by_slot: dict[int | None, list[bytes]] = {}
        for name in names:
            by_slot.setdefault(self._commands.slot_of(name), []).append(name)
        deleted = 0
        for group in by_slot.values():
            for start in range(0, len(group), DELETE_BATCH):
                batch = group[start:start + DELETE_BATCH]
                deleted += int(await self._commands.call("UNLINK", *batch, key=batch[0]))
        return deleted

    async def delete_matching(self, pattern: bytes, *,
                              progress: Callable[[int], None] | None = None) -> int:
        """Delete every key matching the glob ``pattern``: SCAN every primary, UNLINK in
        batches; how many were deleted. ``progress(deleted so far)`` after each batch. The UI
        asks for a typed confirmation first; cancelling stops between batches.

        Raises:
            InvalidInput: an empty pattern.
        """
        if not pattern:
            raise InvalidInput("Give a pattern of the keys to delete.")
        await self._commands.gate.check(["unlink"])  # refuse before scanning anything
        deleted = 0
        token: str | None = None
        while True:
            page = await self._keys.list_keys(page_size=DELETE_BATCH, continuation=token,
                                        match=pattern)
            if page.items:
                deleted += await self.delete_keys(key.name for key in page.items)
                if progress is not None:
                    progress(deleted)
            token = page.next_token
            if token is None:
                return deleted
