"""Writes on real servers (standalone and cluster), and read-only mode: every write command
the services can issue is refused locally and the server stays unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.local_redis import open_local
from vaultbrowser.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ReadOnlyRefused,
)
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.service import RedisService

Run = Callable[..., Any]
SECRET = b"value-that-must-not-show-7Qz"


@pytest.fixture(params=["standalone", "cluster"])
def server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


def _admin(server: Any) -> Any:
    return server.admin() if hasattr(server, "nodes") else server.admin


def _seed(admin: Any) -> None:
    admin.set(b"s", b"hello", ex=3600)
    admin.hset(b"h", mapping={b"a": b"1", b"b": b"2"})
    admin.rpush(b"l", b"x", b"y", b"x")
    admin.sadd(b"{r}set", b"m1", b"m2")
    admin.zadd(b"z", {b"m1": 1.0})
    admin.xadd(b"st", {b"f": b"v"}, id="1-0")
    for n in range(30):
        admin.set(f"tmp:{n}".encode(), b"v")


def test_writes_change_the_server(server: Any, run: Run) -> None:
    admin = _admin(server)
    _seed(admin)

    async def body() -> tuple[HttpJournal, int, int]:
        journal = HttpJournal()
        service = await open_local(server.port, journal=journal)
        writes = service.writes
        try:
            await writes.set_string(b"s", SECRET)
            await writes.set_string_range(b"s", 0, b"V")
            await writes.set_hash_field(b"h", b"a", SECRET)
            await writes.delete_hash_fields(b"h", [b"b"])
            await writes.set_list_item(b"l", 1, b"Y")
            await writes.remove_list_items(b"l", b"x", 0)
            await writes.add_set_members(b"{r}set", [b"m3"])
            await writes.remove_set_members(b"{r}set", [b"m1"])
            await writes.add_sorted_members(b"z", {b"m2": 2.5})
            await writes.remove_sorted_members(b"z", [b"m1"])
            await writes.add_stream_entry(b"st", {b"f": SECRET}, "2-0")
            await writes.delete_stream_entries(b"st", ["1-0"])
            await writes.set_ttl(b"h", 100)
            await writes.clear_ttl(b"s")
            await writes.rename(b"{r}set", b"{r}set2")
            deleted = await writes.delete_keys([b"z", b"missing", b"st"])
            by_pattern = await writes.delete_matching(b"tmp:*")
            return journal, deleted, by_pattern
        finally:
            await service.close()

    journal, deleted, by_pattern = run(body())
    assert admin.get(b"s") == b"V" + SECRET[1:] and admin.ttl(b"s") == -1
    assert admin.hgetall(b"h") == {b"a": SECRET} and 0 < admin.ttl(b"h") <= 100
    assert admin.lrange(b"l", 0, -1) == [b"Y"]
    assert admin.smembers(b"{r}set2") == {b"m2", b"m3"} and not admin.exists(b"{r}set")
    assert (deleted, by_pattern) == (2, 30)
    assert not admin.exists(b"z", b"st") and not list(admin.scan_iter(match=b"tmp:*"))
    texts = " ".join(r.url + (r.failure or "") for r in journal.records())
    assert SECRET.decode() not in texts and "‹value" in texts  # values never shown
    assert {"SET", "HSET", "UNLINK", "RENAMENX", "SCAN"} <= {r.method for r in journal.records()}


def test_refusals_and_conflicts(server: Any, run: Run) -> None:
    admin = _admin(server)
    admin.set(b"{t}a", b"1")
    admin.set(b"{t}b", b"2")
    admin.set(b"other", b"3")

    async def body() -> list[type]:
        service = await open_local(server.port)
        raised = []
        try:
            for call in (service.writes.rename(b"{t}a", b"{t}b"),
                         service.writes.set_ttl(b"gone", 10),
                         service.writes.set_list_item(b"gone", 0, b"x"),
                         service.writes.set_ttl(b"{t}a", 0),
                         service.writes.delete_matching(b"")):
                try:
                    await call
                except (Conflict, NotFound, InvalidInput) as exc:
                    raised.append(type(exc))
        finally:
            await service.close()
        return raised

    assert run(body()) == [Conflict, NotFound, NotFound, InvalidInput, InvalidInput]
    assert admin.get(b"{t}b") == b"2"  # never overwritten


def test_a_rename_across_cluster_slots_explains_hash_tags(cluster: Any, run: Run) -> None:
    cluster.admin().set(b"alpha", b"1")

    async def body() -> InvalidInput:
        service = await open_local(cluster.port)
        try:
            await service.writes.rename(b"alpha", b"beta")
        except InvalidInput as exc:
            return exc
        finally:
            await service.close()
        raise AssertionError("renamed")

    error = run(body())
    assert "hash tag" in error.advice


def _write_attempts(service: RedisService) -> list[Any]:
    writes, call = service.writes, service.commands.call
    return [
        writes.set_string(b"s", b"new"), writes.set_string_range(b"s", 0, b"N"),
        writes.set_hash_field(b"h", b"a", b"9"), writes.delete_hash_fields(b"h", [b"a"]),
        writes.set_list_item(b"l", 0, b"z"), writes.remove_list_items(b"l", b"x"),
        writes.add_set_members(b"{r}set", [b"m9"]),
        writes.remove_set_members(b"{r}set", [b"m1"]),
        writes.add_sorted_members(b"z", {b"m9": 9.0}), writes.remove_sorted_members(b"z", [b"m1"]),
        writes.add_stream_entry(b"st", {b"f": b"v"}), writes.delete_stream_entries(b"st", ["1-0"]),
        writes.set_ttl(b"s", 5), writes.clear_ttl(b"s"), writes.rename(b"s", b"s2"),
        call("RENAME", b"h", b"h2", key=b"h"), call("DEL", b"s", key=b"s"),
        writes.delete_keys([b"s", b"h"]), writes.delete_matching(b"*"),
        call("FLUSHALL"), call("CONFIG", "SET", "maxmemory", "1"),
        call("EVAL", "return redis.call('set','s','x')", 0),
    ]


WRITE_COMMANDS = ("set", "setrange", "hset", "hdel", "lset", "lrem", "sadd", "srem", "zadd",
                  "zrem", "xadd", "xdel", "expire", "persist", "rename", "renamenx", "del",
                  "unlink", "flushall", "config|set", "eval")


def _write_calls(admins: list[Any]) -> int:
    """How often the servers ran a write command (INFO commandstats)."""
    return sum(int(admin.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0))
               for admin in admins for name in WRITE_COMMANDS)


def test_read_only_refuses_every_write_before_sending(server: Any, run: Run) -> None:
    admin = _admin(server)
    _seed(admin)
    admins = [node.admin for node in server.nodes] if hasattr(server, "nodes") else [admin]
    before = {key: admin.dump(key) for key in admin.scan_iter()}
    writes_before = _write_calls(admins)

    async def body() -> tuple[int, int, HttpJournal, bytes]:
        journal = HttpJournal()
        service = await open_local(server.port, read_only=True, journal=journal)
        refused = attempts = 0
        try:
            for attempt in _write_attempts(service):
                attempts += 1
                try:
                    await attempt
                except ReadOnlyRefused:
                    refused += 1
            # reading still works
            value = (await service.values.string_range(b"s")).data
            return refused, attempts, journal, value
        finally:
            await service.close()

    refused, attempts, journal, value = run(body())
    assert refused == attempts == 22
    assert value == b"hello"
    assert {key: admin.dump(key) for key in admin.scan_iter()} == before
    assert _write_calls(admins) == writes_before  # none of them reached a server
    refusals = [r for r in journal.records() if r.refused]
    assert len(refusals) == 21  # delete_matching is refused before its SCAN: no entry
    assert all(r.failed and r.failure == "Refused: read-only" for r in refusals)
    assert {"SET", "HSET", "LSET", "EXPIRE", "RENAMENX", "UNLINK", "DEL", "RENAME",
            "FLUSHALL", "EVAL"} <= {r.method for r in refusals}
