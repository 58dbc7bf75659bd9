"""The read-only gate asks the server's own command table, not only our allowlist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.redis.conftest import REDIS_SERVER, RedisProcess, free_port
from tests.redis.local_redis import open_local
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.wire.read_only import READ_COMMANDS

Run = Callable[..., Any]


@pytest.mark.parametrize("where", ["standalone", "cluster"])
def test_the_server_table_is_read_once_and_allows_the_reads(
        where: str, request: pytest.FixtureRequest, run: Run) -> None:
    server = request.getfixturevalue(where)

    async def body() -> tuple[Any, ...]:
        journal = HttpJournal()
        service = await open_local(server.port, read_only=True, journal=journal)
        try:
            await service.keys.list_keys(page_size=10)
            await service.keys.details(b"nothing")
            await service.values.list_window(b"nothing")
            gate = service.commands.gate
            return gate.table_unavailable, gate._server_reads, journal
        finally:
            await service.close()

    unavailable, server_reads, journal = run(body())
    assert unavailable is None
    assert server_reads is not None and {"scan", "memory|usage", "getrange"} <= server_reads
    assert server_reads <= READ_COMMANDS
    assert not any(record.refused for record in journal.records())


def test_a_command_the_server_does_not_have_is_refused(tmp_path: Path, run: Run) -> None:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisProcess(free_port(), tmp_path)
    server.start("--rename-command", "STRLEN", "")  # this server has no STRLEN
    server.admin.set(b"s", b"v")

    async def body() -> ReadOnlyRefused:
        service = await open_local(server.port, read_only=True)
        try:
            await service.values.string_range(b"s")
        except ReadOnlyRefused as exc:
            return exc
        finally:
            await service.close()
        raise AssertionError("sent")

    try:
        error = run(body())
    finally:
        server.stop()
    assert "STRLEN" in error.message and "command table" in error.message
