"""Values by type in bounded pieces, standalone and on the cluster; a huge value is never read
in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.local_redis import open_local
from vaultbrowser.core.services.errors import InvalidInput, LimitExceeded, ServiceError
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.values import HashField, ScoredMember

Run = Callable[..., Any]
BIG = 8 * 1024 * 1024


def _server(where: str, request: pytest.FixtureRequest) -> tuple[Any, Any]:
    server = request.getfixturevalue(where)
    return server, (server.admin() if where == "cluster" else server.admin)


@pytest.fixture(params=["standalone", "cluster"])
def seeded(request: pytest.FixtureRequest) -> Any:
    server, admin = _server(request.param, request)
    admin.set(b"big", b"x" * BIG)
    admin.set(b"text", "grüße".encode())
    admin.hset(b"h", mapping={f"f{n}".encode(): f"v{n}".encode() for n in range(500)})
    admin.sadd(b"s", *(f"m{n}".encode() for n in range(300)))
    admin.zadd(b"z", {f"m{n}".encode(): float(n) for n in range(300)})
    admin.rpush(b"l", *(f"i{n}".encode() for n in range(250)))
    for n in range(120):
        admin.xadd(b"st", {b"n": str(n).encode()}, id=f"{1000 + n}-0")
    return server


def test_a_big_string_is_read_in_ranges(seeded: Any, run: Run) -> None:
    async def body() -> tuple[Any, ...]:
        journal = HttpJournal()
        service = await open_local(seeded.port, journal=journal)
        try:
            head = await service.values.string_range(b"big")
            tail = await service.values.string_range(b"big", BIG - 10, 100)
            text = await service.values.string_range(b"text")
            largest = max(r.reply.size for r in journal.records() if r.reply)
            return head, tail, text, largest
        finally:
            await service.close()

    head, tail, text, largest = run(body())
    assert (len(head.data), head.total, head.complete) == (64 * 1024, BIG, False)
    assert (tail.data, tail.start, tail.end) == (b"x" * 10, BIG - 10, BIG)
    assert text.complete and text.data.decode() == "grüße"
    assert largest < 128 * 1024  # nothing near the 8 MiB value crossed the wire


@pytest.mark.parametrize("kind", ["hash", "set", "zset"])
def test_collections_page_until_the_last_member(seeded: Any, kind: str, run: Run) -> None:
    async def body() -> list[Any]:
        service = await open_local(seeded.port)
        read = {"hash": (service.values.hash_page, b"h"), "set": (service.values.set_page, b"s"),
                "zset": (service.values.sorted_set_page, b"z")}[kind]
        items: list[Any] = []
        token = None
        try:
            while True:
                page = await read[0](read[1], page_size=50, continuation=token)
                items += page.items
                token = page.next_token
                if token is None:
                    return items
        finally:
            await service.close()

    items = run(body())
    if kind == "hash":
        assert len(items) == 500 and HashField(b"f7", b"v7") in items
    elif kind == "set":
        assert sorted(items) == sorted(f"m{n}".encode() for n in range(300))
    else:
        assert len(items) == 300 and ScoredMember(b"m42", 42.0) in items


def test_list_and_stream_windows(seeded: Any, run: Run) -> None:
    async def body() -> tuple[Any, ...]:
        service = await open_local(seeded.port)
        try:
            window = await service.values.list_window(b"l", 200, 100)
            first = await service.values.stream_window(b"st", count=50)
            second = await service.values.stream_window(b"st", after=first.next_token, count=50)
            third = await service.values.stream_window(b"st", after=second.next_token, count=50)
            return window, first, second, third
        finally:
            await service.close()

    window, first, second, third = run(body())
    assert (window.items[0], window.items[-1], window.total, window.end) == (
        b"i200", b"i249", 250, 250)
    assert first.items[0].id == "1000-0" and first.items[0].fields == ((b"n", b"0"),)
    assert second.items[0].id == "1050-0"  # the start is exclusive: no entry twice
    assert len(third.items) == 20 and third.next_token is None


def test_a_reply_over_the_limit_is_refused(standalone: Any, run: Run) -> None:
    standalone.admin.rpush(b"fat", b"y" * (2 * 1024 * 1024))

    async def body() -> None:
        service = await open_local(standalone.port)
        service.commands.max_reply_bytes = 1024 * 1024
        try:
            await service.values.list_window(b"fat")
        finally:
            await service.close()

    with pytest.raises(LimitExceeded):
        run(body())


def test_wrong_type_and_bad_arguments(standalone: Any, run: Run) -> None:
    standalone.admin.rpush(b"l", b"a")

    async def body() -> list[type]:
        service = await open_local(standalone.port)
        raised = []
        try:
            for call in (service.values.string_range(b"l"),
                         service.values.list_window(b"l", -1),
                         service.values.stream_window(b"l", after="x"),
                         service.values.hash_page(b"l", continuation="nope")):
                try:
                    await call
                except (ServiceError, InvalidInput) as exc:
                    raised.append(type(exc))
        finally:
            await service.close()
        return raised

    assert run(body()) == [ServiceError, InvalidInput, InvalidInput, InvalidInput]
