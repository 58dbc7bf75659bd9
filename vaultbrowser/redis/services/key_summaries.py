"""What a key's row shows besides its name (type, TTL, length), for many keys at once.

SCAN tells names only. The tree asks this for the rows on screen: two pipelined round trips
for all of them (TYPE and PTTL, then each type's length command), never per key. In a
cluster the keys are grouped by hash slot's node (redis-py's cluster pipeline sends each
command to its key's node).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.redis.services.keys import LENGTH_COMMANDS

if TYPE_CHECKING:  # redis-py loads off the loop's thread after the first paint
    from vaultbrowser.redis.services.wire.commands import RedisCommands

MAX_SUMMARIES = 500  # keys of one call (a screen holds far fewer)


@dataclass(frozen=True, slots=True)
class KeySummary:
    """A key's row cells; ``exists`` False when it went away since it was listed."""

    type: str
    ttl_ms: int | None  # None: no expiry
    length: int | None  # bytes of a string, entries of the others; None when unknown
    exists: bool = True


GONE = KeySummary("none", None, None, exists=False)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


async def summarize_keys(commands: RedisCommands, names: Sequence[bytes],
                         ) -> dict[bytes, KeySummary]:
    """Type, TTL and length of ``names`` (at most ``MAX_SUMMARIES``); a key whose commands
    failed is left out (its row stays as it was).

    Raises:
        VaultBrowserError: the typed error of a batch that failed as a whole.
    """
    names = list(dict.fromkeys(names))[:MAX_SUMMARIES]
    if not names:
        return {}
    first = await commands.call_batch(
        [command for name in names for command in (("TYPE", name), ("PTTL", name))])
    types: dict[bytes, tuple[str, int | None]] = {}
    out: dict[bytes, KeySummary] = {}
    for position, name in enumerate(names):
        kind, pttl = first[2 * position], first[2 * position + 1]
        if isinstance(kind, VaultBrowserError) or isinstance(pttl, VaultBrowserError):
            continue
        type_name = _text(kind)
        if type_name == "none" or pttl == -2:
            out[name] = GONE
            continue
        types[name] = (type_name, int(pttl) if isinstance(pttl, int) and pttl >= 0 else None)
    measured = [name for name, (kind, _ttl) in types.items() if kind in LENGTH_COMMANDS]
    lengths = await commands.call_batch(
        [(LENGTH_COMMANDS[types[name][0]], name) for name in measured]) if measured else []
    by_name = dict(zip(measured, lengths, strict=True))
    for name, (kind, ttl) in types.items():
        length = by_name.get(name)
        out[name] = KeySummary(kind, ttl, int(length) if isinstance(length, int) else None)
    return out
