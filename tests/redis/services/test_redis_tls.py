"""Redis over TLS trusts what the HTTP kinds trust: the operating system's trust store
(``truststore``), or a loopback server's private CA as its only root — standalone and on every
node of a cluster (whose client builds its own connections).

On Linux the OS trust store is OpenSSL's default locations, which ``SSL_CERT_FILE`` names: the
tests put the loopback CA there to stand for a corporate CA installed on the machine. Python's
default context reads that variable too, so the tests also check that every connection class
verifies with a ``truststore`` context (the one that reads the macOS and Windows stores)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import pytest
import truststore
from redis.asyncio.cluster import RedisCluster as ClusterClient

from tests.redis.conftest import RedisCluster, RedisProcess
from vaultbrowser.core.services.errors import InvalidInput, NetworkError
from vaultbrowser.redis.services.opening import RedisOptions, open_redis
from vaultbrowser.redis.services.service import RedisService
from vaultbrowser.redis.services.wire.addresses import RedisAddress
from vaultbrowser.redis.services.wire.connections import connection_class

Run = Callable[..., Any]
OPTIONS = RedisOptions(connect_timeout=5, command_timeout=10)


def _contexts(service: RedisService) -> list[ssl.SSLContext | None]:
    """The context each of the client's connection builders verifies with."""
    client = service.commands.client
    if isinstance(client, ClusterClient):
        classes = [node.connection_class for node in client.get_nodes()]
        classes.append(client.nodes_manager.connection_kwargs["connection_class"])  # later ones
    else:
        classes = [client.connection_pool.connection_class]
    return [getattr(cls, "tls_context", None) for cls in classes]


async def _primaries_answer(service: RedisService) -> list[Any]:
    return [await service.commands.call("DBSIZE", node=node)
            for node in service.commands.primaries()]


def _ca(server: RedisProcess) -> str:
    assert server.tls is not None
    return str(server.tls.ca_path)


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_tls_verifies_with_the_os_trust_store(where: str, request: pytest.FixtureRequest,
                                              monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    server = request.getfixturevalue("redis_tls_server" if where == "standalone"
                                     else "redis_tls_cluster")
    node = server if isinstance(server, RedisProcess) else server.nodes[0]
    address = RedisAddress("127.0.0.1", node.port, tls=True)

    # Not in the machine's trust store: refused (verification is on).
    with pytest.raises(NetworkError) as refused:
        run(open_redis(address, where=where, options=OPTIONS))
    assert "certificate" in refused.value.advice

    monkeypatch.setenv("SSL_CERT_FILE", _ca(node))  # now it is

    async def body() -> tuple[list[Any], list[Any], bool]:
        service = await open_redis(address, where=where, options=OPTIONS)
        try:
            return await _primaries_answer(service), _contexts(service), service.cluster
        finally:
            await service.close()

    answers, contexts, clustered = run(body())
    assert clustered == (where == "cluster")
    assert len(answers) == (3 if clustered else 1)
    assert contexts and all(isinstance(context, truststore.SSLContext) for context in contexts)


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_a_private_ca_is_the_only_root(where: str, request: pytest.FixtureRequest,
                                       run: Run) -> None:
    server = request.getfixturevalue("redis_tls_server" if where == "standalone"
                                     else "redis_tls_cluster")
    node = server if isinstance(server, RedisProcess) else server.nodes[0]

    async def body() -> tuple[list[Any], list[Any]]:
        service = await open_redis(RedisAddress("127.0.0.1", node.port, tls=True),
                                   where=where, options=RedisOptions(ca_path=_ca(node)))
        try:
            return await _primaries_answer(service), _contexts(service)
        finally:
            await service.close()

    answers, contexts = run(body())
    expected = ssl._ssl._test_decode_cert(_ca(node))  # type: ignore[attr-defined]
    assert len(answers) == (3 if where == "cluster" else 1)
    for context in contexts:
        assert context is not None and not isinstance(context, truststore.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert [root["subject"] for root in context.get_ca_certs()] == [expected["subject"]]


def test_plain_redis_has_no_tls_and_a_bad_ca_file_is_refused(redis_cluster: RedisCluster,
                                                             run: Run, tmp_path: Any) -> None:
    async def body() -> list[Any]:
        service = await open_redis(RedisAddress("127.0.0.1", redis_cluster.port, tls=False),
                                   where="plain", options=OPTIONS)
        try:
            await _primaries_answer(service)
            return _contexts(service)
        finally:
            await service.close()

    assert run(body()) == [None, None, None, None]
    not_a_ca = tmp_path / "not-a-ca.pem"
    not_a_ca.write_text("no certificate here")
    with pytest.raises(InvalidInput, match="cannot be used"):
        run(open_redis(RedisAddress("127.0.0.1", 6380, tls=True), where="x",
                       options=RedisOptions(ca_path=str(not_a_ca))))


def test_a_context_that_does_not_verify_is_never_used() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    with pytest.raises(ValueError, match="may not be turned off"):
        connection_class(context)
