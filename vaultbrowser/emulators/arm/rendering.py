"""The wire form of the world's records: what ARM and Resource Graph return for each.

Field names are those the SDK models deserialize (azure-mgmt-resource-subscriptions,
-keyvault, -storage, -resourcegraph); optional flags that were never set stay absent, as ARM
leaves them out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from vaultbrowser.emulators.arm.world import KeyVault, StorageAccount, Subscription, Tenant, World

VAULT_TYPE = "Microsoft.KeyVault/vaults"
ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
_AZURE_BLOB_SUFFIX = ".blob.core.windows.net"


def tenant_json(tenant: Tenant, token_tenant: str) -> dict[str, Any]:
    """A ``TenantIdDescription``; "Home" for the token's own tenant."""
    home = tenant.id.lower() == token_tenant.lower()
    return {
        "id": f"/tenants/{tenant.id}",
        "tenantId": tenant.id,
        "countryCode": "US",
        "displayName": tenant.display_name,
        "domains": tenant.domains or [tenant.default_domain],
        "tenantCategory": "Home" if home else "ProjectedBy",
        "defaultDomain": tenant.default_domain,
        "tenantType": "AAD",
    }


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    """A ``Subscription``."""
    return {
        "id": f"/subscriptions/{subscription.id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription.id,
        "tenantId": subscription.tenant_id,
        "displayName": subscription.display_name,
        "state": subscription.state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def vault_id(vault: KeyVault) -> str:
    return (f"/subscriptions/{vault.subscription_id}/resourceGroups/{vault.resource_group}"
            f"/providers/{VAULT_TYPE}/{vault.name}")


def account_id(account: StorageAccount) -> str:
    return (f"/subscriptions/{account.subscription_id}/resourceGroups/{account.resource_group}"
            f"/providers/{ACCOUNT_TYPE}/{account.name}")


def vault_properties(vault: KeyVault, world: World) -> dict[str, Any]:
    """A vault's ``properties`` (``VaultProperties``)."""
    subscription = world.subscription(vault.subscription_id)
    tenant = vault.tenant_id or (subscription.tenant_id if subscription else "")
    properties: dict[str, Any] = {
        "sku": {"family": "A", "name": vault.sku},
        "tenantId": tenant,
        "accessPolicies": list(vault.access_policies),
        "enabledForDeployment": False,
        "enabledForDiskEncryption": False,
        "enabledForTemplateDeployment": False,
        "enableSoftDelete": vault.enable_soft_delete,
        "softDeleteRetentionInDays": vault.soft_delete_retention_days,
        "enableRbacAuthorization": vault.enable_rbac_authorization,
        "vaultUri": vault.vault_uri,
        "provisioningState": "Succeeded",
        "publicNetworkAccess": vault.public_network_access,
        "networkAcls": {"bypass": "AzureServices", "defaultAction": vault.network_default_action,
                        "ipRules": [], "virtualNetworkRules": []},
    }
    if vault.enable_purge_protection is not None:
        properties["enablePurgeProtection"] = vault.enable_purge_protection
    return properties


def vault_json(vault: KeyVault, world: World) -> dict[str, Any]:
    """A ``Vault`` as ``vaults.get`` / ``list_by_*`` return it."""
    return {
        "id": vault_id(vault),
        "name": vault.name,
        "type": VAULT_TYPE,
        "location": vault.location,
        "tags": dict(vault.tags),
        "properties": vault_properties(vault, world),
    }


def account_properties(account: StorageAccount) -> dict[str, Any]:
    """An account's ``properties`` (``StorageAccountProperties``)."""
    properties: dict[str, Any] = {
        "dnsEndpointType": "Standard",
        "keyCreationTime": {"key1": account.creation_time, "key2": account.creation_time},
        "allowCrossTenantReplication": False,
        "minimumTlsVersion": account.minimum_tls_version,
        "allowBlobPublicAccess": account.allow_blob_public_access,
        "isHnsEnabled": account.is_hns_enabled,
        "networkAcls": {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [],
                        "defaultAction": account.network_default_action},
        "supportsHttpsTrafficOnly": True,
        "accessTier": "Hot",
        "provisioningState": "Succeeded",
        "creationTime": account.creation_time,
        "primaryEndpoints": _endpoints(account),
        "primaryLocation": account.location,
        "statusOfPrimary": "available",
        "publicNetworkAccess": account.public_network_access,
    }
    if account.allow_shared_key_access is not None:
        properties["allowSharedKeyAccess"] = account.allow_shared_key_access
    return properties


def account_json(account: StorageAccount) -> dict[str, Any]:
    """A ``StorageAccount`` as ``get_properties`` / ``list`` return it."""
    tier = "Premium" if account.sku.lower().startswith("premium") else "Standard"
    return {
        "id": account_id(account),
        "name": account.name,
        "type": ACCOUNT_TYPE,
        "location": account.location,
        "kind": account.kind,
        "sku": {"name": account.sku, "tier": tier},
        "tags": dict(account.tags),
        "properties": account_properties(account),
    }


def keys_json(account: StorageAccount) -> dict[str, Any]:
    """``listKeys``' answer (a ``StorageAccountListKeysResult``)."""
    return {"keys": [
        {"creationTime": account.creation_time, "keyName": f"key{index}", "value": value,
         "permissions": "FULL"}
        for index, value in enumerate(account.keys, start=1)
    ]}


def generic_json(resource: KeyVault | StorageAccount) -> dict[str, Any]:
    """A ``GenericResource`` as ``/subscriptions/{s}/resources`` lists it."""
    if isinstance(resource, KeyVault):
        return {"id": vault_id(resource), "name": resource.name, "type": VAULT_TYPE,
                "location": resource.location, "tags": dict(resource.tags)}
    return {"id": account_id(resource), "name": resource.name, "type": ACCOUNT_TYPE,
            "kind": resource.kind, "location": resource.location, "tags": dict(resource.tags),
            "sku": {"name": resource.sku}}


def graph_row(resource: KeyVault | StorageAccount, world: World) -> dict[str, Any]:
    """A row of Resource Graph's ``resources`` table (its column order)."""
    subscription = world.subscription(resource.subscription_id)
    tenant = subscription.tenant_id if subscription else ""
    if isinstance(resource, KeyVault):
        ident, kind, sku = vault_id(resource), "", None
        properties = vault_properties(resource, world)
    else:
        full = account_json(resource)
        ident, kind, sku, properties = full["id"], resource.kind, full["sku"], full["properties"]
    return {
        "id": ident,
        "name": resource.name,
        "type": (VAULT_TYPE if isinstance(resource, KeyVault) else ACCOUNT_TYPE).lower(),
        "tenantId": tenant,
        "kind": kind,
        "location": resource.location,
        "resourceGroup": resource.resource_group.lower(),
        "subscriptionId": resource.subscription_id,
        "managedBy": "",
        "sku": sku,
        "plan": None,
        "properties": properties,
        "tags": dict(resource.tags),
        "identity": None,
        "zones": None,
        "extendedLocation": None,
    }


GRAPH_COLUMNS: dict[str, str] = {
    "id": "string", "name": "string", "type": "string", "tenantId": "string", "kind": "string",
    "location": "string", "resourceGroup": "string", "subscriptionId": "string",
    "managedBy": "string", "sku": "object", "plan": "object", "properties": "object",
    "tags": "object", "identity": "object", "zones": "object", "extendedLocation": "object",
}
"""The ``resources`` table's columns and their Resource Graph types, in order."""


def _endpoints(account: StorageAccount) -> dict[str, str]:
    """``primaryEndpoints``: the blob endpoint, and for an Azure-shaped one its siblings."""
    endpoints = {"blob": account.blob_endpoint}
    host = urlsplit(account.blob_endpoint).hostname or ""
    if host.endswith(_AZURE_BLOB_SUFFIX):
        stem = host[: -len(_AZURE_BLOB_SUFFIX)]
        for service in ("queue", "table", "file", "dfs"):
            endpoints[service] = f"https://{stem}.{service}.core.windows.net/"
        endpoints["web"] = f"https://{stem}.z6.web.core.windows.net/"
    return endpoints
