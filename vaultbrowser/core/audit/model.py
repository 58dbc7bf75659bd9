"""The audit report's records: inventory entries, findings, errors and the report itself.

Plain frozen dataclasses (Qt-free, SDK-free). A report holds properties only: no record here
has a field for a secret value, and the collector never asks for one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

REPORT_SCHEMA = "vaultbrowser-audit/1"


class Severity(StrEnum):
    """Finding severities, most severe first (``rank`` 0 is the most severe)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class ItemKind(StrEnum):
    SECRET = "secret"
    CERTIFICATE = "certificate"
    KEY = "key"
    CONTAINER = "container"
    VAULT = "vault"
    ACCOUNT = "account"  # a storage account (what Resource Manager says about it)
    DATABASE = "database"  # a key-value database (an Azure Managed Redis one)
    NAMESPACE = "namespace"  # keys sharing a prefix ("session:*"), as sampled
    DATA_KEY = "data-key"  # one key of a key-value store (a Redis key; not a Key Vault key)
    DATABASE_ACCOUNT = "database-account"  # a Cosmos DB account (what Resource Manager says)
    DOCUMENT = "document"  # one item of a document store (a Cosmos DB item), as sampled


# Azure Resource Manager's types of what discovery finds (lower case, as Resource Graph writes).
VAULT_RESOURCE_TYPE = "microsoft.keyvault/vaults"
ACCOUNT_RESOURCE_TYPE = "microsoft.storage/storageaccounts"


@dataclass(frozen=True, slots=True)
class AuditedConnection:
    """One connection the report covers (never its secret)."""

    kind: str  # "keyvault" or "blob"
    name: str
    url: str
    auth: str


@dataclass(frozen=True, slots=True)
class VaultItemEntry:
    """One secret, certificate or key (its current version), as inventoried.

    ``versions`` is None when the versions listing failed. Certificate fields (``key_type``,
    ``key_size``, ``auto_renew``, ``lifetime_actions``) come from the certificate's X.509 and
    policy; ``auto_renew`` and ``rotation`` are None when unknown (the call failed).
    """

    kind: ItemKind
    source: str  # the connection's display name
    vault_url: str
    name: str
    enabled: bool | None = None
    content_type: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    not_before: datetime | None = None
    expires_on: datetime | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    versions: int | None = None
    managed: bool = False
    recovery_level: str | None = None
    key_type: str | None = None
    key_size: int | None = None
    curve: str | None = None
    auto_renew: bool | None = None  # certificates: the policy has an AutoRenew action
    lifetime_actions: tuple[str, ...] = ()  # certificates and keys, human-readable
    rotation: bool | None = None  # keys: the rotation policy has a Rotate action
    # Time fields the service sent in an invalid form (field → what it sent): such a field is
    # None above, and is reported as malformed, not as missing.
    invalid_dates: Mapping[str, str] = field(default_factory=dict)
    # Parts of a certificate's X.509 that could not be decoded ("extension 2.5.29.17: …").
    certificate_problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContainerEntry:
    """One blob container. ``blob_count``/``total_size`` are None unless blobs were scanned
    (or the scan failed)."""

    source: str
    account_url: str
    name: str
    public_access: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    has_immutability_policy: bool = False
    has_legal_hold: bool = False
    immutable_storage_with_versioning: bool = False
    last_modified: datetime | None = None
    blob_count: int | None = None
    total_size: int | None = None


@dataclass(frozen=True, slots=True)
class AzureResourceEntry:
    """A vault or storage account that Azure discovery found, with what Resource Manager says
    about it (a fact is None when ARM did not say).

    ``source`` is the name its inventory, findings and errors carry:
    "<tenant> / <subscription> / <resource>". ``notes`` are ARM's plain-words warnings (a
    firewall, access policies, shared keys off); ``audited`` is False when its own kind could
    not be asked (no endpoint, a type no kind opens).
    """

    source: str
    tenant: str
    tenant_id: str
    subscription: str
    subscription_id: str
    resource_group: str
    name: str
    resource_type: str  # ARM's: VAULT_RESOURCE_TYPE, ACCOUNT_RESOURCE_TYPE
    type_label: str  # the registry's kind label: "Key Vault", "Storage account"
    resource_id: str
    endpoint: str = ""
    location: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    rbac: bool | None = None  # a vault on Azure RBAC (False: access policies)
    public_network: str | None = None  # "Enabled" / "Disabled"
    firewall_default: str | None = None  # "Allow" / "Deny"
    soft_delete: bool | None = None
    soft_delete_days: int | None = None
    purge_protection: bool | None = None
    shared_key_access: bool | None = None
    public_blob_access: bool | None = None
    minimum_tls: str | None = None  # "TLS1_2"
    hierarchical_namespace: bool | None = None
    notes: tuple[str, ...] = ()
    audited: bool = True

    @property
    def is_vault(self) -> bool:
        return self.resource_type == VAULT_RESOURCE_TYPE

    @property
    def is_account(self) -> bool:
        return self.resource_type == ACCOUNT_RESOURCE_TYPE


@dataclass(frozen=True, slots=True)
class FindingItem:
    """What one finding concerns: where, which item, and the fact (e.g. its expiry date)."""

    source: str
    kind: ItemKind
    name: str
    detail: str
    when: datetime | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One kind of issue (``code``, e.g. "expired") and every item it concerns."""

    code: str
    severity: Severity
    title: str
    description: str
    items: tuple[FindingItem, ...]


@dataclass(frozen=True, slots=True)
class ReportError:
    """A failure met while collecting: the report is incomplete where it says.

    ``count`` is how many calls failed the same way (same source, operation and error);
    ``subject`` names the first of them.
    """

    source: str
    operation: str
    error_type: str
    title: str
    message: str
    request_id: str | None = None
    status: int | None = None
    error_code: str | None = None
    subject: str | None = None
    count: int = 1


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Everything one audit found, stamped with when, by whom and with which tool version."""

    generated_at: datetime
    identity: str | None
    tool_version: str
    connections: tuple[AuditedConnection, ...]
    items: tuple[VaultItemEntry, ...]
    containers: tuple[ContainerEntry, ...]
    findings: tuple[Finding, ...]
    errors: tuple[ReportError, ...]
    scan_blobs: bool = False
    # What Azure discovery found (by tenant, subscription and name); empty without discovery.
    resources: tuple[AzureResourceEntry, ...] = ()

    def items_of(self, kind: ItemKind) -> tuple[VaultItemEntry, ...]:
        return tuple(item for item in self.items if item.kind is kind)

    def findings_by_severity(self) -> dict[Severity, tuple[Finding, ...]]:
        """Every severity (most severe first) with its findings, possibly none."""
        return {s: tuple(f for f in self.findings if f.severity is s) for s in Severity}

    def severity_counts(self) -> dict[Severity, int]:
        """How many finding items each severity has."""
        return {s: sum(len(f.items) for f in fs) for s, fs in self.findings_by_severity().items()}

    def findings_by_resource(self) -> dict[str, int]:
        """How many finding items each discovered resource has, by its ``source`` (every
        resource, possibly 0)."""
        counts = {resource.source: 0 for resource in self.resources}
        for finding in self.findings:
            for item in finding.items:
                if item.source in counts:
                    counts[item.source] += 1
        return counts
