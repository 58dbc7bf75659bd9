"""What discovery finds: tenants, subscriptions and the resources in them (frozen records).

Resource Graph and the ARM list operations describe a resource differently; both become one
``AzureResource`` here, at the boundary, with what ARM knows that predicts a data-plane error
(``ResourceFacts``): a firewall, the access model, shared-key access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.core.services.errors import InvalidInput

KEY_VAULT_TYPE = "microsoft.keyvault/vaults"
STORAGE_TYPE = "microsoft.storage/storageaccounts"
REDIS_TYPE = "microsoft.cache/redisenterprise"  # Azure Managed Redis (its database: below)
COSMOS_TYPE = "microsoft.documentdb/databaseaccounts"  # Cosmos DB
DISCOVERED_TYPES = (KEY_VAULT_TYPE, STORAGE_TYPE, REDIS_TYPE, COSMOS_TYPE)
# What discovery keeps of an AMR cluster's properties and its database's (ARM's names), in the
# order the node shows them; a kind reads them from ``Connection.resource_properties``.
REDIS_CLUSTER_PROPERTIES = ("hostName", "highAvailability", "provisioningState",
                            "resourceState")
REDIS_DATABASE_PROPERTIES = ("clientProtocol", "port", "clusteringPolicy",
                             "accessKeysAuthentication", "evictionPolicy")
# A Cosmos DB account's (nested ones under their own ARM names: consistencyPolicy's
# defaultConsistencyLevel; locations as their region names, comma-separated)
COSMOS_PROPERTIES = ("publicNetworkAccess", "disableLocalAuth", "provisioningState",
                     "enableAutomaticFailover")
MAX_LISTED = 10  # regions, IP rules, capabilities shown of one account; past it, "+N more"


@dataclass(frozen=True)
class TenantRecord:
    tenant_id: str
    display_name: str
    default_domain: str = ""
    home: bool = False  # the signed-in account's own tenant

    @property
    def name(self) -> str:
        return self.display_name or self.default_domain or self.tenant_id


@dataclass(frozen=True)
class SubscriptionRecord:
    subscription_id: str
    tenant_id: str
    display_name: str
    state: str = "Enabled"
    hidden: bool = False  # the user hid it (shown only with "Show hidden")

    @property
    def name(self) -> str:
        return self.display_name or self.subscription_id


@dataclass(frozen=True)
class ResourceFacts:
    """What ARM says about a resource that decides how (and whether) it can be opened.

    None means ARM did not say.
    """

    rbac: bool | None = None  # a vault on Azure RBAC (False: access policies)
    public_network: str | None = None  # "Enabled" / "Disabled"
    firewall_default: str | None = None  # "Allow" / "Deny"
    soft_delete: bool | None = None
    soft_delete_days: int | None = None
    purge_protection: bool | None = None
    shared_key_access: bool | None = None  # storage: False refuses account keys and SAS
    public_blob_access: bool | None = None
    minimum_tls: str | None = None  # "TLS1_2"
    hierarchical_namespace: bool | None = None
    access_keys: bool | None = None  # an AMR database accepts access keys (False: Entra ID)
    encrypted: bool | None = None  # an AMR database speaks TLS (False: client protocol Plaintext)
    local_auth: bool | None = None  # a Cosmos DB account takes its keys (False: disableLocalAuth)

    def warnings(self) -> tuple[str, ...]:
        """Plain words on what will go wrong (or be risky) before any data call is made."""
        out: list[str] = []
        if self.public_network == "Disabled":
            out.append("public network access is disabled: only private endpoints reach it")
        elif self.firewall_default == "Deny":
            out.append("behind a firewall (default action Deny): your address must be allowed")
        if self.rbac is False:
            out.append("uses access policies: Azure roles alone grant no access to its data")
        if self.shared_key_access is False:
            out.append("shared-key access is off: only Entra ID sign-in opens it")
        if self.access_keys is False:
            out.append("access keys are disabled: only Entra ID sign-in opens it (with a data "
                       "access policy assignment on the database)")
        if self.local_auth is False:
            out.append("local (key) authentication is disabled: only Entra ID sign-in opens it "
                       "(with a Cosmos DB data-plane role assignment)")
        if self.encrypted is False:
            out.append("its database speaks no TLS (client protocol Plaintext): vaultbrowser "
                       "opens unencrypted Redis on this computer only")
        return tuple(out)


@dataclass(frozen=True)
class AzureResource:
    """A vault or storage account that discovery found."""

    resource_id: ArmResourceId
    tenant_id: str
    location: str = ""
    endpoint: str = ""  # the vault URI, the blob endpoint
    facts: ResourceFacts = field(default_factory=ResourceFacts)
    tags: tuple[tuple[str, str], ...] = ()
    # ARM's other properties the node shows and its kind may read (name → text, ARM's words:
    # ("clientProtocol", "Encrypted")); kept for types whose facts are not ``ResourceFacts``.
    properties: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.resource_id.name

    @property
    def type(self) -> str:
        return self.resource_id.type

    @property
    def subscription_id(self) -> str:
        return self.resource_id.subscription_id

    @property
    def resource_group(self) -> str:
        return self.resource_id.resource_group

    @property
    def id(self) -> str:
        return str(self.resource_id)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def resource_from_arm(data: dict[str, Any], tenant_id: str) -> AzureResource | None:
    """A Resource Graph row or an ARM resource (as JSON) → ``AzureResource``; None for a row
    that is not a well-formed vault or storage account (it is skipped, never guessed at)."""
    try:
        resource_id = ArmResourceId.parse(str(data.get("id") or ""))
    except InvalidInput:
        return None
    if resource_id.type not in DISCOVERED_TYPES:
        return None
    properties = data.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    acls = properties.get("networkAcls")
    acls = acls if isinstance(acls, dict) else {}
    kept: tuple[tuple[str, str], ...] = ()
    if resource_id.type == COSMOS_TYPE:
        kept = cosmos_properties(properties)
        endpoint = _text(properties.get("documentEndpoint")) or ""
        local_off = _flag(properties.get("disableLocalAuth"))
        rules = properties.get("ipRules")
        filtered = bool(rules) or properties.get("isVirtualNetworkFilterEnabled") is True
        facts = ResourceFacts(public_network=_text(properties.get("publicNetworkAccess")),
                              firewall_default="Deny" if filtered else None,
                              local_auth=None if local_off is None else not local_off)
    elif resource_id.type == REDIS_TYPE:
        kept = arm_properties(properties, REDIS_CLUSTER_PROPERTIES)
        facts = ResourceFacts(minimum_tls=_text(properties.get("minimumTlsVersion")))
        endpoint = redis_endpoint(kept)
    elif resource_id.type == KEY_VAULT_TYPE:
        endpoint = _text(properties.get("vaultUri")) or ""
        days = properties.get("softDeleteRetentionInDays")
        facts = ResourceFacts(
            rbac=_flag(properties.get("enableRbacAuthorization")),
            public_network=_text(properties.get("publicNetworkAccess")),
            firewall_default=_text(acls.get("defaultAction")),
            soft_delete=_flag(properties.get("enableSoftDelete")),
            soft_delete_days=days if isinstance(days, int) and not isinstance(days, bool)
            else None,
            purge_protection=_flag(properties.get("enablePurgeProtection")),
        )
    else:
        endpoints = properties.get("primaryEndpoints")
        endpoints = endpoints if isinstance(endpoints, dict) else {}
        endpoint = _text(endpoints.get("blob")) or ""
        facts = ResourceFacts(
            public_network=_text(properties.get("publicNetworkAccess")),
            firewall_default=_text(acls.get("defaultAction")),
            shared_key_access=_flag(properties.get("allowSharedKeyAccess")),
            public_blob_access=_flag(properties.get("allowBlobPublicAccess")),
            minimum_tls=_text(properties.get("minimumTlsVersion")),
            hierarchical_namespace=_flag(properties.get("isHnsEnabled")),
        )
    tags = data.get("tags")
    pairs = tuple(sorted((str(k), str(v)) for k, v in tags.items())) if isinstance(
        tags, dict) else ()
    # ARM's GET of some types names the region for people ("West Europe"): its name, as
    # Resource Graph and the other types give it ("westeurope")
    location = (_text(data.get("location")) or "").replace(" ", "").lower()
    return AzureResource(resource_id, str(data.get("tenantId") or tenant_id), location,
                         endpoint, facts, pairs, kept)


def arm_properties(properties: dict[str, Any], names: tuple[str, ...]
                   ) -> tuple[tuple[str, str], ...]:
    """The ``names`` ARM gave (text, numbers and flags as text), in ``names``' order."""
    kept = []
    for name in names:
        value = properties.get(name)
        if isinstance(value, bool):
            kept.append((name, "true" if value else "false"))
        elif isinstance(value, str | int | float) and str(value):
            kept.append((name, str(value)))
    return tuple(kept)


