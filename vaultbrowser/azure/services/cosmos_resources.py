"""Cosmos DB accounts in discovery (``Microsoft.DocumentDB/databaseAccounts``): Resource Graph
lists them with the other resources (``records.resource_from_arm`` reads its rows); where it
is refused, the provider's REST list answers, and an account is looked up by id and its keys
listed the same way (api-version 2025-10-15) — no ``azure-mgmt-cosmosdb`` dependency for two
GETs and a POST.
"""

from __future__ import annotations

from typing import Any

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.arm_rest import arm_json, arm_list
from vaultbrowser.azure.services.records import COSMOS_TYPE, AzureResource, resource_from_arm
from vaultbrowser.core.services.errors import InvalidInput, NotFound
from vaultbrowser.core.services.records import SecretValue

COSMOS_API_VERSION = "2025-10-15"


async def listed_cosmos(client: Any, tenant_id: str, subscription_id: str,
                        hooks: dict[str, Any]) -> list[AzureResource]:
    """The subscription's Cosmos DB accounts through ARM's list operation.

    Raises:
        HttpResponseError: as ARM answers (a 403 for a subscription the account may not read).
    """
    path = f"/subscriptions/{subscription_id}/providers/Microsoft.DocumentDB/databaseAccounts"
    rows = await arm_list(client, path, hooks, api_version=COSMOS_API_VERSION)
    found = (resource_from_arm(row, tenant_id) for row in rows)
    return [resource for resource in found if resource is not None]


async def cosmos_resource(client: Any, resource_id: ArmResourceId, tenant_id: str,
                          hooks: dict[str, Any]) -> AzureResource | None:
    """One Cosmos DB account by its id (None: ARM answered with something else).

    Raises:
        HttpResponseError: as ARM answers (404 for an unknown account).
    """
    answer = await arm_json(client, str(resource_id), hooks, api_version=COSMOS_API_VERSION)
    resource = resource_from_arm(answer, tenant_id)
    return resource if resource is not None and resource.type == COSMOS_TYPE else None


async def cosmos_account_key(client: Any, resource: AzureResource,
                             hooks: dict[str, Any]) -> SecretValue:
    """The account's primary master key (``listKeys``: a POST, so read-only mode refuses it in
    the transport — it hands out a credential).

    Raises:
        InvalidInput: ARM says the account refuses its keys (``disableLocalAuth``).
        NotFound: ARM answered with no key.
        HttpResponseError: as ARM answers.
    """
    if resource.facts.local_auth is False:
        raise InvalidInput(
            f"{resource.name} does not accept its account keys (local authentication is "
            "disabled).", advice="Open it with Entra ID sign-in (you need a Cosmos DB "
                                 "data-plane role, e.g. Cosmos DB Built-in Data Reader).")
    answer = await arm_json(client, f"{resource.id}/listKeys", hooks,
                            api_version=COSMOS_API_VERSION, method="POST")
    key = answer.get("primaryMasterKey")
    if not isinstance(key, str) or not key:
        raise NotFound(f"{resource.name} returned no account key.")
    return SecretValue(key)
