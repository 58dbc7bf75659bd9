"""The Redis audit inside an Azure sign-in's audit: the ARM emulator describes an Azure Managed
Redis cluster whose database is the real local redis-server (loopback, so Plaintext in ARM's
words); ``collect_report`` over the sign-in finds it, opens it as a Redis connection and reports
ARM's findings and the sampled keys' under "<tenant> / <subscription> / <cluster>"."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.redis.conftest import RedisProcess
from vaultbrowser.azure.kind import KIND as AZURE_KIND
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.records import REDIS_TYPE
from vaultbrowser.core.audit.report import collect_report
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, demo_world
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.redis.kind import KIND as REDIS_KIND
from vaultbrowser.redis.services.audit import (
    ACCESS_KEYS,
    BIGGEST_KEYS,
    NO_TTL,
    PLAINTEXT,
    audit_redis,
)
from vaultbrowser.redis.services.discovered import redis_connection_for_resource

Run = Callable[..., Any]
DEV = "Contoso Demo / Contoso Development / redis-dev-cache"
PROD = "Contoso Demo / Contoso Production / redis-prod-sessions"


def test_a_discovered_database_is_audited_with_arms_view(standalone: RedisProcess, run: Run,
                                                          tmp_path: Path) -> None:
    for n in range(40):
        standalone.admin.set(f"feature:{n}", b"on")
    world = demo_world(vault_uri="https://127.0.0.1:9/",
                       blob_endpoint="http://127.0.0.1:9/devstoreaccount1/",
                       account_key="ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ==",
                       redis_host="127.0.0.1", redis_port=standalone.port, redis_tls=False)
    # the demo's vaults and accounts point nowhere here: only the clusters are audited
    world.vaults, world.storage_accounts = [], []
    redis_kind = dataclasses.replace(
        REDIS_KIND, resource_type=REDIS_TYPE,
        connection_for_resource=redis_connection_for_resource, audit=audit_redis)

    with run_arm_emulator_in_thread(world, data_dir=tmp_path) as emulator:
        sign_in = Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR,
                             tenant_id=CONTOSO_TENANT_ID, ca_path=str(emulator.ca_file),
                             read_only=True, scope=CONTOSO_TENANT_ID)

        async def body() -> Any:
            session = ServiceSession()
            try:
                return await collect_report(session, [sign_in],
                                            kinds=[AZURE_KIND, redis_kind])
            finally:
                await session.aclose()

        report = run(body())
    # the demo's restricted subscription may not be read; nothing else failed
    assert [(e.source, e.operation) for e in report.errors] == [
        ("Contoso Demo / Contoso Restricted", "list resources")]
    assert {r.source for r in report.resources} == {DEV, PROD}
    assert all(r.audited and r.type_label == redis_kind.label for r in report.resources)
    by_code = {f.code: {(i.source, i.name) for i in f.items} for f in report.findings}
    assert by_code[PLAINTEXT] == {(DEV, f"redis://127.0.0.1:{standalone.port}"),
                                  (PROD, f"redis://127.0.0.1:{standalone.port}")}
    assert {source for source, _ in by_code[ACCESS_KEYS]} == {DEV}  # prod: Entra ID only
    assert (DEV, "feature:*") in by_code[NO_TTL] and (PROD, "feature:*") in by_code[NO_TTL]
    assert BIGGEST_KEYS in by_code
