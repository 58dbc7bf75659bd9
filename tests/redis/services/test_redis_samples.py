"""The audit's raw data from a bounded sample: keys without TTL per namespace, biggest keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.local_redis import open_local
from vaultbrowser.redis.services.samples import NO_NAMESPACE, sample_keys

Run = Callable[..., Any]


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_a_full_sample(where: str, request: pytest.FixtureRequest, run: Run) -> None:
    server = request.getfixturevalue(where)
    admin = server.admin() if where == "cluster" else server.admin
    for n in range(40):
        admin.set(f"session:{n}".encode(), b"v", ex=600 if n % 4 else None)
    for n in range(15):
        admin.set(f"cache:{n}".encode(), b"v", ex=600)
    admin.set(b"loose", b"v")
    admin.set(b"blob:huge", b"x" * 300_000)
    admin.set(b"blob:large", b"x" * 100_000)

    async def body() -> Any:
        service = await open_local(server.port)
        try:
            return await sample_keys(service.commands, service.keys, biggest=2)
        finally:
            await service.close()

    sample = run(body())
    assert sample.complete and sample.sampled == 58
    counts = {c.namespace: (c.sampled, c.without_ttl) for c in sample.without_ttl}
    assert counts == {"session": (40, 10), "cache": (15, 0), NO_NAMESPACE: (1, 1),
                      "blob": (2, 2)}
    assert sample.without_ttl[0].namespace == "session"
    assert [size.name for size in sample.biggest] == [b"blob:huge", b"blob:large"]
    assert sample.biggest[0].memory_bytes > 300_000
    assert sample.keys_without_ttl == 13


def test_a_bounded_sample_stops_early(standalone: Any, run: Run) -> None:
    pipe = standalone.admin.pipeline(transaction=False)
    for n in range(3_000):
        pipe.set(f"k:{n}".encode(), b"v")
    pipe.execute()

    async def body() -> Any:
        service = await open_local(standalone.port)
        try:
            return await sample_keys(service.commands, service.keys, max_keys=700)
        finally:
            await service.close()

    sample = run(body())
    assert sample.sampled == 700 and not sample.complete
