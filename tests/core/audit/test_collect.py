"""collect_report against the real Key Vault emulator and Azurite: inventory and findings."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.core.audit.conftest import (
    NOW,
    PRIVATE,
    PRIVATE_BLOBS,
    PUBLIC_BLOBS,
    PUBLIC_CONTAINER,
    storage_connection,
    vault_connection,
)
from vaultbrowser import __version__
from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.model import AuditReport, ItemKind, Severity
from vaultbrowser.core.audit.report import collect_report
from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.session import ServiceSession


def _item(report: AuditReport, kind: ItemKind, name: str) -> Any:
    (item,) = [i for i in report.items if i.kind is kind and i.name == name]
    return item


def _names(report: AuditReport, code: str) -> set[str]:
    found = [f for f in report.findings if f.code == code]
    return {i.name for f in found for i in f.items}


def test_stamps(report: AuditReport) -> None:
    assert report.generated_at == NOW
    assert report.identity == "auditor@example.test"
    assert report.tool_version == __version__
    assert [c.name for c in report.connections] == ["audit-vault", "audit-account"]
    assert report.scan_blobs
    assert report.errors == ()


def test_secret_inventory(report: AuditReport) -> None:
    secrets = {i.name: i for i in report.items_of(ItemKind.SECRET)}
    assert set(secrets) >= {"audit-expired", "audit-exp-10", "audit-noexp", "audit-disabled"}
    exp10 = secrets["audit-exp-10"]
    assert exp10.versions == 3
    assert exp10.tags == {"env": "prod"}
    assert exp10.content_type == "text/plain"
    assert exp10.enabled is True and not exp10.managed
    assert exp10.created_on is not None and exp10.updated_on is not None
    assert exp10.expires_on is not None and abs((exp10.expires_on - NOW).days - 10) <= 1
    assert exp10.recovery_level == "Recoverable+Purgeable"
    assert secrets["audit-disabled"].enabled is False
    assert secrets["audit-noexp"].expires_on is None
    # each certificate's secret is listed too, as managed
    assert secrets["audit-cert-self"].managed


def test_certificate_and_key_inventory(report: AuditReport) -> None:
    self_cert = _item(report, ItemKind.CERTIFICATE, "audit-cert-self")
    assert (self_cert.key_type, self_cert.key_size) == ("RSA", 3072)
    assert self_cert.auto_renew is True and self_cert.versions == 1
    unknown = _item(report, ItemKind.CERTIFICATE, "audit-cert-unknown")
    assert unknown.auto_renew is False and unknown.curve == "P-384"
    plain = _item(report, ItemKind.KEY, "audit-key-plain")
    assert plain.versions == 2 and plain.rotation is False
    assert (plain.key_type, plain.key_size) == ("RSA", 2048)
    assert _item(report, ItemKind.KEY, "audit-key-rotating").rotation is True
    managed = _item(report, ItemKind.KEY, "audit-cert-self")
    assert managed.managed and managed.rotation is None  # not asked: follows the certificate


def test_container_inventory(report: AuditReport) -> None:
    containers = {c.name: c for c in report.containers if c.name.startswith("audit-")}
    assert set(containers) == {PUBLIC_CONTAINER, PUBLIC_BLOBS, PRIVATE}
    assert containers[PUBLIC_CONTAINER].public_access == "container"
    assert containers[PUBLIC_CONTAINER].metadata == {"owner": "web"}
    assert containers[PUBLIC_BLOBS].public_access == "blob"
    private = containers[PRIVATE]
    assert private.public_access is None
    assert private.blob_count == len(PRIVATE_BLOBS)
    assert private.total_size == sum(len(data) for data in PRIVATE_BLOBS.values())
    assert private.has_immutability_policy is False and private.has_legal_hold is False
    assert containers[PUBLIC_BLOBS].blob_count == 0


def test_expiry_findings(report: AuditReport) -> None:
    assert {"audit-expired", "audit-key-expired"} <= _names(report, "expired")
    assert "audit-exp-10" in _names(report, "expiring-30")
    assert "audit-exp-45" in _names(report, "expiring-60")
    assert "audit-exp-75" in _names(report, "expiring-90")
    every_expiry = set().union(*(_names(report, c) for c in
                                 ("expired", "expiring-30", "expiring-60", "expiring-90")))
    assert "audit-far" not in every_expiry
    (expired,) = [f for f in report.findings if f.code == "expired"]
    assert expired.severity is Severity.CRITICAL
    subject = next(i for i in expired.items if i.name == "audit-expired")
    assert subject.source == "audit-vault" and subject.kind is ItemKind.SECRET
    assert "5 days ago" in subject.detail and subject.when is not None


def test_other_findings(report: AuditReport) -> None:
    assert "audit-noexp" in _names(report, "no-expiry")
    assert "audit-exp-10" not in _names(report, "no-expiry")
    assert not {"audit-cert-self"} & _names(report, "no-expiry")  # managed: the cert counts
    assert {"audit-disabled", "audit-key-disabled"} <= _names(report, "disabled")
    assert _names(report, "no-auto-renew") == {"audit-cert-unknown"}
    no_rotation = _names(report, "no-rotation-policy")
    assert {"audit-key-plain", "audit-key-disabled", "audit-key-expired"} <= no_rotation
    assert "audit-key-rotating" not in no_rotation
    assert not {"audit-cert-self", "audit-cert-unknown"} & no_rotation
    assert _names(report, "purge-protection-off") == {report.items[0].vault_url}
    assert PUBLIC_CONTAINER in _names(report, "public-container")
    assert PUBLIC_BLOBS in _names(report, "public-blobs")
    assert PRIVATE not in _names(report, "public-container") | _names(report, "public-blobs")
    assert _names(report, "weak-key") == set()
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks)


def test_progress_reports_listings_and_details(collected: tuple[Any, list[Any]]) -> None:
    _, calls = collected
    whats = {what for what, _, _ in calls}
    assert "audit-vault: secrets" in whats and "audit-vault: key details" in whats
    assert "audit-account: containers" in whats and "audit-account: blob scan" in whats
    assert ("audit-vault: certificate details", 2, 2) in calls


def test_forbidden_keys_are_recorded_and_the_rest_is_audited(audit_emulator: Any) -> None:
    fault = audit_emulator.faults.forbid("/keys")
    try:
        async def collect() -> AuditReport:
            session = ServiceSession()
            try:
                return await collect_report(session, [vault_connection(audit_emulator)],
                                            kinds=KINDS, now=NOW)
            finally:
                await session.aclose()

        report = asyncio.run(collect())
    finally:
        audit_emulator.faults.clear()
    assert fault.times is None
    assert report.items_of(ItemKind.KEY) == ()
    assert report.items_of(ItemKind.SECRET) and report.items_of(ItemKind.CERTIFICATE)
    (error,) = report.errors
    assert error.operation == "list keys" and error.source == "audit-vault"
    assert error.error_type == "AccessDenied" and error.title == "Access denied"
    assert error.status == 403 and error.request_id
    assert "not authorized" in error.message


def test_unreachable_account_is_an_error_not_an_abort(audit_emulator: Any) -> None:
    dead = dead_account_connection()

    async def collect() -> AuditReport:
        # no retries: the storage SDK's own backoff would take a minute to give up
        session = ServiceSession(network=NetworkSettings(retry_total=0, connection_timeout=5))
        try:
            return await collect_report(session, [dead, vault_connection(audit_emulator)],
                                        kinds=KINDS, now=NOW)
        finally:
            await session.aclose()

    report = asyncio.run(collect())
    assert report.items_of(ItemKind.SECRET)
    assert [e.operation for e in report.errors] == ["list containers"]
    assert report.errors[0].error_type == "NetworkError"


def dead_account_connection() -> Any:
    import socket

    from vaultbrowser.core.services.connections import AuthMethod, Connection

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return Connection("blob", f"http://127.0.0.1:{port}/devstoreaccount1",
                      AuthMethod.LOCAL_EMULATOR, name="dead-account", read_only=True)


def test_cancellation_propagates_and_closes_services(audit_emulator: Any,
                                                     audit_containers: Any) -> None:
    async def scenario() -> ServiceSession:
        session = ServiceSession()
        started = asyncio.Event()
        task = asyncio.create_task(collect_report(
            session, [vault_connection(audit_emulator), storage_connection(audit_containers)],
            kinds=KINDS, progress=lambda *_: started.set()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:  # asyncio's own: the closing of an async generator the cancel dropped
            await asyncio.wait(others, timeout=2)
        assert [t for t in others if not t.done()] == []  # nothing of the report runs on
        assert session._services == []  # every service it opened is closed again
        await session.aclose()
        return session

    asyncio.run(scenario())
