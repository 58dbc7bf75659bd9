"""The audit's concurrency: connections audited a few at a time, each with per-item calls of its
own, and a throttled vault waited for (its Retry-After), never hammered."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from typing import Any

from tests.core.audit.conftest import NOW, vault_connection
from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.inventory import InventoryCollector, patiently
from vaultbrowser.core.audit.model import AuditReport, ItemKind
from vaultbrowser.core.audit.report import collect_report
from vaultbrowser.core.services.errors import Throttled
from vaultbrowser.core.services.session import ServiceSession

RETRY_AFTER = 0.3


def _collect(connections: list[Any]) -> AuditReport:
    async def collect() -> AuditReport:
        session = ServiceSession(read_only=True)
        try:
            return await collect_report(session, connections, kinds=KINDS, now=NOW)
        finally:
            await session.aclose()

    return asyncio.run(collect())


def test_connections_run_a_few_at_a_time_each_with_its_own_item_limit() -> None:
    async def scenario() -> tuple[int, list[asyncio.Semaphore]]:
        collector = InventoryCollector(ServiceSession(), concurrency=3, connections_at_once=2)
        running = most = 0
        limits: list[asyncio.Semaphore] = []

        async def audit() -> None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            limits.append(collector.limit)
            await asyncio.sleep(0.01)
            running -= 1

        await collector.each_connection([audit] * 5)
        await collector.session.aclose()
        return most, limits

    most, limits = asyncio.run(scenario())
    assert most == 2
    assert len(limits) == 5 and len({id(limit) for limit in limits}) == 5
    assert all(limit._value == 3 for limit in limits)


def test_an_audit_inside_an_audit_never_waits_for_its_caller() -> None:
    # audit --discover: the sign-in's audit runs its vaults' audits, a few at a time
    async def scenario() -> list[str]:
        collector = InventoryCollector(ServiceSession(), connections_at_once=1)
        done: list[str] = []

        async def vault(name: str) -> None:
            await asyncio.sleep(0)
            done.append(name)

        async def sign_in() -> None:
            await collector.each_connection([lambda n=n: vault(n) for n in ("a", "b", "c")])

        await asyncio.wait_for(collector.each_connection([sign_in, sign_in]), 10)
        await collector.session.aclose()
        return done

    assert sorted(asyncio.run(scenario())) == ["a", "a", "b", "b", "c", "c"]


def test_several_vaults_are_all_audited(audit_emulator: Any) -> None:
    connections = [replace(vault_connection(audit_emulator), name=f"vault-{i}")
                   for i in range(6)]
    report = _collect(connections)
    assert report.errors == ()
    secrets = report.items_of(ItemKind.SECRET)
    assert {item.source for item in secrets} == {f"vault-{i}" for i in range(6)}
    per_vault = {name for item in secrets if item.source == "vault-0" for name in [item.name]}
    assert all({item.name for item in secrets if item.source == f"vault-{i}"} == per_vault
               for i in range(6))


def test_a_throttled_vault_is_waited_for_and_the_audit_completes(audit_emulator: Any) -> None:
    # The SDK tries 4 times (3 retries), each after the Retry-After; still throttled, the audit
    # waits the Retry-After itself and asks again: 6 throttled answers, then the real one.
    path = "/secrets/audit-far/versions"
    audit_emulator.request_log.clear()
    audit_emulator.faults.add(429, retry_after=RETRY_AFTER, times=6, path_prefix=path)
    try:
        report = _collect([vault_connection(audit_emulator)])
    finally:
        audit_emulator.faults.clear()
    assert report.errors == ()
    (far,) = [i for i in report.items_of(ItemKind.SECRET) if i.name == "audit-far"]
    assert far.versions == 1
    asked = [entry for entry in audit_emulator.request_log if entry.path == path]
    assert [entry.status for entry in asked] == [429] * 6 + [200]
    gaps = [later.time - earlier.time for earlier, later in itertools.pairwise(asked)]
    assert min(gaps) >= RETRY_AFTER * 0.9  # every answer's Retry-After was waited


def test_patience_is_spent_once() -> None:
    calls = 0

    async def throttled() -> None:
        nonlocal calls
        calls += 1
        raise Throttled("busy", retry_after=0.01)

    async def scenario() -> None:
        try:
            await patiently(lambda: patiently(throttled))
        except Throttled as error:
            assert error.retry_after == 0.01
        else:
            raise AssertionError("not raised")

    asyncio.run(scenario())
    assert calls == 4  # the inner waits only; the outer call is not repeated
