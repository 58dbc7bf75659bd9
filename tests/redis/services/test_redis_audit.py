"""The Redis audit against real servers (standalone and the three-primary cluster): keys without
TTL per namespace and the biggest keys over the bounded SCAN sample (``samples.sample_keys``,
tested on its own in test_redis_samples.py), ARM's findings for a connection discovery made
(access keys, Plaintext), and the discovered connection itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.redis.conftest import RedisCluster, RedisProcess
from vaultbrowser.core.audit.findings import merged
from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.redis.services.audit import (
    ACCESS_KEYS,
    BIGGEST_KEYS,
    NO_TTL,
    PLAINTEXT,
    audit_redis,
    sample_findings,
)
from vaultbrowser.redis.services.discovered import REDIS_KIND, redis_connection_for_resource
from vaultbrowser.redis.services.samples import KeySample, NamespaceTtlCount

Run = Callable[..., Any]
AMR = "redis-prod.westeurope.redis.azure.net"
ARM = "https://management.azure.com"


def _seed(admin: Any) -> int:
    pipe = admin.pipeline(transaction=False)
    for n in range(300):
        pipe.set(f"session:{n}", b"s", ex=3600)
    for n in range(200):
        pipe.set(f"user:{n}:profile", b"u")
    for n in range(50):
        pipe.hset(f"cache:{n}", mapping={"a": "1"})
    for n in range(3):
        pipe.set(f"loose{n}", b"x")
    pipe.set("blob:big", b"v" * 200_000)
    pipe.execute()
    return 554


def _local(port: int, **extra: Any) -> Connection:
    return Connection(REDIS_KIND, f"redis://127.0.0.1:{port}", AuthMethod.LOCAL_EMULATOR,
                      read_only=True, name="local redis", **extra)


async def _audit(connection: Connection) -> InventoryCollector:
    session = ServiceSession()
    collector = InventoryCollector(session)
    try:
        await audit_redis(collector, connection)
    finally:
        await session.aclose()
    return collector


def test_keys_without_ttl_per_namespace_and_the_biggest(standalone: RedisProcess,
                                                         run: Run) -> None:
    total = _seed(standalone.admin)
    collector = run(_audit(_local(standalone.port)))
    assert collector.errors.errors() == ()
    findings = {f.code: f for f in merged(collector.findings)}
    assert set(findings) == {NO_TTL, BIGGEST_KEYS}  # nothing from ARM: not from discovery
    no_ttl = findings[NO_TTL]
    assert [(i.kind, i.name) for i in no_ttl.items] == [
        (ItemKind.NAMESPACE, "user:*"), (ItemKind.NAMESPACE, "cache:*"),
        (ItemKind.NAMESPACE, "(no namespace)"), (ItemKind.NAMESPACE, "blob:*")]
    user = no_ttl.items[0]
    assert user.source == "local redis"
    assert user.detail == ("200 of 200 sampled keys have no TTL (every key of the database: "
                           f"{total:,})")
    assert "sample" in no_ttl.title.lower() and "sample" in no_ttl.description
    biggest = findings[BIGGEST_KEYS].items
    assert biggest[0].kind is ItemKind.DATA_KEY and biggest[0].name == "blob:big"
    assert biggest[0].detail.startswith("2") and " bytes " in biggest[0].detail
    assert len(biggest) == 10


def test_a_partial_sample_says_it_is_one() -> None:
    sample = KeySample(700, False, (NamespaceTtlCount("k", 700, 650),
                                    NamespaceTtlCount("(no namespace)", 3, 0)), ())
    (finding,) = sample_findings("src", sample, 3_000)
    (item,) = finding.items  # a namespace whose keys all expire is no finding
    assert (item.name, item.detail) == (
        "k:*", "650 of 700 sampled keys have no TTL (sample of 700 keys (SCAN) of 3,000 in the "
        "database)")


def test_a_cluster_is_audited_on_every_primary(cluster: RedisCluster, run: Run) -> None:
    admin = cluster.admin()
    try:
        total = _seed(admin)
    finally:
        admin.close()
    collector = run(_audit(_local(cluster.port)))
    assert collector.errors.errors() == ()
    findings = {f.code: f for f in collector.findings}
    assert findings[NO_TTL].items[0].detail.endswith(f"every key of the database: {total:,})")
    assert findings[BIGGEST_KEYS].items[0].name == "blob:big"


def test_arm_findings_for_a_discovered_database(standalone: RedisProcess, run: Run) -> None:
    sign_in = Connection("azure", ARM, AuthMethod.AZURE_CLI, tenant_id="t1", read_only=True)
    plain = redis_connection_for_resource(f"redis://{AMR}:10000", sign_in, None)
    plain = Connection(**{**plain.__dict__, "resource_properties": (
        ("hostName", AMR), ("clientProtocol", "Plaintext"), ("port", "10000"),
        ("accessKeysAuthentication", "Enabled"))})
    collector = run(_audit(plain))
    findings = {f.code: f for f in collector.findings}
    assert set(findings) == {ACCESS_KEYS, PLAINTEXT}
    assert findings[PLAINTEXT].items[0].detail == (
        "Resource Manager: client protocol Plaintext, port 10000")
    assert findings[ACCESS_KEYS].items[0].kind is ItemKind.DATABASE
    (error,) = collector.errors.errors()  # no unencrypted Redis beyond this computer
    assert error.operation == "open Redis" and error.error_type == "InvalidInput"

    _seed(standalone.admin)
    safe = _local(standalone.port, resource_properties=(
        ("clientProtocol", "Encrypted"), ("accessKeysAuthentication", "Disabled")))
    codes = {f.code for f in run(_audit(safe)).findings}
    assert codes == {NO_TTL, BIGGEST_KEYS}


def test_connections_for_what_discovery_found() -> None:
    sign_in = Connection("azure", ARM, AuthMethod.AZURE_CLI, tenant_id="t1", read_only=True)
    found = redis_connection_for_resource(f"rediss://{AMR}:10000", sign_in, None)
    assert (found.kind, found.url, found.auth, found.tenant_id, found.read_only) == (
        REDIS_KIND, f"rediss://{AMR}:10000", AuthMethod.AZURE_CLI, "t1", True)
    key = SecretValue("k" * 44)
    keyed = redis_connection_for_resource(f"rediss://{AMR}:10000", sign_in, key)
    assert keyed.auth is AuthMethod.ACCOUNT_KEY and keyed.secret is key
    assert keyed.name == f"{AMR}:10000 (access key)" and "k" * 44 not in repr(keyed)
    emulator = Connection("azure", "https://127.0.0.1:8443", AuthMethod.LOCAL_EMULATOR,
                          tenant_id="t1", ca_path="/tmp/ca.pem")
    local = redis_connection_for_resource("redis://127.0.0.1:6380", emulator, None)
    assert local.url == "redis://127.0.0.1:6380" and local.ca_path == "/tmp/ca.pem"
    for bad in ("", "http://x.example.com", "redis://user:pw@h.example.com:1",
                "redis://h.example.com"):
        with pytest.raises(InvalidInput) as caught:
            redis_connection_for_resource(bad, sign_in, None)
        assert "pw" not in caught.value.message


def test_the_kind_name_is_the_kinds() -> None:
    from vaultbrowser.redis.kind import REDIS

    assert REDIS_KIND == REDIS
