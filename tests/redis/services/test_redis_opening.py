"""Opening through the app's session (each sign-in method), and a cluster whose slots move
while we use it (MOVED and ASK followed by redis-py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.redis.conftest import REDIS_SERVER, RedisCluster, RedisProcess, free_port
from tests.redis.token_issuer import OID, RotatingTokenCredential, acl_rotation
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AuthenticationRequired, InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.redis.services.opening import access_key, open_service

Run = Callable[..., Any]


def _connection(port: int, auth: AuthMethod, **fields: Any) -> Connection:
    return Connection(kind="redis", url=f"redis://127.0.0.1:{port}", auth=auth, **fields)


def test_open_with_entra_through_the_session(standalone: RedisProcess, run: Run,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    credential = RotatingTokenCredential(acl_rotation(standalone.admin))

    async def body() -> tuple[Any, ...]:
        session = ServiceSession(read_only=True)
        monkeypatch.setattr(session, "token_credential", lambda connection: credential)
        service = await open_service(session, _connection(standalone.port,
                                                          AuthMethod.AZURE_CLI, name="amr"))
        who = await service.commands.call("ACL", "WHOAMI")
        records = session.journal.records()
        await session.aclose()  # closes the service and stops its token refresh
        provider = service.token_provider
        return who, service.read_only, records, provider

    who, read_only, records, provider = run(body())
    assert who == OID.encode() and read_only
    assert records[0].connection == "amr" and records[0].identity == OID
    assert provider is not None and provider._refresh_task is None


def test_open_with_an_access_key(tmp_path: Path, run: Run) -> None:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisProcess(free_port(), tmp_path)
    server.start()
    server.admin.config_set("requirepass", "k3y-for-tests")

    async def body(key: str) -> Any:
        session = ServiceSession(journal=HttpJournal())
        try:
            service = await open_service(session, _connection(
                server.port, AuthMethod.ACCOUNT_KEY, secret=SecretValue(key)))
            pong = await service.commands.call("PING")
            assert session.journal.records()[-1].identity == "access key"
            return pong, repr(service.commands.client)
        finally:
            await session.aclose()

    try:
        pong, client_repr = run(body("k3y-for-tests"))
        assert pong is True and "k3y" not in client_repr
        with pytest.raises(AuthenticationRequired) as raised:
            run(body("wrong"))
        assert "access key" in raised.value.advice and raised.value.error_code == "WRONGPASS"
        assert "wrong" not in raised.value.diagnostics_text().replace("WRONGPASS", "")

        async def without_key() -> None:  # a server that wants a key, asked without one
            session = ServiceSession()
            try:
                await open_service(session, _connection(server.port, AuthMethod.LOCAL_EMULATOR))
            finally:
                await session.aclose()

        with pytest.raises(AuthenticationRequired) as raised:
            run(without_key())
        assert raised.value.error_code == "NOAUTH" and "default user" in raised.value.message
    finally:
        server.stop()


def test_sign_ins_redis_does_not_take(run: Run) -> None:
    session = ServiceSession()
    with pytest.raises(InvalidInput):
        run(open_service(session, Connection(kind="redis", url="rediss://cache.example.com:6380",
                                             auth=AuthMethod.LOCAL_EMULATOR)))
    with pytest.raises(InvalidInput):
        run(open_service(session, _connection(6379, AuthMethod.SAS)))
    with pytest.raises(InvalidInput):
        access_key("with space")
    assert access_key("abc").reveal() == "abc"


def test_moved_and_ask_are_followed(cluster: RedisCluster, run: Run) -> None:
    from tests.redis.local_redis import open_local

    admin = cluster.admin()
    key = b"movable"
    admin.set(key, b"v")
    slot = admin.keyslot(key)
    owner_port = admin.get_node_from_key(key).port
    admin.close()
    source = next(node for node in cluster.nodes if node.port == owner_port)
    target = next(node for node in cluster.nodes if node.port != owner_port)
    ids = {node.port: node.admin.execute_command("CLUSTER", "MYID").decode()
           for node in cluster.nodes}

    async def body() -> tuple[Any, ...]:
        journal = HttpJournal()
        service = await open_local(cluster.port, journal=journal)
        try:
            before = await service.commands.call("GET", key, key=key)
            target.admin.execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING",
                                         ids[source.port])
            source.admin.execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING",
                                         ids[target.port])
            source.admin.execute_command("MIGRATE", "127.0.0.1", target.port, "", 0, 5000,
                                         "KEYS", key)
            during = await service.commands.call("GET", key, key=key)  # ASK
            for node in cluster.nodes:
                node.admin.execute_command("CLUSTER", "SETSLOT", slot, "NODE", ids[target.port])
            after = await service.commands.call("GET", key, key=key)  # MOVED
            return before, during, after, journal.records()[-1].reply
        finally:
            await service.close()

    before, during, after, reply = run(body())
    assert before == during == after == b"v"
    assert reply is not None and reply.node == f"127.0.0.1:{target.port}"
