"""Redis addresses: parsed once, strictly; a password never leaves a SecretValue."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.redis.services.wire.addresses import (
    RedisAddress,
    normalize_redis_url,
    parse_redis_url,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("myredis.westeurope.redis.azure.net",
     RedisAddress("myredis.westeurope.redis.azure.net", 10000, tls=True)),
    ("rediss://MyRedis.westeurope.redis.azure.net",
     RedisAddress("myredis.westeurope.redis.azure.net", 10000, tls=True)),
    ("rediss://cache.example.com:6380/3", RedisAddress("cache.example.com", 6380, True, 3)),
    ("redis://localhost", RedisAddress("localhost", 6379, tls=False)),
    ("redis://127.0.0.1:7001/2", RedisAddress("127.0.0.1", 7001, False, 2)),
    ("localhost:6390", RedisAddress("localhost", 6390, tls=False)),
    ("rediss://[::1]:6390", RedisAddress("::1", 6390, tls=True)),
    ("cache.example.com:6380", RedisAddress("cache.example.com", 6380, tls=True)),
])
def test_addresses_that_are_read(text: str, expected: RedisAddress) -> None:
    parsed = parse_redis_url(text)
    assert parsed.address == expected
    assert parsed.password is None
    assert parse_redis_url(parsed.address.url).address == expected  # the URL reads back


def test_the_canonical_url_and_node() -> None:
    assert normalize_redis_url("myredis.westeurope.redis.azure.net") == (
        "rediss://myredis.westeurope.redis.azure.net:10000")
    assert normalize_redis_url("redis://127.0.0.1:7001/2") == "redis://127.0.0.1:7001/2"
    assert parse_redis_url("rediss://[::1]:6390").address.node == "[::1]:6390"
    assert parse_redis_url("a.westeurope.redis.azure.net").address.is_azure_managed


@pytest.mark.parametrize(("text", "words"), [
    ("redis://cache.example.com", "loopback"),
    ("redis://myredis.westeurope.redis.azure.net", "rediss://"),
    ("https://myvault.vault.azure.net", "not a Redis address"),
    ("rediss://cache.example.com:99999", "not a valid address"),
    ("rediss://cache.example.com/16", "database number"),
    ("rediss://cache.example.com/abc", "database number"),
    ("rediss://cache.example.com?ssl_cert_reqs=none", "options"),
    ("rediss://cache_under.example.com", "not a valid host"),
    ("rediss://ｍyredis.example.com", "non-ASCII"),
    ("rediss://a b", "spaces"),
    ("", "Type a Redis address"),
    ("rediss://:0", "no host"),
])
def test_addresses_that_are_refused(text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_redis_url(text)
    assert words in str(raised.value) + raised.value.advice


def test_a_password_in_a_url_becomes_a_secret_value_only() -> None:
    parsed = parse_redis_url("rediss://alice:s3cr%40t-key@cache.example.com:6380")
    assert parsed.user == "alice"
    assert isinstance(parsed.password, SecretValue)
    assert parsed.password.reveal() == "s3cr@t-key"
    assert "s3cr" not in repr(parsed) and "s3cr" not in parsed.address.url
    assert parse_redis_url("rediss://:key@cache.example.com").user is None


def test_a_refused_address_with_a_password_is_never_quoted() -> None:
    for text in ("redis://user:hunter2-secret@cache.example.com",
                 "rediss://user:hunter2-secret@cache.example.com:99999",
                 "https://user:hunter2-secret@cache.example.com"):
        with pytest.raises(InvalidInput) as raised:
            parse_redis_url(text)
        assert "hunter2" not in raised.value.diagnostics_text() + raised.value.advice
