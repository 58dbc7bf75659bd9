"""Findings: pure rules over an inventory (no I/O, so every rule is unit-testable on records).

``analyze(items, containers, now, resources)`` returns one ``Finding`` per kind of issue that
has at least one item, most severe first. The rules (those marked ARM read what Azure Resource
Manager says about a discovered resource, ``AzureResourceEntry``):

========================  ========  =========================================================
code                      severity  rule
========================  ========  =========================================================
expired                   critical  expires on or before now (date rules skip certificate-
                                    backed "managed" keys and secrets: the certificate counts)
expiring-30               high      expires within 30 days
expiring-60               medium    expires in 31–60 days
expiring-90               low       expires in 61–90 days
weak-key                  high      certificate or key with an RSA key shorter than 2048 bits
purge-protection-off      high      vault whose items' recovery level contains "Purgeable";
                                    ARM: a vault without purge protection (not set counts as
                                    off; ARM's word replaces the items' for that vault)
tls-below-1.2             high      ARM: storage account whose minimum TLS version is below 1.2
public-container          high      container with public access "container" (anonymous list)
public-blobs              medium    container with public access "blob" (anonymous reads)
open-to-internet          medium    ARM: public network access enabled and firewall default
                                    action Allow (not set counts as Azure's default: enabled,
                                    Allow)
shared-key-access         medium    ARM: storage account that allows shared-key access (not
                                    set counts as allowed, as in Azure)
public-blob-access        medium    ARM: storage account that allows public blob access
no-auto-renew             medium    certificate whose policy has no AutoRenew action
no-rotation-policy        medium    key (not certificate-backed) whose policy has no Rotate
malformed-date            medium    a date the service sent in an invalid form (wrong type,
                                    out of range): the item's expiry cannot be checked
undecodable-certificate   medium    certificate whose X.509 could not be fully decoded
no-expiry                 low       secret or key (not certificate-backed) without expiry, or
                                    with an expiry so far ahead it means none (9999-12-31)
access-policies           low       ARM: vault on access policies instead of Azure RBAC
disabled                  info      disabled secret, certificate or key
not-yet-valid             info      not-before date in the future
========================  ========  =========================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from vaultbrowser.core.audit.model import (
    AzureResourceEntry,
    ContainerEntry,
    Finding,
    FindingItem,
    ItemKind,
    Severity,
    VaultItemEntry,
)
from vaultbrowser.core.services.wire_time import is_far_future

MIN_RSA_BITS = 2048
EXPIRY_BUCKETS = (30, 60, 90)  # days

_TEXTS: dict[str, tuple[Severity, str, str]] = {
    "expired": (Severity.CRITICAL, "Expired",
                "These items are past their expiry date: anything still using them fails."),
    "expiring-30": (Severity.HIGH, "Expiring within 30 days",
                    "Rotate or renew these now."),
    "expiring-60": (Severity.MEDIUM, "Expiring in 31–60 days",
                    "Plan their rotation or renewal."),
    "expiring-90": (Severity.LOW, "Expiring in 61–90 days",
                    "Due for rotation or renewal within the quarter."),
    "weak-key": (Severity.HIGH, "Weak RSA keys",
                 f"RSA keys shorter than {MIN_RSA_BITS} bits can be factored; re-issue with "
                 "RSA 2048+ or EC."),
    "purge-protection-off": (Severity.HIGH, "Vaults without purge protection",
                             "A deleted item can be purged before its retention period ends. "
                             "Enable purge protection on the vault."),
    "tls-below-1.2": (Severity.HIGH, "Storage accounts that accept TLS below 1.2",
                      "Clients may connect with TLS 1.0 or 1.1, deprecated protocols. Set the "
                      "account's minimum TLS version to TLS 1.2."),
    "public-container": (Severity.HIGH, "Containers anyone can list",
                         "Public access level \"container\": anonymous users can list and read "
                         "every blob."),
    "public-blobs": (Severity.MEDIUM, "Containers with anonymously readable blobs",
                     "Public access level \"blob\": anyone with a blob's URL can read it."),
    "open-to-internet": (Severity.MEDIUM, "Resources open to the internet",
                         "Public network access is enabled and the firewall lets every address "
                         "in (default action Allow): only sign-in stands between the internet "
                         "and the data. Allow selected networks or use private endpoints."),
    "shared-key-access": (Severity.MEDIUM, "Storage accounts that allow shared-key access",
                          "Account keys, and SAS signed with them, bypass Entra ID: they are "
                          "hard to audit and to revoke. Disallow shared-key access (not set "
                          "means allowed)."),
    "public-blob-access": (Severity.MEDIUM, "Storage accounts that allow public blob access",
                           "Any container can be made anonymously readable. Disallow blob "
                           "public access on the account."),
    "no-auto-renew": (Severity.MEDIUM, "Certificates without auto-renewal",
                      "The certificate policy has no AutoRenew lifetime action: renewal depends "
                      "on someone acting on time."),
    "no-rotation-policy": (Severity.MEDIUM, "Keys without a rotation policy",
                           "No Rotate lifetime action (the service's default policy only "
                           "notifies)."),
    "malformed-date": (Severity.MEDIUM, "Malformed dates",
                       "The service returned a date in an invalid form (wrong type or out of "
                       "range): these dates cannot be checked. Set them again."),
    "undecodable-certificate": (Severity.MEDIUM, "Certificates that could not be fully decoded",
                                "Parts of these certificates (an extension, the key or the "
                                "signature algorithm) could not be decoded: tools and clients "
                                "may reject them. Inspect the downloaded certificate."),
    "no-expiry": (Severity.LOW, "Secrets and keys without a practical expiry",
                  "Without an expiry date (or with one generations away, such as "
                  "9999-12-31) nothing prompts rotation."),
    "access-policies": (Severity.LOW, "Vaults on access policies",
                        "Access to the vault's data is granted by access policies, not Azure "
                        "RBAC: role assignments, PIM and their audit do not govern it. Move the "
                        "vault to the Azure RBAC permission model."),
    "disabled": (Severity.INFO, "Disabled items",
                 "Disabled items cannot be used; delete them if they are no longer needed."),
    "not-yet-valid": (Severity.INFO, "Not yet valid",
                      "Their not-before date is in the future."),
}


def is_weak_key(key_type: str | None, key_size: int | None) -> bool:
    """True for an RSA key (RSA or RSA-HSM) known to be shorter than 2048 bits."""
    return bool(key_type and key_type.upper().startswith("RSA") and key_size is not None
                and key_size < MIN_RSA_BITS)


def purge_protection_off(recovery_level: str | None) -> bool:
    """True when the recovery level allows purging (it contains "Purgeable").

    "Recoverable" and "CustomizedRecoverable" without "Purgeable" mean purge protection is on.
    """
    return bool(recovery_level and "purgeable" in recovery_level.lower())


def tls_below_1_2(minimum_tls: str | None) -> bool:
    """True for a minimum TLS version ARM names below 1.2 ("TLS1_0", "TLS1_1")."""
    match = re.fullmatch(r"TLS(\d+)_(\d+)", (minimum_tls or "").strip().upper())
    return match is not None and (int(match[1]), int(match[2])) < (1, 2)


def open_to_internet(public_network: str | None, firewall_default: str | None) -> bool:
    """True when public network access is enabled and the firewall's default action is Allow
    (not set: Azure's defaults, Enabled and Allow)."""
    return ((public_network or "Enabled").lower() == "enabled"
            and (firewall_default or "Allow").lower() == "allow")


def _date(when: datetime) -> str:
    return when.isoformat(sep=" ", timespec="minutes")[:16] + " UTC"


def _days(delta: timedelta) -> str:
    days = int(abs(delta.total_seconds()) // 86_400)
    return f"{days} day{'s' if days != 1 else ''}"


def _subject(item: VaultItemEntry, detail: str, when: datetime | None = None) -> FindingItem:
    return FindingItem(item.source, item.kind, item.name, detail, when)


def expiry_bucket(expires_on: datetime | None, now: datetime) -> str | None:
    """ "expired", "expiring-30/60/90" or None (no expiry, or later than 90 days)."""
    if expires_on is None:
        return None
    if expires_on <= now:
        return "expired"
    for days in EXPIRY_BUCKETS:
        if expires_on <= now + timedelta(days=days):
            return f"expiring-{days}"
    return None


_FIELD_NAMES = {"expires_on": "expiry", "not_before": "not-before date",
                "created_on": "creation date", "updated_on": "update date",
                "deleted_on": "deletion date", "scheduled_purge_on": "scheduled purge date"}


def _item_rules(item: VaultItemEntry, now: datetime) -> Iterable[tuple[str, FindingItem]]:
    state = " (disabled)" if item.enabled is False else ""
    # A certificate's own key and secret (managed) share its dates: the certificate speaks
    # for them in the date rules.
    bucket = None if item.managed else expiry_bucket(item.expires_on, now)
    if bucket is not None and item.expires_on is not None:
        if bucket == "expired":
            detail = f"expired {_date(item.expires_on)} ({_days(now - item.expires_on)} ago)"
        else:
            detail = f"expires {_date(item.expires_on)} (in {_days(item.expires_on - now)})"
        yield bucket, _subject(item, detail + state, item.expires_on)
    if item.kind in (ItemKind.SECRET, ItemKind.KEY) and not item.managed:
        if item.expires_on is None and "expires_on" not in item.invalid_dates:
            yield "no-expiry", _subject(item, "no expiry date" + state)
        elif is_far_future(item.expires_on, now):
            assert item.expires_on is not None
            yield "no-expiry", _subject(
                item, f"expires {_date(item.expires_on)}: no practical expiry" + state)
    for field, sent in sorted(item.invalid_dates.items()):
        yield "malformed-date", _subject(item, f"{_FIELD_NAMES.get(field, field)}: the "
                                               f"service sent {sent}")
    for problem in item.certificate_problems:
        yield "undecodable-certificate", _subject(item, problem)
    if item.enabled is False:
        yield "disabled", _subject(item, "disabled")
    if item.not_before is not None and item.not_before > now and not item.managed:
        yield "not-yet-valid", _subject(
            item, f"valid from {_date(item.not_before)}", item.not_before)
    if is_weak_key(item.key_type, item.key_size):
        yield "weak-key", _subject(item, f"{item.key_type} {item.key_size} bits")
    if item.kind is ItemKind.CERTIFICATE and item.auto_renew is False:
        actions = ", ".join(item.lifetime_actions) or "no lifetime actions"
        yield "no-auto-renew", _subject(item, f"policy: {actions}")
    if item.kind is ItemKind.KEY and item.rotation is False and not item.managed:
        actions = ", ".join(item.lifetime_actions) or "no lifetime actions"
        yield "no-rotation-policy", _subject(item, f"policy: {actions}")


def _vault_rules(items: Sequence[VaultItemEntry], arm_vaults: set[str],
                 ) -> Iterable[tuple[str, FindingItem]]:
    """Purge protection from the items' recovery levels, for the vaults (by source) that
    Resource Manager did not describe (``arm_vaults``: its word is the vault's setting)."""
    levels: dict[tuple[str, str], str] = {}
    for item in items:
        if item.recovery_level and item.source not in arm_vaults:
            levels.setdefault((item.source, item.vault_url), item.recovery_level)
    for (source, vault_url), level in levels.items():
        if purge_protection_off(level):
            yield "purge-protection-off", FindingItem(
                source, ItemKind.VAULT, vault_url, f"recovery level {level}")


def _container_rules(container: ContainerEntry) -> Iterable[tuple[str, FindingItem]]:
    access = (container.public_access or "").lower()
    if access == "container":
        yield "public-container", FindingItem(container.source, ItemKind.CONTAINER,
                                              container.name, "public access: container")
    elif access == "blob":
        yield "public-blobs", FindingItem(container.source, ItemKind.CONTAINER,
                                          container.name, "public access: blob")
    elif access:
        yield "public-blobs", FindingItem(container.source, ItemKind.CONTAINER,
                                          container.name, f"public access: {access}")


def _not_set(value: object) -> str:
    return " (not set: Azure's default)" if value is None else ""


def _resource_rules(entry: AzureResourceEntry) -> Iterable[tuple[str, FindingItem]]:
    kind = ItemKind.VAULT if entry.is_vault else ItemKind.ACCOUNT

    def subject(detail: str) -> FindingItem:
        return FindingItem(entry.source, kind, entry.name, detail)

    if not (entry.is_vault or entry.is_account):
        return
    if open_to_internet(entry.public_network, entry.firewall_default):
        yield "open-to-internet", subject(
            f"public network access {entry.public_network or 'Enabled'}"
            f"{_not_set(entry.public_network)}, firewall default action "
            f"{entry.firewall_default or 'Allow'}{_not_set(entry.firewall_default)}")
    if entry.is_vault:
        if entry.purge_protection is not True:
            yield "purge-protection-off", subject(
                "Resource Manager: purge protection " + (
                    "not enabled" if entry.purge_protection is None else "off"))
        if entry.rbac is False:
            yield "access-policies", subject("permission model: access policies (Azure RBAC "
                                             "off)")
        return
    if entry.shared_key_access is not False:
        yield "shared-key-access", subject(
            "shared-key access allowed" + _not_set(entry.shared_key_access))
    if entry.public_blob_access is True:
        yield "public-blob-access", subject("blob public access allowed")
    if tls_below_1_2(entry.minimum_tls):
        yield "tls-below-1.2", subject(f"minimum TLS version {entry.minimum_tls}")


def merged(*groups: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings of ``groups`` (the rules', and those kinds evaluated themselves: see
    ``InventoryCollector.findings``) with one finding per code, its items joined in order;
    most severe first, otherwise in the order they came."""
    by_code: dict[str, Finding] = {}
    for finding in (finding for group in groups for finding in group):
        known = by_code.get(finding.code)
        by_code[finding.code] = finding if known is None else Finding(
            known.code, known.severity, known.title, known.description,
            known.items + finding.items)
    return tuple(sorted(by_code.values(), key=lambda f: f.severity.rank))


def analyze(items: Sequence[VaultItemEntry], containers: Sequence[ContainerEntry],
            now: datetime, resources: Sequence[AzureResourceEntry] = ()) -> tuple[Finding, ...]:
    """Every finding with at least one item: most severe first, then in the table's order.

    Items within a finding are sorted by date when they have one (soonest first), then by
    source and name.
    """
    grouped: dict[str, list[FindingItem]] = {code: [] for code in _TEXTS}
    hits: list[Iterable[tuple[str, FindingItem]]] = [_item_rules(item, now) for item in items]
    hits.append(_vault_rules(items, {entry.source for entry in resources if entry.is_vault}))
    hits.extend(_container_rules(container) for container in containers)
    hits.extend(_resource_rules(entry) for entry in resources)
    for rule_hits in hits:
        for code, subject in rule_hits:
            grouped[code].append(subject)
    findings: list[Finding] = []
    for code, subjects in grouped.items():
        if not subjects:
            continue
        severity, title, description = _TEXTS[code]
        subjects.sort(key=lambda s: (s.when is None, s.when or now, s.source, s.kind, s.name))
        findings.append(Finding(code, severity, title, description, tuple(subjects)))
    findings.sort(key=lambda f: f.severity.rank)  # stable: keeps the table's order per severity
    return tuple(findings)
