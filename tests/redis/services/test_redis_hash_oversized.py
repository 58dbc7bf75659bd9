"""A hash field too big to keep (over MAX_MEMBER_BYTES with its name) is a row saying so inside
its HSCAN page, and the page's other fields are read on; a page still too big is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.conftest import RedisProcess
from tests.redis.local_redis import open_local
from vaultbrowser.core.services.errors import LimitExceeded
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.values import MAX_MEMBER_BYTES, HashField

Run = Callable[..., Any]
HUGE = 2 * 1024 * 1024


def test_an_oversized_value_is_skipped_with_its_size(standalone: RedisProcess, run: Run) -> None:
    standalone.admin.hset(b"h", mapping={b"a": b"1", b"huge": b"x" * HUGE, b"b": b"2",
                                         b"n" * HUGE: b"named too long"})
    journal = HttpJournal()

    async def body() -> list[HashField]:
        service = await open_local(standalone.port, journal=journal)
        service.commands.max_reply_bytes = 3 * 1024 * 1024  # the page as read is over it
        try:
            page = await service.values.hash_page(b"h")
            assert page.next_token is None
            return sorted(page.items, key=lambda item: item.field)
        finally:
            await service.close()

    items = run(body())
    assert items == [
        HashField(b"a", b"1"), HashField(b"b", b"2"),
        HashField(b"huge", b"", HUGE + 4),
        HashField(b"n" * 4096, b"", HUGE + len(b"named too long")),
    ]
    (scan,) = [r for r in journal.records() if r.method == "HSCAN"]
    assert scan.reply is not None and scan.reply.size > 2 * HUGE  # what was read, told


def test_a_value_at_the_member_limit_is_kept(standalone: RedisProcess, run: Run) -> None:
    standalone.admin.hset(b"h", mapping={b"k": b"v" * (MAX_MEMBER_BYTES - 1)})

    async def body() -> tuple[HashField, ...]:
        service = await open_local(standalone.port)
        try:
            return (await service.values.hash_page(b"h")).items
        finally:
            await service.close()

    (item,) = run(body())
    assert item.skipped == 0 and len(item.value) == MAX_MEMBER_BYTES - 1


def test_a_page_of_fields_each_under_the_limit_but_too_big_together_is_refused(
        standalone: RedisProcess, run: Run) -> None:
    standalone.admin.hset(b"h", mapping={f"f{n}".encode(): b"v" * 600_000 for n in range(3)})

    async def body() -> None:
        service = await open_local(standalone.port)
        service.commands.max_reply_bytes = 1024 * 1024
        try:
            await service.values.hash_page(b"h")
        finally:
            await service.close()

    with pytest.raises(LimitExceeded, match="HSCAN"):
        run(body())
