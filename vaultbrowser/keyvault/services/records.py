"""Key Vault's frozen records: secrets, certificates, keys and what the service says of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from vaultbrowser.core.services.records import EMPTY_MAPPING as _EMPTY


@dataclass(frozen=True, slots=True)
class VaultItemRecord:
    """Properties shared by secrets, certificates and keys (one version of one item)."""

    vault_url: str
    name: str
    version: str | None
    id: str
    enabled: bool | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    not_before: datetime | None = None
    expires_on: datetime | None = None
    tags: Mapping[str, str] = field(default=_EMPTY)
    recovery_level: str | None = None
    recoverable_days: int | None = None
    managed: bool = False
    # Set only for soft-deleted items.
    deleted_on: datetime | None = None
    scheduled_purge_on: datetime | None = None
    recovery_id: str | None = None
    # Time fields whose wire value was not a valid time (field name → what the wire said): the
    # field itself is None, and shows as "invalid date", not as "no date" (services/wire_time).
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)

    @property
    def is_deleted(self) -> bool:
        return self.recovery_id is not None or self.deleted_on is not None


@dataclass(frozen=True, slots=True)
class SecretRecord(VaultItemRecord):
    content_type: str | None = None
    key_id: str | None = None  # set when the secret backs a certificate


@dataclass(frozen=True, slots=True)
class KeyRecord(VaultItemRecord):
    key_type: str | None = None  # RSA, RSA-HSM, EC, EC-HSM, oct…
    key_size: int | None = None
    curve: str | None = None
    key_operations: tuple[str, ...] = ()
    exportable: bool | None = None


@dataclass(frozen=True, slots=True)
class CertificateRecord(VaultItemRecord):
    x509_thumbprint: str | None = None  # SHA-1, hex upper case as the portal shows it
    secret_id: str | None = None
    key_id: str | None = None
    subject: str | None = None  # only in a full get, not in listings
    issuer: str | None = None


@dataclass(frozen=True, slots=True)
class X509Details:
    """What the certificate's DER says, parsed by us (not by the service)."""

    subject: str
    issuer: str
    serial_number: str
    not_before: datetime | None  # None when undecodable (see ``problems``)
    not_after: datetime | None
    thumbprint_sha1: str
    thumbprint_sha256: str
    signature_algorithm: str
    key_type: str  # RSA, EC, Ed25519, …
    key_size: int | None
    curve: str | None
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    uris: tuple[str, ...] = ()
    extended_key_usages: tuple[str, ...] = ()
    key_usages: tuple[str, ...] = ()
    is_ca: bool = False
    self_signed: bool = False
    # What could not be decoded, readably ("extension 2.5.29.17 (subjectAltName): …").
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificatePolicyRecord:
    issuer_name: str | None
    subject: str | None
    dns_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    upns: tuple[str, ...] = ()
    key_type: str | None = None
    key_size: int | None = None
    curve: str | None = None
    exportable: bool | None = None
    reuse_key: bool | None = None
    content_type: str | None = None
    validity_in_months: int | None = None
    enhanced_key_usage: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()
    certificate_transparency: bool | None = None
    certificate_type: str | None = None
    # e.g. ("AutoRenew at 80% of lifetime", "EmailContacts 30 days before expiry")
    lifetime_actions: tuple[str, ...] = ()
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class CertificateDetails:
    properties: CertificateRecord
    x509: X509Details | None
    policy: CertificatePolicyRecord | None
    x509_error: str | None = None  # why ``x509`` is None although the vault sent a certificate

    @property
    def certificate_problems(self) -> tuple[str, ...]:
        """Everything about the certificate's DER that could not be decoded."""
        if self.x509_error:
            return (self.x509_error,)
        return self.x509.problems if self.x509 is not None else ()




@dataclass(frozen=True, slots=True)
class KeyRotationActionRecord:
    """One lifetime action of a key rotation policy: ``action`` is "Rotate" or "Notify";
    the trigger is an ISO 8601 duration after creation or before expiry (e.g. "P30D")."""

    action: str
    time_after_create: str | None = None
    time_before_expiry: str | None = None

    @property
    def text(self) -> str:
        if self.time_after_create:
            return f"{self.action} {self.time_after_create} after creation"
        if self.time_before_expiry:
            return f"{self.action} {self.time_before_expiry} before expiry"
        return self.action


@dataclass(frozen=True, slots=True)
class KeyRotationPolicyRecord:
    """A key's rotation policy. The service returns a default policy (one Notify action) for a
    key nobody configured, so ``rotates`` (a Rotate action exists) is what "has a rotation
    policy" means."""

    key_name: str
    id: str | None = None
    lifetime_actions: tuple[KeyRotationActionRecord, ...] = ()
    expires_in: str | None = None  # ISO 8601 duration applied to new versions
    created_on: datetime | None = None
    updated_on: datetime | None = None
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)

    @property
    def rotates(self) -> bool:
        return any(a.action.lower() == "rotate" for a in self.lifetime_actions)
