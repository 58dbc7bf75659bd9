"""The demo's redis-server runs on the emulators' ChildServer: a port taken before redis binds
it is replaced by another; any other failure is the demo's DemoUnavailable with redis's own
words, not tried again."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.redis.conftest import MISSING, REDIS_SERVER
from vaultbrowser.core.services.kinds import DemoUnavailable
from vaultbrowser.emulators.child_server import ChildServer
from vaultbrowser.redis.services.demo.redis_server import (
    REDIS_SERVER_SPEC,
    LocalRedisServer,
    _answers,
)

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason=MISSING)


def _redis_command(port: int, directory: Path) -> list[str]:
    assert REDIS_SERVER is not None
    return [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(directory)]


def test_a_port_taken_before_redis_binds_it_is_replaced(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        taken_port = taken.getsockname()[1]
        ports: list[int] = []

        def command(port: int) -> list[str]:
            ports.append(port)  # the first start is sent to the taken port
            return _redis_command(taken_port if len(ports) == 1 else port, tmp_path)

        server = ChildServer(REDIS_SERVER_SPEC, tmp_path)
        server.start(command, _answers, timeout=15)
        try:
            assert len(ports) == 2 and server.port == ports[1] and _answers(ports[1])
        finally:
            server.stop()
    assert not _answers(ports[1])


def test_another_failure_is_the_demos_error_with_redis_words(tmp_path: Path) -> None:
    server = ChildServer(REDIS_SERVER_SPEC, tmp_path)
    tries = 0

    def command(port: int) -> list[str]:
        nonlocal tries
        tries += 1
        return [*_redis_command(port, tmp_path), "--no-such-option", "yes"]

    with pytest.raises(DemoUnavailable, match=r"redis-server exited .*no-such-option"):
        server.start(command, _answers, timeout=15)
    assert tries == 1 and not server.running


def test_the_demo_server_starts_logs_in_its_folder_and_stops(tmp_path: Path) -> None:
    server = LocalRedisServer(tmp_path / "redis")
    server.start()
    try:
        assert _answers(server.port) and server.port != 6379
    finally:
        server.stop()
    assert not _answers(server.port)
    assert "Ready to accept connections" in (tmp_path / "redis" / "redis.log").read_text()
