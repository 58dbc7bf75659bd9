"""What the detail pane shows for Key Vault rows: vaults, secrets, keys and certificates (with
their parsed X.509 and issuance policy). ``load_details`` makes the selection's own GET so the
pane shows the status line and headers of exactly that call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import (
    Details,
    DetailSection,
    Row,
    describe_connection,
    describe_unknown,
    detail_rows,
    time_text,
)
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.keyvault.models.key_rotation import with_rotation_policy
from vaultbrowser.keyvault.models.vault_tree import VaultRoot
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
    X509Details,
)


def _item_rows(record: VaultItemRecord) -> tuple[Row, ...]:
    state = fmt.expiry_state(record.expires_on)
    expires = time_text(record, "expires_on")
    if state == "expired":
        expires += "  (expired)"
    elif state == "soon":
        expires += "  (expires within 30 days)"
    return detail_rows(
        ("Name", fmt.visible_name(record.name)),
        ("Invisible characters", fmt.invisible_characters(record.name)),
        ("Version", record.version),
        ("Identifier", record.id),
        ("Enabled", fmt.yes_no(record.enabled)),
        ("Created", time_text(record, "created_on")),
        ("Updated", time_text(record, "updated_on")),
        ("Not before", time_text(record, "not_before")),
        ("Expires", expires or "never"),
        ("Tags", fmt.tags(record.tags)),
        ("Managed", "Yes (backs a certificate)" if record.managed else None),
        ("Recovery level", record.recovery_level),
        ("Recoverable days", record.recoverable_days),
        ("Deleted", time_text(record, "deleted_on")),
        ("Scheduled purge", time_text(record, "scheduled_purge_on")),
    )


def _x509_rows(x509: X509Details) -> tuple[Row, ...]:
    key = x509.key_type + (f" {x509.key_size}" if x509.key_size else "")
    if x509.curve:
        key += f" ({x509.curve})"
    return detail_rows(
        ("Subject", x509.subject),
        ("Issuer", x509.issuer + ("  (self-signed)" if x509.self_signed else "")),
        ("Valid from", time_text(x509, "not_before")),
        ("Valid to", time_text(x509, "not_after")),
        ("DNS names", x509.dns_names),
        ("IP addresses", x509.ip_addresses),
        ("Emails", x509.emails),
        ("URIs", x509.uris),
        ("Key", key),
        ("Signature", x509.signature_algorithm),
        ("Extended key usage", x509.extended_key_usages),
        ("Key usage", x509.key_usages),
        ("Serial number", x509.serial_number),
        ("Thumbprint (SHA-1)", x509.thumbprint_sha1),
        ("Thumbprint (SHA-256)", x509.thumbprint_sha256),
        ("CA", "Yes" if x509.is_ca else None),
    )


def _policy_rows(policy: CertificatePolicyRecord) -> tuple[Row, ...]:
    key = (policy.key_type or "") + (f" {policy.key_size}" if policy.key_size else "")
    if policy.curve:
        key += f" ({policy.curve})"
    return detail_rows(
        ("Issuer", policy.issuer_name),
        ("Subject", policy.subject),
        ("DNS names", policy.dns_names),
        ("Key", key.strip()),
        ("Exportable", fmt.yes_no(policy.exportable)),
        ("Reuse key", fmt.yes_no(policy.reuse_key)),
        ("Content type", policy.content_type),
        ("Validity (months)", policy.validity_in_months),
        ("Lifetime actions", policy.lifetime_actions or "none (no auto-renew)"),
        ("Extended key usage", policy.enhanced_key_usage),
        ("Key usage", policy.key_usage),
    )


def describe(record: Any, response: ResponseInfo | None = None) -> Details:
    """Details from a Key Vault record alone (no request)."""
    if isinstance(record, VaultRoot):
        return describe_connection(record, "Key Vault", "Vault URL", response)
    if isinstance(record, SecretRecord):
        rows = _item_rows(record) + detail_rows(("Content type", record.content_type),
                                                ("Certificate key id", record.key_id))
        kind = "Secret" + (" version" if record.version else "")
        return Details(fmt.visible_name(record.name), kind,
                       (DetailSection("Properties", rows),), response, record,
                       secret_value_available=not record.is_deleted)
    if isinstance(record, KeyRecord):
        size = record.curve or (str(record.key_size) if record.key_size else "")
        rows = _item_rows(record) + detail_rows(
            ("Key type", record.key_type), ("Size / curve", size),
            ("Operations", record.key_operations), ("Exportable", fmt.yes_no(record.exportable)))
        return Details(fmt.visible_name(record.name), "Key", (DetailSection("Properties", rows),),
                       response, record)
    if isinstance(record, CertificateRecord):
        rows = _item_rows(record) + detail_rows(("Thumbprint (SHA-1)", record.x509_thumbprint),
                                                ("Subject", record.subject))
        return Details(fmt.visible_name(record.name), "Certificate",
                       (DetailSection("Properties", rows),), response, record)
    return describe_unknown(record, response)


def describe_certificate(details: CertificateDetails, response: ResponseInfo | None) -> Details:
    base = describe(details.properties, response)
    sections = list(base.sections)
    if details.certificate_problems:
        # Said first: what follows is what *could* be decoded (the DER downloads as it is).
        sections.insert(0, DetailSection("Could not be decoded", tuple(
            ("⚠", problem) for problem in details.certificate_problems)))
    if details.x509 is not None:
        sections.append(DetailSection("X.509 certificate", _x509_rows(details.x509)))
    if details.policy is not None:
        sections.append(DetailSection("Issuance policy", _policy_rows(details.policy)))
    return Details(base.title, base.subtitle, tuple(sections), response, details.properties)


async def load_details(record: Any, owner: VaultRoot) -> Details:
    """Make the selection's GET and describe the result.

    ``owner`` is the vault the record belongs to; a vault row makes no request.

    Raises:
        VaultBrowserError: the typed error of the GET.
    """
    if isinstance(record, VaultItemRecord) and record.is_deleted:
        # A soft-deleted item (the Deleted view): its GET would answer 404; show what the
        # deleted listing said (deleted on, scheduled purge, recovery level).
        base = describe(record)
        return replace(base, subtitle=f"Deleted {base.subtitle.lower()}",
                       note="from the vault's deleted listing (no request)")
    if isinstance(record, SecretRecord) and record.enabled is False:
        # Key Vault refuses every read of a disabled secret's version (403 SecretDisabled):
        # show what the listing said instead of an error.
        return replace(describe(record), secret_value_available=False,
                       note="disabled: Key Vault does not read a disabled secret (no request)")
    if isinstance(record, SecretRecord) and isinstance(owner, VaultRoot):
        result = await owner.service.secrets.get(record.name, record.version)
        return describe(result.value, result.response)
    if isinstance(record, CertificateRecord) and isinstance(owner, VaultRoot):
        cert = await owner.service.certificates.get(record.name, record.version)
        return describe_certificate(cert.value, cert.response)
    if isinstance(record, KeyRecord) and isinstance(owner, VaultRoot):
        key = await owner.service.keys.get(record.name, record.version)
        if record.version is None:  # a key row: its rotation policy too (one more GET)
            return await with_rotation_policy(describe(key.value, key.response),
                                              owner.service.keys, record.name)
        return describe(key.value, key.response)
    return describe(record)


def contents_rows(records: Sequence[Any]) -> tuple[Row, ...]:
    """What a vault's (or an item's versions') loaded rows add up to, for its details."""
    items = [record for record in records if isinstance(record, VaultItemRecord)]
    if not items:
        return ()
    states = [fmt.expiry_state(record.expires_on) for record in items]
    return (("Disabled", f"{sum(record.enabled is False for record in items):,}"),
            ("Expired", f"{states.count('expired'):,}"),
            ("Expiring within 30 days", f"{states.count('soon'):,}"),
            ("No expiry date", f"{sum(record.expires_on is None for record in items):,}"))
