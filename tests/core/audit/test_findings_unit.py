"""Finding rules and rendering on hand-made records (no services): weak keys, purge
protection, expiry buckets, hostile names, CSV formula neutralisation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from vaultbrowser.core.audit.findings import (
    analyze,
    expiry_bucket,
    is_weak_key,
    purge_protection_off,
)
from vaultbrowser.core.audit.model import AuditReport, ContainerEntry, ItemKind, VaultItemEntry
from vaultbrowser.core.audit.render_html import render_html
from vaultbrowser.core.audit.render_tabular import render_csv, render_json
from vaultbrowser.keyvault.services.audit import vault_item_entry
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
    X509Details,
)

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
VAULT = "https://unit.vault.azure.net"


def _certificate(name: str, *, policy: CertificatePolicyRecord | None = None,
                 x509: X509Details | None = None) -> VaultItemEntry:
    record = CertificateRecord(vault_url=VAULT, name=name, version="1", id=f"{VAULT}/c/{name}",
                               enabled=True, expires_on=NOW + timedelta(days=365),
                               recovery_level="Recoverable")
    return vault_item_entry(record, ItemKind.CERTIFICATE, "unit-vault",
                            certificate=CertificateDetails(record, x509, policy))


def _policy(key_type: str, key_size: int | None, actions: tuple[str, ...]
            ) -> CertificatePolicyRecord:
    return CertificatePolicyRecord(issuer_name="Self", subject="CN=x", key_type=key_type,
                                   key_size=key_size, lifetime_actions=actions)


def _x509(key_type: str, key_size: int | None) -> X509Details:
    return X509Details(subject="CN=x", issuer="CN=x", serial_number="01", not_before=NOW,
                       not_after=NOW, thumbprint_sha1="AA", thumbprint_sha256="BB",
                       signature_algorithm="sha256WithRSAEncryption", key_type=key_type,
                       key_size=key_size, curve=None)


def _codes(items: list[VaultItemEntry], containers: tuple[ContainerEntry, ...] = ()
           ) -> dict[str, set[str]]:
    return {f.code: {i.name for i in f.items} for f in analyze(items, containers, NOW)}


def test_weak_rsa_key_from_the_policy_or_the_x509() -> None:
    renew = ("AutoRenew at 80% of lifetime",)
    items = [
        _certificate("weak-policy", policy=_policy("RSA", 1024, renew)),
        _certificate("weak-x509", policy=_policy("RSA", 2048, renew), x509=_x509("RSA", 1024)),
        _certificate("weak-hsm", policy=_policy("RSA-HSM", 1024, renew)),
        _certificate("strong", policy=_policy("RSA", 2048, renew)),
        _certificate("ec", policy=_policy("EC", None, renew)),
    ]
    codes = _codes(items)
    assert codes["weak-key"] == {"weak-policy", "weak-x509", "weak-hsm"}
    assert "no-auto-renew" not in codes
    weak = next(f for f in analyze(items, (), NOW) if f.code == "weak-key")
    assert weak.severity.value == "high"
    assert any(i.detail == "RSA 1024 bits" for i in weak.items)


def test_auto_renew_is_read_from_the_lifetime_actions() -> None:
    emails = _certificate("emails", policy=_policy("RSA", 2048,
                                                   ("EmailContacts 30 days before expiry",)))
    none = _certificate("no-actions", policy=_policy("RSA", 2048, ()))
    unknown = _certificate("no-policy")
    assert emails.auto_renew is False and none.auto_renew is False
    assert unknown.auto_renew is None
    assert _codes([emails, none, unknown])["no-auto-renew"] == {"emails", "no-actions"}


@pytest.mark.parametrize(("level", "off"), [
    ("Purgeable", True), ("Recoverable+Purgeable", True),
    ("CustomizedRecoverable+Purgeable", True), ("Recoverable", False),
    ("CustomizedRecoverable", False), ("Recoverable+ProtectedSubscription", False),
    (None, False),
])
def test_purge_protection(level: str | None, off: bool) -> None:
    assert purge_protection_off(level) is off


def test_expiry_buckets_are_separate() -> None:
    day = timedelta(days=1)
    assert expiry_bucket(None, NOW) is None
    assert expiry_bucket(NOW, NOW) == "expired"
    assert expiry_bucket(NOW + day, NOW) == "expiring-30"
    assert expiry_bucket(NOW + 30 * day, NOW) == "expiring-30"
    assert expiry_bucket(NOW + 31 * day, NOW) == "expiring-60"
    assert expiry_bucket(NOW + 60 * day, NOW) == "expiring-60"
    assert expiry_bucket(NOW + 90 * day, NOW) == "expiring-90"
    assert expiry_bucket(NOW + 91 * day, NOW) is None
    assert is_weak_key("RSA", 1024) and not is_weak_key("RSA", None)
    assert not is_weak_key("EC", 256)


def _report(items: tuple[VaultItemEntry, ...], containers: tuple[ContainerEntry, ...] = ()
            ) -> AuditReport:
    return AuditReport(generated_at=NOW, identity="<b>me</b>", tool_version="0",
                       connections=(), items=items, containers=containers,
                       findings=analyze(items, containers, NOW), errors=())


def test_html_escapes_a_hostile_name() -> None:
    hostile = "</td><script>alert(\"pwned\")</script><img src=x onerror=alert(1)>"
    item = VaultItemEntry(kind=ItemKind.SECRET, source=hostile, vault_url=VAULT, name=hostile,
                          enabled=False, content_type=hostile, tags={hostile: hostile},
                          expires_on=NOW - timedelta(days=3))
    container = ContainerEntry(source=hostile, account_url="x", name=hostile,
                               public_access="container", metadata={hostile: hostile})
    html = render_html(_report((item,), (container,)))
    assert hostile not in html and "<script" not in html and "<img" not in html
    assert "<b>me</b>" not in html and "&lt;b&gt;me&lt;/b&gt;" in html
    assert "&lt;/td&gt;&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
    assert html.count("alert(&quot;pwned&quot;)") >= 5  # table, finding, timeline, …
    assert hostile in render_json(_report((item,), (container,))).replace("\\\"", "\"")


def test_csv_cells_cannot_become_formulas() -> None:
    item = VaultItemEntry(kind=ItemKind.SECRET, source="v", vault_url=VAULT, name="s",
                          content_type="=HYPERLINK(\"http://evil\")", tags={"a": "b"})
    rows = list(csv.DictReader(io.StringIO(render_csv(_report((item,))))))
    secret = next(r for r in rows if r["section"] == "secret")
    assert secret["content_type"] == "'=HYPERLINK(\"http://evil\")"


def test_managed_items_follow_their_certificate() -> None:
    managed = VaultItemEntry(kind=ItemKind.SECRET, source="v", vault_url=VAULT, name="cert",
                             managed=True, expires_on=NOW - timedelta(days=1))
    assert _codes([managed]) == {}


def test_report_errors_are_shown_in_every_format() -> None:
    from dataclasses import replace

    from vaultbrowser.core.audit.model import ReportError

    error = ReportError(source="vault-a", operation="list keys", error_type="AccessDenied",
                        title="Access denied", message="Caller <x> is not authorized",
                        request_id="req-123", status=403, error_code="ForbiddenByRbac",
                        subject=None)
    report = replace(_report(()), errors=(error,))
    html = render_html(report)
    assert "Incomplete: errors while collecting" in html
    for text in ("Access denied", "AccessDenied", "Caller &lt;x&gt; is not authorized",
                 "req-123", "403 ForbiddenByRbac", "list keys"):
        assert text in html
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    (row,) = [r for r in rows if r["section"] == "error"]
    assert (row["request_id"], row["error_type"], row["status"]) == ("req-123", "AccessDenied",
                                                                      "403")
    assert '"request_id": "req-123"' in render_json(report)
