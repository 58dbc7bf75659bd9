"""The Microsoft.DocumentDB/databaseAccounts resource provider (Cosmos DB), read side plus the
key listings.

Accounts: ``list`` (by subscription), ``list_by_resource_group`` and ``get``; ``list_keys``
(POST ``listKeys``: ``DatabaseAccountListKeysResult``) and ``list_read_only_keys`` (GET or
POST ``readonlykeys``) — both answer even when ``disableLocalAuth`` is true, as Azure does (the
data plane refuses the keys, not ARM). Wire form as the REST API specs write it (api-version
2025-10-15, ``CosmosDBDatabaseAccountGet.json`` / ``CosmosDBDatabaseAccountListKeys.json``):
``properties`` hold ``documentEndpoint``, ``provisioningState``, ``publicNetworkAccess``,
``disableLocalAuth``, ``consistencyPolicy``, ``locations`` / ``readLocations`` /
``writeLocations`` / ``failoverPolicies``, ``capabilities``, ``ipRules``,
``enableAutomaticFailover``, ``enableMultipleWriteLocations``. The list operations are not
paged (the spec's ``nextLinkName`` is null). Resource Graph indexes each account as
``microsoft.documentdb/databaseaccounts`` (``graph_row``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from vaultbrowser.emulators.arm.errors import resource_not_found
from vaultbrowser.emulators.arm.routing import Ctx, Reply, Route, find_named
from vaultbrowser.emulators.arm.world import CosmosAccount, World

ACCOUNT_TYPE = "Microsoft.DocumentDB/databaseAccounts"
_SUB = "/subscriptions/{subscription_id}"
_GROUP = _SUB + "/resourceGroups/{resource_group}"
_ACCOUNTS = "/providers/Microsoft.DocumentDB/databaseAccounts"
_READ = "Microsoft.DocumentDB/databaseAccounts/read"
_LIST_KEYS = "Microsoft.DocumentDB/databaseAccounts/listKeys/action"
_READ_ONLY_KEYS = "Microsoft.DocumentDB/databaseAccounts/readonlykeys/action"
# ARM answers Cosmos DB accounts with region display names ("West US"), as the spec's examples
_REGION_NAMES = {"westeurope": "West Europe", "northeurope": "North Europe",
                 "eastus": "East US", "eastus2": "East US 2", "westus": "West US",
                 "westus2": "West US 2", "uksouth": "UK South", "swedencentral": "Sweden Central"}


def account_id(account: CosmosAccount) -> str:
    return (f"/subscriptions/{account.subscription_id}/resourceGroups/{account.resource_group}"
            f"/providers/{ACCOUNT_TYPE}/{account.name}")


def _region_name(region: str) -> str:
    return _REGION_NAMES.get(region.lower(), region)


def _regional_endpoint(account: CosmosAccount, region: str) -> str:
    """``https://<name>-<region>.documents.azure.com:443/`` as Azure names a region's endpoint;
    a local endpoint (tests, the demo) serves every region itself."""
    parts = urlsplit(account.document_endpoint)
    host = parts.hostname or ""
    if not host.endswith(".documents.azure.com"):
        return account.document_endpoint
    label, _, rest = host.partition(".")
    return f"https://{label}-{region.lower()}.{rest}:{parts.port or 443}/"


def _locations(account: CosmosAccount) -> list[dict[str, Any]]:
    regions = account.locations or [account.location]
    return [{"id": f"{account.name}-{region.lower()}", "locationName": _region_name(region),
             "documentEndpoint": _regional_endpoint(account, region),
             "provisioningState": account.provisioning_state, "failoverPriority": priority,
             "isZoneRedundant": False} for priority, region in enumerate(regions)]


def account_json(account: CosmosAccount) -> dict[str, Any]:
    """A ``DatabaseAccountGetResults`` as ``database_accounts.get`` / ``list`` return it."""
    locations = _locations(account)
    writes = locations if account.multiple_write_locations else locations[:1]
    return {
        "id": account_id(account),
        "name": account.name,
        "location": _region_name(account.location),
        "type": ACCOUNT_TYPE,
        "kind": "GlobalDocumentDB",
        "tags": dict(account.tags),
        "identity": {"type": "None"},
        "properties": {
            "provisioningState": account.provisioning_state,
            "documentEndpoint": account.document_endpoint,
            "publicNetworkAccess": account.public_network_access,
            "disableLocalAuth": account.disable_local_auth,
            "ipRules": [{"ipAddressOrRange": rule} for rule in account.ip_rules],
            "isVirtualNetworkFilterEnabled": False,
            "virtualNetworkRules": [],
            "enableAutomaticFailover": account.enable_automatic_failover,
            "enableMultipleWriteLocations": account.multiple_write_locations,
            "databaseAccountOfferType": "Standard",
            "disableKeyBasedMetadataWriteAccess": False,
            "consistencyPolicy": {"defaultConsistencyLevel": account.consistency_level,
                                  "maxIntervalInSeconds": 5, "maxStalenessPrefix": 100},
            "capabilities": [{"name": name} for name in account.capabilities],
            "writeLocations": writes,
            "readLocations": locations,
            "locations": locations,
            "failoverPolicies": [{"id": location["id"],
                                  "locationName": location["locationName"],
                                  "failoverPriority": location["failoverPriority"]}
                                 for location in locations],
            "privateEndpointConnections": [],
            "cors": [],
            "enableFreeTier": False,
            "apiProperties": {},
            "enableAnalyticalStorage": False,
            "createMode": "Default",
            "backupPolicy": {"type": "Periodic", "periodicModeProperties": {
                "backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 8,
                "backupStorageRedundancy": "Geo"}},
            "networkAclBypass": "None",
            "networkAclBypassResourceIds": [],
            "minimalTlsVersion": "Tls12",
        },
    }


def graph_row(account: CosmosAccount, world: World) -> dict[str, Any]:
    """The account's row of Resource Graph's ``resources`` table."""
    subscription = world.subscription(account.subscription_id)
    full = account_json(account)
    return {
        "id": full["id"], "name": account.name, "type": ACCOUNT_TYPE.lower(),
        "tenantId": subscription.tenant_id if subscription else "", "kind": "GlobalDocumentDB",
        "location": account.location.lower(), "resourceGroup": account.resource_group.lower(),
        "subscriptionId": account.subscription_id, "managedBy": "", "sku": None,
        "plan": None, "properties": full["properties"], "tags": dict(account.tags),
        "identity": full["identity"], "zones": None, "extendedLocation": None,
    }



async def accounts_by_subscription(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.subscription(subscription_id, _READ)
    return Reply(body={"value": [account_json(account)
                                 for account in ctx.world.cosmos_in(subscription.id)]})


async def accounts_by_group(ctx: Ctx, subscription_id: str, resource_group: str) -> Reply:
    subscription, group = ctx.group(subscription_id, resource_group, _READ)
    return Reply(body={"value": [account_json(account)
                                 for account in ctx.world.cosmos_in(subscription.id, group)]})


def _account(ctx: Ctx, subscription_id: str, resource_group: str, name: str,
             action: str) -> CosmosAccount:
    subscription, group = ctx.group(subscription_id, resource_group, action,
                                    f"{_ACCOUNTS}/{name}")
    account = find_named(ctx.world.cosmos_in(subscription.id, group), name)
    if account is None:
        raise resource_not_found(ACCOUNT_TYPE, name, resource_group)
    return account


async def get_account(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    return Reply(body=account_json(_account(ctx, subscription_id, resource_group, name, _READ)))


async def list_keys(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    """``DatabaseAccountListKeysResult``: the master keys and the read-only keys."""
    keys = _account(ctx, subscription_id, resource_group, name, _LIST_KEYS).keys
    return Reply(body={"primaryMasterKey": keys[0], "secondaryMasterKey": keys[1],
                       "primaryReadonlyMasterKey": keys[2],
                       "secondaryReadonlyMasterKey": keys[3]})


async def list_read_only_keys(ctx: Ctx, subscription_id: str, resource_group: str,
                              name: str) -> Reply:
    """``DatabaseAccountListReadOnlyKeysResult``."""
    keys = _account(ctx, subscription_id, resource_group, name, _READ_ONLY_KEYS).keys
    return Reply(body={"primaryReadonlyMasterKey": keys[2],
                       "secondaryReadonlyMasterKey": keys[3]})


ROUTES: list[Route] = [
    ("GET", _SUB + _ACCOUNTS, accounts_by_subscription),
    ("GET", _GROUP + _ACCOUNTS, accounts_by_group),
    ("GET", _GROUP + _ACCOUNTS + "/{name}", get_account),
    ("POST", _GROUP + _ACCOUNTS + "/{name}/listKeys", list_keys),
    ("GET", _GROUP + _ACCOUNTS + "/{name}/readonlykeys", list_read_only_keys),
    ("POST", _GROUP + _ACCOUNTS + "/{name}/readonlykeys", list_read_only_keys),
]
