"""What the detail pane shows for a selected row: sections of properties plus the response.

``load_details`` makes the selection's own GET (full properties) so the pane can show the
status line and headers of exactly that call. Pure data: the pane renders, it never asks the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.keyvault.models.vault_tree import VaultItemKind, VaultRoot
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
    X509Details,
)

Row = tuple[str, str]


@dataclass(frozen=True, slots=True)
class DetailSection:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Details:
    title: str
    subtitle: str
    sections: tuple[DetailSection, ...]
    response: ResponseInfo | None
    record: Any
    secret_value_available: bool = False  # a secret version whose value can be revealed
    note: str = ""  # e.g. "From the listing: selecting a folder makes no request"


def _rows(*pairs: tuple[str, Any]) -> tuple[Row, ...]:
    """Keep rows that have a value; render values as text."""
    out: list[Row] = []
    for label, value in pairs:
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, tuple | list):
            value = ", ".join(str(v) for v in value)
        out.append((label, str(value)))
    return tuple(out)


def _time(record: Any, field: str) -> str:
    """A time field in full (UTC to the second); for an invalid wire value, what it was."""
    problem = fmt.time_problem(record, field)
    if problem is not None:
        return f"{fmt.INVALID_DATE} (the service sent {problem})"
    return fmt.time_field(record, field, exact=True)


def _item_rows(record: VaultItemRecord) -> tuple[Row, ...]:
    state = fmt.expiry_state(record.expires_on)
    expires = _time(record, "expires_on")
    if state == "expired":
        expires += "  (expired)"
    elif state == "soon":
        expires += "  (expires within 30 days)"
    return _rows(
        ("Name", fmt.visible_name(record.name)),
        ("Invisible characters", fmt.invisible_characters(record.name)),
        ("Version", record.version),
        ("Identifier", record.id),
        ("Enabled", fmt.yes_no(record.enabled)),
        ("Created", _time(record, "created_on")),
        ("Updated", _time(record, "updated_on")),
        ("Not before", _time(record, "not_before")),
        ("Expires", expires or "never"),
        ("Tags", fmt.tags(record.tags)),
        ("Managed", "Yes (backs a certificate)" if record.managed else None),
        ("Recovery level", record.recovery_level),
        ("Recoverable days", record.recoverable_days),
        ("Deleted", _time(record, "deleted_on")),
        ("Scheduled purge", _time(record, "scheduled_purge_on")),
    )


def _x509_rows(x509: X509Details) -> tuple[Row, ...]:
    key = x509.key_type + (f" {x509.key_size}" if x509.key_size else "")
    if x509.curve:
        key += f" ({x509.curve})"
    return _rows(
        ("Subject", x509.subject),
        ("Issuer", x509.issuer + ("  (self-signed)" if x509.self_signed else "")),
        ("Valid from", _time(x509, "not_before")),
        ("Valid to", _time(x509, "not_after")),
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
    return _rows(
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
    """Details from a record alone (no request)."""
    if isinstance(record, VaultRoot):
        return Details(record.name, "Key Vault", (DetailSection("Connection", _rows(
            ("Vault URL", record.connection.url),
            ("Sign-in", record.connection.auth.label),
            ("Read-only", "Yes" if record.connection.read_only else "No"),
        )),), response, record, note="Showing the response of the vault's last listing.")
    if isinstance(record, AccountRoot):
        return Details(record.name, "Storage account", (DetailSection("Connection", _rows(
            ("Blob endpoint", record.connection.url),
            ("Sign-in", record.connection.auth.label),
            ("Read-only", "Yes" if record.connection.read_only else "No"),
        )),), response, record, note="Showing the response of the account's last listing.")
    if isinstance(record, SecretRecord):
        rows = _item_rows(record) + _rows(("Content type", record.content_type),
                                          ("Certificate key id", record.key_id))
        kind = "Secret" + (" version" if record.version else "")
        return Details(fmt.visible_name(record.name), kind,
                       (DetailSection("Properties", rows),), response, record,
                       secret_value_available=not record.is_deleted)
    if isinstance(record, KeyRecord):
        size = record.curve or (str(record.key_size) if record.key_size else "")
        rows = _item_rows(record) + _rows(
            ("Key type", record.key_type), ("Size / curve", size),
            ("Operations", record.key_operations), ("Exportable", fmt.yes_no(record.exportable)))
        return Details(fmt.visible_name(record.name), "Key", (DetailSection("Properties", rows),),
                       response, record)
    if isinstance(record, CertificateRecord):
        rows = _item_rows(record) + _rows(("Thumbprint (SHA-1)", record.x509_thumbprint),
                                          ("Subject", record.subject))
        return Details(fmt.visible_name(record.name), "Certificate",
                       (DetailSection("Properties", rows),), response, record)
    if isinstance(record, ContainerRecord):
        rows = _rows(
            ("Name", record.name),
            ("Public access", record.public_access or "private"),
            ("Last modified", _time(record, "last_modified")),
            ("ETag", record.etag),
            ("Lease", " / ".join(v for v in (record.lease_state, record.lease_status) if v)),
            ("Immutability policy", "Yes" if record.has_immutability_policy else None),
            ("Legal hold", "Yes" if record.has_legal_hold else None),
        )
        sections = [DetailSection("Properties", rows)]
        if record.metadata:
            sections.append(DetailSection("Metadata", tuple(sorted(record.metadata.items()))))
        return Details(record.name, "Container", tuple(sections), response, record)
    if isinstance(record, BlobPrefixRecord):
        folder = _rows(("Container", record.container),
                       ("Prefix", fmt.visible_name(record.prefix)),
                       ("Invisible characters", fmt.invisible_characters(record.prefix)))
        return Details(fmt.visible_name(record.display_name), "Virtual folder",
                       (DetailSection("Folder", folder),), response, record,
                       note="A virtual folder is a name prefix: selecting it makes no request.")
    if isinstance(record, BlobRecord):
        rows = _rows(
            ("Name", fmt.visible_name(record.name)),
            ("Invisible characters", fmt.invisible_characters(record.name)),
            ("Container", record.container),
            ("Size", f"{fmt.size(record.size)} ({record.size:,} bytes)"
             if record.size is not None else None),
            ("Content type", record.content_type),
            ("Content encoding", record.content_encoding),
            ("Content language", record.content_language),
            ("Content disposition", record.content_disposition),
            ("Cache control", record.cache_control),
            ("Content MD5", record.content_md5),
            ("Blob type", record.blob_type),
            ("Access tier", record.access_tier),
            ("Created", _time(record, "created_on")),
            ("Last modified", _time(record, "last_modified")),
            ("ETag", record.etag),
            ("Lease state", record.lease_state),
            ("Server encrypted", fmt.yes_no(record.server_encrypted)),
            ("Snapshot", record.snapshot),
            ("Version id", record.version_id),
            ("Deleted", _time(record, "deleted_on") if record.deleted else None),
            ("Days left to undelete", record.remaining_retention_days),
        )
        sections = [DetailSection("Properties", rows)]
        if record.metadata:
            sections.append(DetailSection("Metadata", tuple(sorted(record.metadata.items()))))
        if record.tags:
            sections.append(DetailSection("Index tags", tuple(sorted(record.tags.items()))))
        return Details(fmt.visible_name(record.display_name), "Blob", tuple(sections), response,
                       record)
    return Details(str(record), "", (), response, record)


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


async def load_details(record: Any, owner: Any, kind: VaultItemKind | None = None) -> Details:
    """Make the selection's GET and describe the result.

    ``owner`` is the ``VaultRoot`` or ``AccountRoot`` the record belongs to. Vault and account
    rows, and virtual folders, make no request.

    Raises:
        VaultBrowserError: the typed error of the GET.
    """
    if isinstance(record, VaultItemRecord) and record.is_deleted:
        # A soft-deleted item (the Deleted view): its GET would answer 404; show what the
        # deleted listing said (deleted on, scheduled purge, recovery level).
        base = describe(record)
        return replace(base, subtitle=f"Deleted {base.subtitle.lower()}",
                       note="from the vault's deleted listing (no request)")
    if isinstance(record, BlobRecord) and record.deleted:
        # A soft-deleted blob ("Show deleted"): its GET would answer 404.
        base = describe(record)
        return replace(base, subtitle="Deleted blob",
                       note="from the container's deleted listing (no request)")
    if isinstance(record, SecretRecord) and record.enabled is False:
        # Key Vault refuses every read of a disabled secret's version (403 SecretDisabled):
        # show what the listing said instead of an error.
        return replace(describe(record), secret_value_available=False,
                       note="disabled: Key Vault does not read a disabled secret (no request)")
    if isinstance(record, SecretRecord) and isinstance(owner, VaultRoot):
        result = await owner.service.get_secret_properties(record.name, record.version)
        return describe(result.value, result.response)
    if isinstance(record, CertificateRecord) and isinstance(owner, VaultRoot):
        cert = await owner.service.get_certificate(record.name, record.version)
        return describe_certificate(cert.value, cert.response)
    if isinstance(record, KeyRecord) and isinstance(owner, VaultRoot):
        key = await owner.service.get_key(record.name, record.version)
        return describe(key.value, key.response)
    if isinstance(record, ContainerRecord) and isinstance(owner, AccountRoot):
        container = await owner.service.get_container_properties(record.name)
        return describe(container.value, container.response)
    if isinstance(record, BlobRecord) and isinstance(owner, AccountRoot):
        blob = await owner.service.get_blob_properties(record.container, record.name,
                                                       snapshot=record.snapshot,
                                                       version_id=record.version_id)
        return describe(blob.value, blob.response)
    return describe(record)
