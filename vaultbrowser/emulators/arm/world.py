"""The emulated Azure estate: tenants, subscriptions, key vaults, storage accounts, Azure
Managed Redis clusters (each with its one database) and Cosmos DB accounts.

Plain dataclasses, mutable between requests (the server reads them on every request, no
caches), and JSON round-trippable (``World.to_json`` / ``World.from_json``: the field names of
the dataclasses, snake_case). Names of resource groups and resources compare case-insensitively,
as in ARM.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

CREATION_TIME = "2024-03-01T09:00:00.0000000Z"


@dataclass
class Tenant:
    """A Microsoft Entra tenant. ``resource_graph_allowed=False`` makes Resource Graph answer
    403 to its tokens; ``requires_mfa`` makes every request with a non-MFA token answer 401."""

    id: str
    display_name: str
    default_domain: str
    requires_mfa: bool = False
    resource_graph_allowed: bool = True
    domains: list[str] = field(default_factory=list)


@dataclass
class Subscription:
    """A subscription of ``tenant_id``. ``readable=False``: listed, but every call under it
    answers 403 and Resource Graph returns nothing from it. ``resource_groups`` adds (empty)
    groups to those its resources live in."""

    id: str
    tenant_id: str
    display_name: str
    state: str = "Enabled"  # Enabled | Disabled | Warned
    readable: bool = True
    resource_groups: list[str] = field(default_factory=list)


@dataclass
class KeyVault:
    """A key vault (``Microsoft.KeyVault/vaults``); ``tenant_id`` None means the
    subscription's tenant, ``enable_purge_protection`` None means never set (absent in JSON)."""

    name: str
    subscription_id: str
    resource_group: str
    location: str
    vault_uri: str
    tenant_id: str | None = None
    enable_rbac_authorization: bool = True
    enable_soft_delete: bool = True
    soft_delete_retention_days: int = 90
    enable_purge_protection: bool | None = None
    public_network_access: str = "Enabled"  # Enabled | Disabled
    network_default_action: str = "Allow"  # Allow | Deny
    sku: str = "standard"  # standard | premium
    tags: dict[str, str] = field(default_factory=dict)
    access_policies: list[dict[str, Any]] = field(default_factory=list)  # ARM's wire form


@dataclass
class StorageAccount:
    """A storage account (``Microsoft.Storage/storageAccounts``); ``keys`` are key1 and key2
    (base64 text); ``allow_shared_key_access`` None means never set (absent in JSON)."""

    name: str
    subscription_id: str
    resource_group: str
    location: str
    blob_endpoint: str
    kind: str = "StorageV2"
    sku: str = "Standard_LRS"
    allow_shared_key_access: bool | None = None
    allow_blob_public_access: bool = False
    minimum_tls_version: str = "TLS1_2"  # TLS1_0 | TLS1_1 | TLS1_2
    is_hns_enabled: bool = False
    public_network_access: str = "Enabled"
    network_default_action: str = "Allow"
    keys: list[str] = field(default_factory=lambda: ["", ""])
    tags: dict[str, str] = field(default_factory=dict)
    creation_time: str = CREATION_TIME


