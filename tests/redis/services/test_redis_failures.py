"""Failures become typed errors with advice: refused, timeouts, TLS, BUSY, LOADING, NOPERM
naming a policy; a cancelled command is recorded as cancelled; no token reaches a log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis import exceptions as redis_errors

from tests.redis.conftest import REDIS_SERVER, RedisProcess, free_port
from tests.redis.local_redis import open_local
from tests.redis.token_issuer import RotatingTokenCredential, acl_rotation
from vaultbrowser.core.services.errors import (
    AccessDenied,
    InvalidInput,
    NetworkError,
    ServiceUnavailable,
)
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.opening import RedisOptions, open_redis
from vaultbrowser.redis.services.wire.addresses import RedisAddress
from vaultbrowser.redis.services.wire.entra import EntraTokenProvider
from vaultbrowser.redis.services.wire.failures import translate_redis_error

Run = Callable[..., Any]


def test_a_port_nobody_listens_on_is_refused(run: Run) -> None:
    with pytest.raises(NetworkError) as raised:
        run(open_local(free_port()))
    assert "refused the connection" in raised.value.message


@contextlib.contextmanager
def _silent_server() -> Iterator[int]:
    """A TCP server that accepts and never answers (a firewall that swallows replies)."""
    port = free_port()
    ready, stop = threading.Event(), threading.Event()

    def serve() -> None:
        import socket

        with socket.socket() as listener:
            listener.bind(("127.0.0.1", port))
            listener.listen()
            listener.settimeout(0.1)
            ready.set()
            held = []
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    held.append(listener.accept()[0])
            for connection in held:
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield port
    finally:
        stop.set()
        thread.join(5)


def test_a_server_that_does_not_answer_times_out(run: Run) -> None:
    with _silent_server() as port, pytest.raises(NetworkError) as raised:
        run(open_redis(RedisAddress("127.0.0.1", port, tls=False), where="silent",
                       options=RedisOptions(connect_timeout=1, command_timeout=0.5)))
    assert "timed out" in raised.value.message


def test_a_cancelled_command_is_recorded_as_cancelled(run: Run) -> None:
    journal = HttpJournal()

    async def body() -> None:
        task = asyncio.ensure_future(open_redis(
            RedisAddress("127.0.0.1", port, tls=False), where="silent", journal=journal,
            options=RedisOptions(connect_timeout=1, command_timeout=30)))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with _silent_server() as port:
        run(body())
    assert [(r.method, r.cancelled, r.failed) for r in journal.records()] == [
        ("INFO", True, False)]


def test_tls_with_a_trusted_ca_and_without(redis_tls_server: RedisProcess, run: Run) -> None:
    address = RedisAddress("127.0.0.1", redis_tls_server.port, tls=True)
    ca = str(redis_tls_server.tls.ca_path) if redis_tls_server.tls else None

    async def trusted() -> Any:
        service = await open_redis(address, where="tls", options=RedisOptions(ca_path=ca))
        try:
            return await service.commands.call("PING")
        finally:
            await service.close()

    assert run(trusted()) is True
    with pytest.raises(NetworkError) as raised:
        run(open_redis(address, where="tls", options=RedisOptions(connect_timeout=3)))
    assert "TLS" in raised.value.message and "certificate" in raised.value.advice
    with pytest.raises(InvalidInput, match="loopback"):
        run(open_redis(RedisAddress("cache.example.com", 6380, tls=True), where="x",
                       options=RedisOptions(ca_path=ca)))


def test_a_busy_script_is_explained(standalone: RedisProcess, run: Run) -> None:
    standalone.admin.config_set("busy-reply-threshold", 50)
    runner = redis.Redis(host="127.0.0.1", port=standalone.port)
    errors: list[BaseException] = []

    def spin() -> None:
        try:
            runner.eval("while true do end", 0)
        except redis.RedisError as exc:
            errors.append(exc)

    async def body() -> ServiceUnavailable:
        service = await open_local(standalone.port)
        thread = threading.Thread(target=spin, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until the script has run past the threshold
                try:
                    await service.commands.call("DBSIZE")
                except ServiceUnavailable as exc:
                    return exc
                await asyncio.sleep(0.05)
            raise AssertionError("never busy")
        finally:
            killer = redis.Redis(host="127.0.0.1", port=standalone.port)
            deadline = time.monotonic() + 5
            while thread.is_alive() and time.monotonic() < deadline:
                with contextlib.suppress(redis.RedisError):
                    killer.script_kill()
                thread.join(0.2)
            killer.close()
            runner.close()
            await service.close()

    error = run(body())
    assert error.error_code == "BUSY" and "SCRIPT KILL" in error.advice
    standalone.admin.config_set("busy-reply-threshold", 5000)


def test_a_server_still_loading_its_data_is_explained(tmp_path: Path, run: Run) -> None:
    """A real LOADING: a saved data set loaded slowly (key-load-delay, Redis's own test knob)."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    seeding = RedisProcess(free_port(), tmp_path)
    seeding.start()
    pipe = seeding.admin.pipeline(transaction=False)
    for n in range(1000):
        pipe.set(f"k:{n}".encode(), b"v" * 1024)  # one key per batch of loading
    pipe.execute()
    seeding.admin.save()
    seeding.stop()
    port = free_port()
    loading = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
         "--save", "", "--appendonly", "no", "--key-load-delay", "10000",
         # answer clients between keys (10 ms each: about 10 s of loading)
         "--loading-process-events-interval-bytes", "1024",
         "--logfile", str(tmp_path / "loading.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _accepts(port) and time.monotonic() < deadline:
            time.sleep(0.05)

        async def body() -> ServiceUnavailable:
            service = await open_local(port)  # INFO answers while loading
            try:
                await service.keys.list_keys(page_size=10)
            except ServiceUnavailable as exc:
                return exc
            finally:
                await service.close()
            raise AssertionError("listed while loading")

        error = run(body())
    finally:
        loading.kill()
        loading.wait(10)
    assert error.error_code == "LOADING" and "loading" in error.message


def _accepts(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_named_policy_is_quoted() -> None:
    denied = translate_redis_error(redis_errors.NoPermissionError(
        "this user has no permissions to run the 'set' command (data access policy "
        "'Data Reader')"), where="cache", user="oid-1", command="SET")
    assert isinstance(denied, AccessDenied) and "'Data Reader'" in denied.advice


def test_no_token_reaches_a_log_or_the_journal(standalone: RedisProcess, run: Run,
                                               caplog: pytest.LogCaptureFixture) -> None:
    credential = RotatingTokenCredential(acl_rotation(standalone.admin), lifetime=1.0)
    journal = HttpJournal()

    async def body() -> None:
        provider = EntraTokenProvider(credential)
        await provider.start()
        service = await open_local(standalone.port, credentials=provider, journal=journal)
        try:
            while provider.refreshes < 1:
                await asyncio.sleep(0.1)
            await service.keys.list_keys(page_size=10)
        finally:
            await service.close()

    with caplog.at_level(logging.DEBUG):
        run(body())
    texts = [record.getMessage() for record in caplog.records]
    texts += [record.url + (record.failure or "") for record in journal.records()]
    for token in credential.tokens:
        assert not any(token in text or token.split(".")[1] in text for text in texts)
