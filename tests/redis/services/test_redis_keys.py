"""Connecting and listing keys with SCAN pages, standalone and on a three-primary cluster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.conftest import RedisCluster, RedisProcess
from tests.redis.local_redis import open_local
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.keys import (
    KeyRecord,
    NamespaceGrouping,
    split_namespaces,
)
from vaultbrowser.redis.services.service import RedisService

Run = Callable[..., Any]


async def _all_keys(service: RedisService, first: int = 10, later: int = 100,
                    **filters: Any) -> tuple[list[bytes], int]:
    names: list[bytes] = []
    page = await service.keys.list_keys(page_size=first, **filters)
    pages = 1
    names += [key.name for key in page.items]
    while page.next_token is not None:
        page = await service.keys.list_keys(page_size=later, continuation=page.next_token,
                                            **filters)
        names += [key.name for key in page.items]
        pages += 1
    return names, pages


def _seed(admin: Any, count: int) -> set[bytes]:
    names = {f"user:{n}:profile".encode() for n in range(count)}
    names |= {f"session:{n}".encode() for n in range(count // 2)}
    pipe = admin.pipeline(transaction=False)
    for name in names:
        pipe.set(name, b"v")
    pipe.hset(b"config:flags", mapping={"a": "1"})
    pipe.execute()
    return names | {b"config:flags"}


def test_standalone_scan_pages_every_key_once(standalone: RedisProcess, run: Run) -> None:
    expected = _seed(standalone.admin, 300)

    async def body() -> tuple[list[bytes], int, bool, int]:
        journal = HttpJournal()
        service = await open_local(standalone.port, journal=journal)
        try:
            first = await service.keys.list_keys(page_size=10)
            names, pages = await _all_keys(service)
            return names, pages, service.cluster, len(first.items)
        finally:
            await service.close()

    names, pages, cluster, first_size = run(body())
    assert not cluster
    assert set(names) == expected and len(names) == len(expected)
    assert pages > 3  # a small first page, then larger ones
    assert first_size >= 10


def test_cluster_scan_visits_every_primary(cluster: RedisCluster, run: Run) -> None:
    admin = cluster.admin()
    expected = _seed(admin, 300)
    admin.close()

    async def body() -> tuple[list[bytes], list[str], bool, tuple[str, ...]]:
        journal = HttpJournal()
        service = await open_local(cluster.port, journal=journal)
        try:
            names, _ = await _all_keys(service)
            nodes = [r.reply.node for r in journal.records() if r.method == "SCAN" and r.reply]
            return names, nodes, service.cluster, service.commands.primaries()
        finally:
            await service.close()

    names, nodes, is_cluster, primaries = run(body())
    assert is_cluster
    assert set(names) == expected and len(names) == len(expected)
    assert set(nodes) == set(primaries) and len(primaries) == 3
    assert set(primaries) == {f"127.0.0.1:{node.port}" for node in cluster.nodes}


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_match_and_type_filters_run_on_the_server(where: str, request: pytest.FixtureRequest,
                                                 run: Run) -> None:
    server = request.getfixturevalue(where)
    admin = server.admin() if where == "cluster" else server.admin
    _seed(admin, 200)

    async def body() -> tuple[list[bytes], list[bytes], str]:
        journal = HttpJournal()
        service = await open_local(server.port, journal=journal)
        try:
            users, _ = await _all_keys(service, match=b"user:1*")
            hashes, _ = await _all_keys(service, type_filter="hash")
            scan = next(r for r in journal.records() if r.method == "SCAN")
            return users, hashes, scan.url
        finally:
            await service.close()

    users, hashes, url = run(body())
    assert sorted(users) == sorted(f"user:{n}:profile".encode() for n in range(200)
                                   if str(n).startswith("1"))
    assert hashes == [b"config:flags"]
    assert "SCAN 0" in url and url.startswith("redis://127.0.0.1:")


def test_a_bad_continuation_or_page_size_is_refused(standalone: RedisProcess, run: Run) -> None:
    async def body() -> list[str]:
        service = await open_local(standalone.port)
        messages = []
        try:
            for arguments in ({"page_size": 0}, {"page_size": 10, "continuation": "x|y"},
                              {"page_size": 10, "type_filter": "no such type!"}):
                try:
                    await service.keys.list_keys(**arguments)
                except InvalidInput as exc:
                    messages.append(exc.message)
        finally:
            await service.close()
        return messages

    assert len(run(body())) == 3


def test_namespaces_split_a_page_on_the_delimiter() -> None:
    keys = [KeyRecord(name) for name in (b"user:1:profile", b"user:2:profile", b"plain",
                                         b"session:9", b"user:1:cart")]
    spaces, direct = split_namespaces(keys)
    assert [space.prefix for space in spaces] == [b"user:", b"session:"]
    assert [space.display for space in spaces] == ["user", "session"]
    assert direct == [KeyRecord(b"plain")]
    below, direct = split_namespaces(keys, prefix=b"user:")
    assert [space.prefix for space in below] == [b"user:1:", b"user:2:"]
    assert below[0].display == "1" and below[0].pattern == b"user:1:*"
    grouping = NamespaceGrouping(b"", b"/")
    assert [s.prefix for s in grouping.add([KeyRecord(b"a/b"), KeyRecord(b"a/c")])[0]] == [b"a/"]
    assert grouping.add([KeyRecord(b"a/d"), KeyRecord(b"e")]) == ([], [KeyRecord(b"e")])


def test_a_namespace_pattern_escapes_glob_characters(standalone: RedisProcess, run: Run) -> None:
    for name in (b"odd*:1", b"odd*:2", b"oddX:3", b"odd[a]:4"):
        standalone.admin.set(name, b"v")
    spaces, _ = split_namespaces([KeyRecord(b"odd*:1")])

    async def body() -> list[bytes]:
        service = await open_local(standalone.port)
        try:
            return (await _all_keys(service, match=spaces[0].pattern))[0]
        finally:
            await service.close()

    assert sorted(run(body())) == [b"odd*:1", b"odd*:2"]


def test_key_names_show_safely(standalone: RedisProcess, run: Run) -> None:
    assert KeyRecord(b"caf\xc3\xa9:\xff\n\xe2\x80\xae").display == "café:\\xff\\n\\u202e"
    assert KeyRecord(b"a\\xff").display == "a\\\\xff"  # a literal backslash is not a byte
    odd = b"bin:\x00\xff\xfe\x1b[31m"
    standalone.admin.set(odd, b"v")

    async def body() -> list[KeyRecord]:
        service = await open_local(standalone.port)
        try:
            return list((await service.keys.list_keys(page_size=10)).items)
        finally:
            await service.close()

    (key,) = run(body())
    assert key.name == odd and key.display == "bin:\\x00\\xff\\xfe\\x1b[31m"


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_details_of_each_type(where: str, request: pytest.FixtureRequest, run: Run) -> None:
    server = request.getfixturevalue(where)
    admin = server.admin() if where == "cluster" else server.admin
    admin.set(b"s", b"hello", px=60_000)
    admin.hset(b"h", mapping={"a": "1", "b": "2"})
    admin.rpush(b"l", b"1", b"2", b"3")
    admin.sadd(b"set", b"x")
    admin.zadd(b"z", {b"m": 1.0, b"n": 2.0})
    admin.xadd(b"st", {b"f": b"v"})

    async def body() -> dict[bytes, Any]:
        service = await open_local(server.port)
        try:
            return {name: await service.keys.details(name)
                    for name in (b"s", b"h", b"l", b"set", b"z", b"st", b"gone")}
        finally:
            await service.close()

    details = run(body())
    assert (details[b"s"].type, details[b"s"].length) == ("string", 5)
    assert 0 < details[b"s"].ttl_ms <= 60_000
    assert details[b"h"].ttl_ms is None and details[b"h"].length == 2
    assert [details[n].length for n in (b"l", b"set", b"z", b"st")] == [3, 1, 2, 1]
    assert details[b"z"].type == "zset" and details[b"st"].type == "stream"
    assert details[b"h"].encoding == "listpack" and details[b"h"].memory_bytes > 0
    assert not details[b"gone"].exists
