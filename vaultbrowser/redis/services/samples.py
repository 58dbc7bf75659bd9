"""The raw data of the Redis audit findings, from a bounded sample of the key space.

SCAN visits keys in no particular order and a big database is never read whole here: up to
``max_keys`` keys are sampled (every primary of a cluster in turn), their TTL and MEMORY USAGE
asked in pipelines. The results are plain records; the audit turns them into findings.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.redis.services.keys import RedisKeys
from vaultbrowser.redis.services.wire.commands import RedisCommands
from vaultbrowser.redis.services.wire.names import display_text

SAMPLE_KEYS = 10_000
SAMPLE_PAGE = 500
NO_NAMESPACE = "(no namespace)"


@dataclass(frozen=True, slots=True)
class NamespaceTtlCount:
    """Of the sampled keys in one top-level namespace, how many never expire."""

    namespace: str  # display text of the first segment ("user"), or NO_NAMESPACE
    sampled: int
    without_ttl: int


@dataclass(frozen=True, slots=True)
class KeySize:
    name: bytes
    memory_bytes: int

    @property
    def display(self) -> str:
        return display_text(self.name)


@dataclass(frozen=True, slots=True)
class KeySample:
    """What a sample found: ``sampled`` keys, ``complete`` when that was all of them."""

    sampled: int
    complete: bool
    without_ttl: tuple[NamespaceTtlCount, ...]  # most keys without TTL first
    biggest: tuple[KeySize, ...]  # largest MEMORY USAGE first

    @property
    def keys_without_ttl(self) -> int:
        return sum(count.without_ttl for count in self.without_ttl)


def _namespace(name: bytes, delimiter: bytes) -> str:
    end = name.find(delimiter)
    return display_text(name[:end]) if end > 0 else NO_NAMESPACE


async def sample_keys(commands: RedisCommands, keys: RedisKeys, *,
                      max_keys: int = SAMPLE_KEYS, biggest: int = 20,
                      delimiter: bytes = b":") -> KeySample:
    """Sample up to ``max_keys`` keys: per-namespace counts of keys without a TTL, and the
    ``biggest`` largest by MEMORY USAGE (a key the server no longer has, or will not size,
    is left out of the sizes).

    Raises:
        InvalidInput: ``max_keys`` or ``biggest`` below 1, or an empty delimiter.
        VaultBrowserError: the typed error of a SCAN or pipeline that failed.
    """
    if max_keys < 1 or biggest < 1 or not delimiter:
        raise InvalidInput("A key sample needs a size and a delimiter.")
    counts: dict[str, list[int]] = {}
    sizes: list[tuple[int, bytes]] = []  # a min-heap of the largest
    sampled = 0
    token: str | None = None
    cut = False  # a page brought more keys than the sample had room for
    while sampled < max_keys:
        page = await keys.list_keys(page_size=min(SAMPLE_PAGE, max_keys - sampled),
                                    continuation=token)
        names = [key.name for key in page.items][:max_keys - sampled]
        cut = cut or len(names) < len(page.items)
        if names:
            replies = await commands.call_batch(
                [command for name in names
                 for command in (("PTTL", name), ("MEMORY", "USAGE", name))],
                key=names[0] if len(names) == 1 else None)
            for index, name in enumerate(names):
                pttl, memory = replies[2 * index], replies[2 * index + 1]
                if not isinstance(pttl, int) or pttl == -2:
                    continue  # gone since the SCAN
                sampled += 1
                count = counts.setdefault(_namespace(name, delimiter), [0, 0])
                count[0] += 1
                count[1] += pttl == -1
                if isinstance(memory, int):
                    entry = (memory, name)
                    if len(sizes) < biggest:
                        heapq.heappush(sizes, entry)
                    elif entry > sizes[0]:
                        heapq.heapreplace(sizes, entry)
        token = page.next_token
        if token is None:
            break
    without = sorted((NamespaceTtlCount(space, total, never)
                      for space, (total, never) in counts.items()),
                     key=lambda count: (-count.without_ttl, count.namespace))
    return KeySample(sampled, token is None and not cut,
                     tuple(without), tuple(KeySize(name, memory)
                                           for memory, name in sorted(sizes, reverse=True)))