def _listed(values: list[str]) -> str:
    more = len(values) - MAX_LISTED
    return ", ".join(values[:MAX_LISTED]) + (f" (+{more} more)" if more > 0 else "")


def _names(items: Any, key: str) -> list[str]:
    return [str(item[key]) for item in items if isinstance(item, dict) and _text(
        item.get(key))] if isinstance(items, list) else []


def cosmos_properties(properties: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What the node shows of a Cosmos DB account and its kind's audit reads (ARM's names;
    lists as comma-separated text, at most ``MAX_LISTED`` of each)."""
    kept = list(arm_properties(properties, COSMOS_PROPERTIES))
    policy = properties.get("consistencyPolicy")
    level = _text(policy.get("defaultConsistencyLevel")) if isinstance(policy, dict) else None
    if level:
        kept.append(("defaultConsistencyLevel", level))
    for name, key in (("writeLocations", "locationName"), ("readLocations", "locationName"),
                      ("ipRules", "ipAddressOrRange"), ("capabilities", "name")):
        values = _names(properties.get(name), key)
        if values:
            kept.append((name, _listed(values)))
    return tuple(kept)


def redis_endpoint(properties: tuple[tuple[str, str], ...]) -> str:
    """An AMR database's URL from its cluster's host name and the database's protocol and
    port (AMR's defaults, TLS on 10000, until the database row says): ``rediss://host:port``,
    ``redis://`` for a Plaintext database; "" without a host name."""
    known = dict(properties)
    host = known.get("hostName", "")
    if not host:
        return ""
    scheme = "redis" if known.get("clientProtocol", "").lower() == "plaintext" else "rediss"
    port = known.get("port", "10000")
    return f"{scheme}://{host}:{port if port.isdigit() else '10000'}"
