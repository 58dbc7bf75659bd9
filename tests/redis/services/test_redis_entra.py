"""Entra ID sign-in against real servers: ACL users whose password is the token our loopback
credential issues; refresh rotates that password and the client re-authenticates its pooled
connections without dropping them (same CLIENT ID)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis

from tests.redis.conftest import RedisProcess
from tests.redis.local_redis import open_local
from tests.redis.token_issuer import OID, RotatingTokenCredential, acl_rotation, jwt_shaped
from vaultbrowser.core.services.errors import AccessDenied, AuthenticationRequired
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.wire.entra import REDIS_SCOPE, EntraTokenProvider, object_id_of

Run = Callable[..., Any]


def _auth_calls(admin: Any) -> int:
    stats = admin.info("commandstats")
    return int(stats.get("cmdstat_auth", {}).get("calls", 0))


def test_the_object_id_is_read_from_the_token() -> None:
    assert object_id_of(jwt_shaped({"oid": OID})) == OID
    for token in ("not-a-jwt", "a.b.c", jwt_shaped({"sub": "x"}), jwt_shaped({"oid": ""})):
        with pytest.raises(AuthenticationRequired) as raised:
            object_id_of(token)
        assert "access key" in raised.value.advice


def test_sign_in_uses_the_oid_and_the_token(standalone: RedisProcess, run: Run) -> None:
    credential = RotatingTokenCredential(acl_rotation(standalone.admin))

    async def body() -> tuple[str | None, bytes, str | None]:
        provider = EntraTokenProvider(credential)
        await provider.start()
        journal = HttpJournal()
        service = await open_local(standalone.port, credentials=provider, journal=journal)
        try:
            who = await service.commands.call("ACL", "WHOAMI")
            return service.user, who, journal.records()[-1].identity
        finally:
            await service.close()

    user, who, identity = run(body())
    assert user == OID and who == OID.encode() and identity == OID
    assert credential.scopes[0] == (REDIS_SCOPE,)


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_refresh_reauthenticates_without_dropping_connections(
        where: str, request: pytest.FixtureRequest, run: Run) -> None:
    server = request.getfixturevalue(where)
    admins = [node.admin for node in server.nodes] if where == "cluster" else [server.admin]
    credential = RotatingTokenCredential(acl_rotation(*admins), lifetime=2.0)

    async def body() -> tuple[Any, ...]:
        provider = EntraTokenProvider(credential)
        await provider.start()
        service = await open_local(server.port, credentials=provider)
        try:
            before = [await service.commands.call("CLIENT", "ID", node=node)
                      for node in service.commands.primaries()]
            auths = sum(_auth_calls(admin) for admin in admins)
            deadline = time.monotonic() + 10
            while provider.refreshes < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            after = [await service.commands.call("CLIENT", "ID", node=node)
                     for node in service.commands.primaries()]
            await service.keys.list_keys(page_size=10)  # still signed in everywhere
            return (before, after, provider.refreshes, provider.last_error,
                    sum(_auth_calls(admin) for admin in admins) - auths)
        finally:
            await service.close()

    before, after, refreshes, error, auths = run(body())
    assert error is None
    assert refreshes >= 2 and len(credential.tokens) >= 3
    assert before == after  # the same connections, authenticated again in place
    assert auths >= refreshes * len(admins)  # AUTH <oid> <new token> on each node's connection
    # The first token no longer opens anything: the rotation was real.
    stale = redis.Redis(host="127.0.0.1", port=admins[0].connection_pool.connection_kwargs[
        "port"], username=OID, password=credential.tokens[0])
    with pytest.raises(redis.AuthenticationError):
        stale.ping()
    stale.close()


def test_a_new_connection_signs_in_with_the_newest_token(standalone: RedisProcess,
                                                          run: Run) -> None:
    credential = RotatingTokenCredential(acl_rotation(standalone.admin), lifetime=2.0)

    async def body() -> list[bytes]:
        provider = EntraTokenProvider(credential)
        await provider.start()
        service = await open_local(standalone.port, credentials=provider)
        try:
            await asyncio.sleep(2.5)  # the first token has expired and was replaced
            # several commands at once: the pool opens new connections for them
            return await asyncio.gather(*(service.commands.call("PING") for _ in range(4)))
        finally:
            await service.close()

    assert run(body()) == [True] * 4


def test_a_wrong_object_id_says_which_user_name_was_used(standalone: RedisProcess,
                                                         run: Run) -> None:
    credential = RotatingTokenCredential(lambda token: None)  # the server knows no such user

    async def body() -> AuthenticationRequired:
        provider = EntraTokenProvider(credential)
        await provider.start()
        try:
            await open_local(standalone.port, credentials=provider)
        except AuthenticationRequired as exc:
            return exc
        finally:
            await provider.close()
        raise AssertionError("signed in")

    error = run(body())
    assert OID in error.message and "WRONGPASS" in (error.error_code or "")
    assert "object id" in error.advice
    assert credential.tokens[0] not in error.diagnostics_text()


def test_a_token_without_an_object_id_is_refused_before_connecting(run: Run) -> None:
    credential = RotatingTokenCredential(lambda token: None, oid=None)

    async def body() -> None:
        await EntraTokenProvider(credential).start()

    with pytest.raises(AuthenticationRequired, match="object id"):
        run(body())


def test_a_policy_without_the_command_names_the_identity(standalone: RedisProcess,
                                                          run: Run) -> None:
    credential = RotatingTokenCredential(acl_rotation(
        standalone.admin, rules=("~*", "+@read", "+@connection", "+info", "+command")))

    async def body() -> AccessDenied:
        provider = EntraTokenProvider(credential)
        await provider.start()
        service = await open_local(standalone.port, credentials=provider)
        try:
            await service.commands.call("SET", b"k", b"v", key=b"k")
        except AccessDenied as exc:
            return exc
        finally:
            await service.close()
        raise AssertionError("written")

    error = run(body())
    assert error.error_code == "NOPERM"
    assert f"data access policy assigned to {OID}" in error.advice


def test_a_failed_refresh_keeps_the_old_token_and_tries_again(standalone: RedisProcess,
                                                              run: Run) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    credential = RotatingTokenCredential(acl_rotation(standalone.admin), lifetime=1.5)
    minted = credential.get_token
    calls = 0

    async def flaky(*scopes: str, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first refresh fails (a network blip at sign-in)
            raise ClientAuthenticationError("the token endpoint did not answer")
        return await minted(*scopes, **kwargs)

    credential.get_token = flaky  # type: ignore[method-assign]

    async def body() -> tuple[Any, ...]:
        provider = EntraTokenProvider(credential, retry_delay=1.0)
        await provider.start()
        service = await open_local(standalone.port, credentials=provider)
        try:
            deadline = time.monotonic() + 10
            while provider.last_error is None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            failed = provider.last_error
            still = await service.commands.call("PING")  # the old token still signs in
            deadline = time.monotonic() + 5
            while provider.refreshes < 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return failed, still, provider.refreshes, provider.last_error
        finally:
            await service.close()

    failed, still, refreshes, error = run(body())
    assert isinstance(failed, AuthenticationRequired)
    assert still is True and refreshes == 1 and error is None


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_a_reader_policy_without_info_still_opens(where: str, request: pytest.FixtureRequest,
                                                  run: Run) -> None:
    """Like Azure's "Data Reader": reads and connection commands, no INFO (@dangerous)."""
    server = request.getfixturevalue(where)
    admins = [node.admin for node in server.nodes] if where == "cluster" else [server.admin]
    credential = RotatingTokenCredential(acl_rotation(*admins, rules=(
        "~*", "+@read", "+@connection", "+cluster|info", "+cluster|slots", "+cluster|nodes")))

    async def body() -> tuple[bool, int, bool]:
        provider = EntraTokenProvider(credential)
        await provider.start()
        journal = HttpJournal()
        service = await open_local(server.port, credentials=provider, read_only=True,
                                   journal=journal)
        try:
            page = await service.keys.list_keys(page_size=10)
            assert not any(record.failed for record in journal.records())  # INFO: expected
            return service.cluster, len(page.items), service.commands.gate.table_unavailable is None
        finally:
            await service.close()

    admins[0].set(b"k", b"v") if where == "standalone" else server.admin().set(b"k", b"v")
    cluster, keys, table = run(body())
    assert cluster == (where == "cluster") and keys == 1 and table