@dataclass
class RedisEnterprise:
    """An Azure Managed Redis cluster (``Microsoft.Cache/redisEnterprise``) and its one database
    (``…/databases/default``: AMR has exactly one). Field values are ARM's words (api-version
    2025-04-01): ``client_protocol`` Encrypted | Plaintext, ``clustering_policy`` OSSCluster |
    EnterpriseCluster, ``access_keys_authentication`` Enabled | Disabled, ``minimum_tls_version``
    "1.0" | "1.1" | "1.2"; ``keys`` are the database's primary and secondary access keys."""

    name: str
    subscription_id: str
    resource_group: str
    location: str
    host_name: str  # <name>.<region>.redis.azure.net (a loopback host in tests and the demo)
    sku: str = "Balanced_B5"
    minimum_tls_version: str = "1.2"
    high_availability: str = "Enabled"
    redis_version: str = "7.4"
    provisioning_state: str = "Succeeded"
    resource_state: str = "Running"
    client_protocol: str = "Encrypted"
    port: int = 10000
    clustering_policy: str = "OSSCluster"
    eviction_policy: str = "NoEviction"
    access_keys_authentication: str = "Disabled"
    keys: list[str] = field(default_factory=lambda: ["", ""])
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class CosmosAccount:
    """A Cosmos DB account (``Microsoft.DocumentDB/databaseAccounts``, NoSQL API). Field values
    are ARM's words (api-version 2025-10-15): ``public_network_access`` Enabled | Disabled |
    SecuredByPerimeter, ``consistency_level`` Eventual | ConsistentPrefix | Session |
    BoundedStaleness | Strong; ``locations`` the regions in failover priority order (the first
    is the write region unless ``multiple_write_locations``); ``keys`` the primary and secondary
    master keys, then the primary and secondary read-only keys (base64 text)."""

    name: str
    subscription_id: str
    resource_group: str
    location: str
    document_endpoint: str  # https://<name>.documents.azure.com:443/ (loopback in tests, demo)
    locations: list[str] = field(default_factory=list)  # empty: [location]
    public_network_access: str = "Enabled"
    disable_local_auth: bool = False
    consistency_level: str = "Session"
    provisioning_state: str = "Succeeded"
    capabilities: list[str] = field(default_factory=list)  # "EnableServerless", …
    ip_rules: list[str] = field(default_factory=list)  # addresses or CIDR ranges
    enable_automatic_failover: bool = False
    multiple_write_locations: bool = False
    keys: list[str] = field(default_factory=lambda: ["", "", "", ""])
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """Everything the emulator serves. The first tenant is the home tenant of demo users."""

    tenants: list[Tenant] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    vaults: list[KeyVault] = field(default_factory=list)
    storage_accounts: list[StorageAccount] = field(default_factory=list)
    redis_clusters: list[RedisEnterprise] = field(default_factory=list)
    cosmos_accounts: list[CosmosAccount] = field(default_factory=list)

    # -- look-ups --------------------------------------------------------------------------
    @property
    def home_tenant_id(self) -> str:
        """The first tenant's id ('' for an empty world)."""
        return self.tenants[0].id if self.tenants else ""

    def tenant(self, tenant_id: str) -> Tenant | None:
        wanted = tenant_id.lower()
        return next((t for t in self.tenants if t.id.lower() == wanted), None)

    def subscription(self, subscription_id: str) -> Subscription | None:
        wanted = subscription_id.lower()
        return next((s for s in self.subscriptions if s.id.lower() == wanted), None)

    def subscriptions_of(self, tenant_id: str) -> list[Subscription]:
        """The tenant's subscriptions in world order."""
        wanted = tenant_id.lower()
        return [s for s in self.subscriptions if s.tenant_id.lower() == wanted]

    def vaults_in(self, subscription_id: str, resource_group: str | None = None) -> list[KeyVault]:
        return [v for v in self.vaults if _within(v, subscription_id, resource_group)]

    def accounts_in(self, subscription_id: str,
                    resource_group: str | None = None) -> list[StorageAccount]:
        return [a for a in self.storage_accounts if _within(a, subscription_id, resource_group)]

    def redis_in(self, subscription_id: str,
                 resource_group: str | None = None) -> list[RedisEnterprise]:
        return [c for c in self.redis_clusters if _within(c, subscription_id, resource_group)]

    def cosmos_in(self, subscription_id: str,
                  resource_group: str | None = None) -> list[CosmosAccount]:
        return [a for a in self.cosmos_accounts if _within(a, subscription_id, resource_group)]

    def resource_group(self, subscription_id: str, name: str) -> str | None:
        """The group's name as created (its case), or None when the subscription has none
        by that name."""
        wanted = name.lower()
        subscription = self.subscription(subscription_id)
        declared = subscription.resource_groups if subscription else []
        used = [r.resource_group for r in (*self.vaults_in(subscription_id),
                                           *self.accounts_in(subscription_id),
                                           *self.redis_in(subscription_id),
                                           *self.cosmos_in(subscription_id))]
        return next((group for group in (*declared, *used) if group.lower() == wanted), None)

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        """The world as a JSON document (what ``--seed FILE`` loads)."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> World:
        """A world from :meth:`to_dict`'s shape; unknown keys are rejected.

        Raises:
            TypeError: a record has unknown or missing fields.
        """
        return cls(
            tenants=[Tenant(**item) for item in data.get("tenants", [])],
            subscriptions=[Subscription(**item) for item in data.get("subscriptions", [])],
            vaults=[KeyVault(**item) for item in data.get("vaults", [])],
            storage_accounts=[StorageAccount(**item) for item in data.get("storage_accounts", [])],
            redis_clusters=[RedisEnterprise(**item) for item in data.get("redis_clusters", [])],
            cosmos_accounts=[CosmosAccount(**item) for item in data.get("cosmos_accounts", [])],
        )

    @classmethod
    def from_json(cls, text: str) -> World:
        """A world from :meth:`to_json`'s text.

        Raises:
            ValueError: not JSON; TypeError: a record has unknown or missing fields.
        """
        return cls.from_dict(json.loads(text))


def _within(resource: KeyVault | StorageAccount | RedisEnterprise | CosmosAccount,
            subscription_id: str, resource_group: str | None) -> bool:
    if resource.subscription_id.lower() != subscription_id.lower():
        return False
    return resource_group is None or resource.resource_group.lower() == resource_group.lower()
