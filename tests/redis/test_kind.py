"""The Redis kind's registration: its place in the registry, addresses, command-line options,
the access key's check, its icon."""

from __future__ import annotations

from typing import Any

import pytest

from vaultbrowser.app import build_parser, connections_from_args
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.redis.kind import KIND

ONLY = (KIND,)


def test_the_kind_s_words_and_sign_in_methods() -> None:
    assert KIND.name == "redis" and KIND.label == "Azure Managed Redis"
    assert AuthMethod.ACCOUNT_KEY in KIND.auth_methods
    assert AuthMethod.LOCAL_EMULATOR in KIND.auth_methods
    assert AuthMethod.DEFAULT in KIND.auth_methods


def test_urls_are_normalized_by_the_redis_rule() -> None:
    assert KIND.normalize_url("myredis.westeurope.redis.azure.net") == (
        "rediss://myredis.westeurope.redis.azure.net:10000")
    assert KIND.normalize_url("redis://localhost:6380") == "redis://localhost:6380"
    with pytest.raises(InvalidInput):
        KIND.normalize_url("redis://example.com")  # no TLS off loopback


def test_command_line_redis_is_repeatable(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser(ONLY).parse_args(["--redis", "myredis.westeurope.redis.azure.net",
                                          "--redis", "redis://127.0.0.1:7000"])
    connections = connections_from_args(args, ONLY)
    assert [(c.url, c.auth) for c in connections] == [
        ("rediss://myredis.westeurope.redis.azure.net:10000", AuthMethod.DEFAULT),
        ("redis://127.0.0.1:7000", AuthMethod.LOCAL_EMULATOR)]
    args = build_parser(ONLY).parse_args(["--redis", "myredis.westeurope.redis.azure.net",
                                          "--redis-key-env", "MY_REDIS_KEY"])
    (keyed,) = connections_from_args(args, ONLY)
    assert keyed.auth is AuthMethod.ACCOUNT_KEY and keyed.secret_env == "MY_REDIS_KEY"
    assert keyed.secret is None  # the key is read from the variable when it opens
    with pytest.raises(InvalidInput) as caught:
        connections_from_args(build_parser(ONLY).parse_args(
            ["--redis", "rediss://user:hunter2@myredis.westeurope.redis.azure.net"]), ONLY)
    assert "hunter2" not in str(caught.value) + caught.value.advice


def test_the_access_key_is_checked_without_repeating_it() -> None:
    assert KIND.check_secret(AuthMethod.ACCOUNT_KEY, "abcDEF123=").reveal() == "abcDEF123="
    with pytest.raises(InvalidInput) as caught:
        KIND.check_secret(AuthMethod.ACCOUNT_KEY, "two words")
    assert "two words" not in caught.value.message


def test_the_icon_draws_at_16_px(qapp: Any) -> None:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(KIND.icon_svg.encode()))
    assert renderer.isValid()
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    painted = sum(1 for x in range(16) for y in range(16) if image.pixelColor(x, y).alpha())
    assert painted > 100


# --- the demo provider ------------------------------------------------------------------------


def test_the_demo_starts_a_seeded_redis_server_and_stops_it(tmp_path: Any) -> None:
    import asyncio
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    from tests.redis.local_redis import open_local
    from vaultbrowser.redis.services.demo.redis_server import _answers

    demo = KIND.demo(tmp_path, True)

    async def run() -> tuple[list[bytes], int, Any]:
        connection = await demo.start({})
        port = demo.port  # type: ignore[attr-defined]
        service = await open_local(port)
        try:
            names: list[bytes] = []
            token = None
            while True:
                page = await service.keys.list_keys(page_size=1000, continuation=token)
                names += [key.name for key in page.items]
                token = page.next_token
                if token is None:
                    break
            details = await service.keys.details(b"cache:catalogue")
        finally:
            await service.close()
            await demo.stop()
        return names, port, (connection, details)

    names, port, (connection, details) = asyncio.run(run())
    assert connection.kind == "redis" and connection.auth is AuthMethod.LOCAL_EMULATOR
    assert connection.url == f"redis://127.0.0.1:{port}" and port != 6379
    assert sum(name.startswith(b"sessions:") for name in names) == 120
    for name in (b"users:1001", b"queues:email", b"tags:product:17", b"leaderboard:weekly",
                 b"events:orders", b"feature-flags:checkout-v2"):
        assert name in names
    assert details.type == "string" and details.length > 64 * 1024  # read in ranges
    assert not _answers(port)  # stopped
    assert (tmp_path / "redis").is_dir()


def test_without_redis_server_the_demo_says_how_to_get_it(tmp_path: Any,
                                                          monkeypatch: Any) -> None:
    import asyncio

    from vaultbrowser.core.services.kinds import DemoUnavailable
    from vaultbrowser.redis.services.demo import redis_server

    monkeypatch.setattr(redis_server.shutil, "which", lambda _name: None)
    demo = KIND.demo(tmp_path, True)
    with pytest.raises(DemoUnavailable) as caught:
        asyncio.run(demo.start({}))
    message = str(caught.value)
    assert "apt-get install redis-server" in message and "brew install redis" in message
    assert "WSL" in message
    asyncio.run(demo.stop())  # nothing started: nothing to stop


def test_pasted_redis_addresses_open_their_connection() -> None:
    from vaultbrowser.core.services.kinds import parse_address

    address = parse_address(ONLY, "myredis.westeurope.redis.azure.net")
    assert address.kind == "redis" and address.connection is not None
    assert address.connection.url == "rediss://myredis.westeurope.redis.azure.net:10000"
    assert address.connection.auth is AuthMethod.DEFAULT
    local = parse_address(ONLY, "redis://127.0.0.1:7001")
    assert local.connection is not None and local.connection.auth is AuthMethod.LOCAL_EMULATOR
    keyed = parse_address(ONLY, "rediss://:s3cret%3D@cache.example.com:6380")
    assert keyed.connection is not None and keyed.connection.auth is AuthMethod.ACCOUNT_KEY
    assert keyed.connection.secret is not None and keyed.connection.secret.reveal() == "s3cret="
    assert "s3cret" not in repr(keyed) and "s3cret" not in keyed.connection.url
    assert KIND.parse_address is not None
    assert KIND.parse_address("https://myvault.vault.azure.net") is None
    with pytest.raises(InvalidInput) as caught:
        parse_address(ONLY, "redis://:hunter2@cache.example.com")  # no TLS off loopback
    assert "hunter2" not in caught.value.message + caught.value.advice
