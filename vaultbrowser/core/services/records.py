"""Our own frozen records: what the service layer hands to models and widgets.

Nothing above ``services/`` ever sees an SDK type. Every listing returns a ``Page``; every single
call returns a ``Result``; both carry the ``ResponseInfo`` of the HTTP call that produced them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")



class _EmptyMapping(Mapping[str, str]):
    """The shared empty default of the records' mapping fields: immutable and hashable.

    (A ``MappingProxyType({})`` is unhashable, which ``dataclasses`` rejects as a default on
    Python 3.11+.) It compares equal to ``{}`` and to any other empty mapping.
    """

    __slots__ = ()

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


_EMPTY: Mapping[str, str] = _EmptyMapping()


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """One HTTP exchange, already redacted (no Authorization, cookies, SAS signature, values)."""

    method: str
    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    request_id: str | None
    elapsed: float  # seconds from sending the request to receiving the response headers
    started_at: datetime

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing. ``next_token`` is None on the last page."""

    items: tuple[T, ...]
    next_token: str | None
    response: ResponseInfo | None


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    """The outcome of one call, with the response that produced it."""

    value: T
    response: ResponseInfo | None


class SecretValue:
    """A secret's value. Its repr and str never show the value; read ``.reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"SecretValue(<{len(self._value)} characters hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("SecretValue", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("SecretValue cannot be pickled")


# --- Key Vault ------------------------------------------------------------------------------


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


# --- Blob Storage ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainerRecord:
    account_url: str
    name: str
    last_modified: datetime | None = None
    etag: str | None = None
    public_access: str | None = None  # None (private), "blob" or "container"
    lease_state: str | None = None
    lease_status: str | None = None
    has_immutability_policy: bool = False
    has_legal_hold: bool = False
    metadata: Mapping[str, str] = field(default=_EMPTY)
    deleted: bool = False
    lease_duration: str | None = None  # "infinite" or "fixed" while leased
    default_encryption_scope: str | None = None
    immutable_storage_with_versioning: bool = False  # version-level WORM enabled
    version: str | None = None  # set for soft-deleted containers
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)


@dataclass(frozen=True, slots=True)
class BlobPrefixRecord:
    """A virtual folder: every blob whose name starts with ``prefix`` (which ends with '/')."""

    container: str
    prefix: str

    @property
    def display_name(self) -> str:
        return self.prefix.rstrip("/").rsplit("/", 1)[-1] + "/"


@dataclass(frozen=True, slots=True)
class BlobRecord:
    """One blob (or snapshot/version of one), from a listing or a properties GET.

    Listings fill ``tags`` only where the service returns them (``include=tags``); ``tag_count``
    says how many there are even when ``tags`` is empty. Datetimes are timezone-aware UTC.
    """

    container: str
    name: str
    size: int | None = None
    content_type: str | None = None
    blob_type: str | None = None  # BlockBlob, PageBlob, AppendBlob
    access_tier: str | None = None
    last_modified: datetime | None = None
    created_on: datetime | None = None
    etag: str | None = None
    content_md5: str | None = None  # base64, as the service sends it
    content_encoding: str | None = None
    content_language: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    lease_state: str | None = None
    server_encrypted: bool | None = None
    metadata: Mapping[str, str] = field(default=_EMPTY)
    tags: Mapping[str, str] = field(default=_EMPTY)
    snapshot: str | None = None
    version_id: str | None = None
    is_current_version: bool | None = None
    deleted: bool = False
    tag_count: int | None = None
    lease_status: str | None = None
    lease_duration: str | None = None
    access_tier_inferred: bool | None = None
    access_tier_changed_on: datetime | None = None
    archive_status: str | None = None
    encryption_scope: str | None = None
    last_accessed_on: datetime | None = None
    deleted_on: datetime | None = None
    remaining_retention_days: int | None = None
    has_legal_hold: bool | None = None
    immutability_policy_until: datetime | None = None
    immutability_policy_mode: str | None = None
    copy_status: str | None = None
    copy_source: str | None = None  # redacted: a copy source URL may carry a SAS
    # Time fields the service sent as something other than a date (field → what it sent).
    invalid_dates: Mapping[str, str] = field(default=_EMPTY)

    @property
    def display_name(self) -> str:
        return self.name.rsplit("/", 1)[-1] if not self.name.endswith("/") else self.name


# --- Key rotation policies ------------------------------------------------------------------


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
