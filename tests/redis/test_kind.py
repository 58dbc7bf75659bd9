"""The Redis kind's registration: its place in the registry, addresses, command-line options,
the access key's check, its icon."""

from __future__ import annotations

from typing import Any

import pytest

from vaultbrowser.app import KINDS, build_parser, connections_from_args
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.redis.kind import KIND


def test_registered_after_blob_and_before_the_azure_sign_in() -> None:
    names = [kind.name for kind in KINDS]
    assert names.index("blob") < names.index("redis") < names.index("azure")
    assert KIND.label == "Azure Managed Redis"
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
    args = build_parser().parse_args(["--redis", "myredis.westeurope.redis.azure.net",
                                      "--redis", "redis://127.0.0.1:7000"])
    connections = [c for c in connections_from_args(args) if c.kind == "redis"]
    assert [(c.url, c.auth) for c in connections] == [
        ("rediss://myredis.westeurope.redis.azure.net:10000", AuthMethod.DEFAULT),
        ("redis://127.0.0.1:7000", AuthMethod.LOCAL_EMULATOR)]
    args = build_parser().parse_args(["--redis", "myredis.westeurope.redis.azure.net",
                                      "--redis-key-env", "MY_REDIS_KEY"])
    (keyed,) = [c for c in connections_from_args(args) if c.kind == "redis"]
    assert keyed.auth is AuthMethod.ACCOUNT_KEY and keyed.secret_env == "MY_REDIS_KEY"
    assert keyed.secret is None  # the key is read from the variable when it opens
    with pytest.raises(InvalidInput) as caught:
        connections_from_args(build_parser().parse_args(
            ["--redis", "rediss://user:hunter2@myredis.westeurope.redis.azure.net"]))
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
