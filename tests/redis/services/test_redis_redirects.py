"""After a redirect the journal names the node that answered, not the node first asked: a key
whose slot is migrating (ASK: the slot table still names the source) and a slot reassigned
after the client read the slot table (MOVED), for one command and for a pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.redis.conftest import RedisCluster, RedisProcess
from tests.redis.local_redis import open_local
from vaultbrowser.core.services.http.journal import HttpJournal

Run = Callable[..., Any]
KEY = b"redirect:me"


def _owner_and_other(cluster: RedisCluster) -> tuple[int, RedisProcess, RedisProcess]:
    admin = cluster.admin()
    try:
        slot = admin.keyslot(KEY)
        owner_port = admin.get_node_from_key(KEY).port
    finally:
        admin.close()
    owner = next(node for node in cluster.nodes if node.port == owner_port)
    other = next(node for node in cluster.nodes if node.port != owner_port)
    return slot, owner, other


def _id(node: RedisProcess) -> bytes:
    return node.admin.execute_command("CLUSTER", "MYID")


def _assign(cluster: RedisCluster, slot: int, owner: RedisProcess) -> None:
    """Give ``slot`` to ``owner`` on every node, the new owner first (as a reshard does)."""
    for node in sorted(cluster.nodes, key=lambda n: n is not owner):
        node.admin.execute_command("CLUSTER", "SETSLOT", slot, "NODE", _id(owner))


@contextmanager
def _migrating(slot: int, source: RedisProcess, target: RedisProcess) -> Iterator[None]:
    target.admin.execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING", _id(source))
    source.admin.execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING", _id(target))
    try:
        yield
    finally:
        target.admin.flushall()  # the key written on the importing node
        for node in (source, target):
            node.admin.execute_command("CLUSTER", "SETSLOT", slot, "STABLE")


def _answers(journal: HttpJournal, method: str) -> list[str]:
    return [r.reply.node for r in journal.records() if r.method == method and r.reply]


def test_an_ask_redirect_names_the_node_that_answered(cluster: RedisCluster, run: Run) -> None:
    slot, source, target = _owner_and_other(cluster)
    journal = HttpJournal()

    async def body() -> tuple[Any, list[Any]]:
        service = await open_local(cluster.port, journal=journal)
        try:
            with _migrating(slot, source, target):
                # The key lives on the importing node only: the source answers ASK for it.
                pipe = target.admin.pipeline(transaction=False)
                pipe.execute_command("ASKING")
                pipe.set(KEY, b"on the target")
                pipe.execute()
                one = await service.commands.call("GET", KEY, key=KEY)
                batch = await service.commands.call_batch([("GET", KEY), ("STRLEN", KEY)],
                                                          key=KEY)
            return one, batch
        finally:
            await service.close()

    one, batch = run(body())
    assert one == b"on the target" and batch == [b"on the target", 13]  # the target answered
    assert _answers(journal, "GET") == [f"127.0.0.1:{target.port}"]
    assert _answers(journal, "PIPELINE GET+STRLEN") == [f"127.0.0.1:{target.port}"]


def test_a_moved_redirect_names_the_new_owner(cluster: RedisCluster, run: Run) -> None:
    slot, old_owner, new_owner = _owner_and_other(cluster)
    journal = HttpJournal()

    async def body() -> tuple[Any, Any]:
        service = await open_local(cluster.port, journal=journal)
        try:
            await service.commands.call("GET", KEY, key=KEY)  # the slot table is read
            _assign(cluster, slot, new_owner)
            try:
                new_owner.admin.set(KEY, b"moved")
                one = await service.commands.call("GET", KEY, key=KEY)
                new_owner.admin.delete(KEY)  # a slot with keys cannot be given away
                _assign(cluster, slot, old_owner)  # and back, for a pipeline this time
                old_owner.admin.set(KEY, b"back")
                batch = await service.commands.call_batch([("GET", KEY)], key=KEY)
            finally:
                for node in cluster.nodes:
                    node.admin.flushall()
                _assign(cluster, slot, old_owner)
            return one, batch
        finally:
            await service.close()

    one, batch = run(body())
    assert one == b"moved" and batch == [b"back"]
    assert _answers(journal, "GET") == [f"127.0.0.1:{node.port}"
                                        for node in (old_owner, new_owner)]
    assert _answers(journal, "PIPELINE GET") == [f"127.0.0.1:{old_owner.port}"]
