"""Azure Managed Redis in discovery: a cluster (``Microsoft.Cache/redisEnterprise``) is one
node, with its database's properties (``…/databases/default``: AMR has one) joined in.

Resource Graph lists clusters and databases as rows of their own (``RedisDatabases`` pairs
them); where Resource Graph is refused, the provider's REST list operations answer
(``listed_redis``), read as plain JSON through a management client's pipeline (api-version
2025-04-01) — no ``azure-mgmt-redisenterprise`` dependency for three GETs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.arm_rest import arm_json, arm_list
from vaultbrowser.azure.services.records import (
    REDIS_DATABASE_PROPERTIES,
    REDIS_TYPE,
    AzureResource,
    arm_properties,
    redis_endpoint,
    resource_from_arm,
)
from vaultbrowser.core.services.errors import InvalidInput, NotFound
from vaultbrowser.core.services.records import SecretValue

REDIS_DATABASE_TYPE = REDIS_TYPE + "/databases"
REDIS_API_VERSION = "2025-04-01"


def _cluster_id_of(database_id: str) -> str | None:
    """``/subscriptions/…/redisEnterprise/<name>`` of a database id, lower case."""
    head, separator, _name = database_id.rpartition("/databases/")
    return head.lower() if separator and head else None


def with_database(resource: AzureResource, database: dict[str, Any]) -> AzureResource:
    """``resource`` (a cluster) with its database's properties and the endpoint they make."""
    properties = database.get("properties")
    found = arm_properties(properties if isinstance(properties, dict) else {},
                           REDIS_DATABASE_PROPERTIES)
    merged = (*resource.properties, *found)
    known = dict(found)
    keys, protocol = known.get("accessKeysAuthentication"), known.get("clientProtocol")
    facts = replace(resource.facts,
                    access_keys=None if keys is None else keys.lower() == "enabled",
                    encrypted=None if protocol is None else protocol.lower() != "plaintext")
    return replace(resource, properties=merged, endpoint=redis_endpoint(merged), facts=facts)


class RedisDatabases:
    """Database rows set aside while a listing is read, joined to their clusters after."""

    def __init__(self) -> None:
        self._by_cluster: dict[str, dict[str, Any]] = {}

    def take(self, row: dict[str, Any]) -> bool:
        """Keep ``row`` when it is an AMR database (True); False for any other row."""
        if str(row.get("type") or "").lower() != REDIS_DATABASE_TYPE:
            return False
        cluster = _cluster_id_of(str(row.get("id") or ""))
        if cluster is not None:
            self._by_cluster.setdefault(cluster, row)  # the first: AMR has one
        return True

    def joined(self, resource: AzureResource) -> AzureResource:
        """A cluster with its database's properties; any other resource as it is."""
        if resource.type != REDIS_TYPE:
            return resource
        database = self._by_cluster.get(resource.id.lower())
        return resource if database is None else with_database(resource, database)


async def _get_json(client: Any, path: str, hooks: dict[str, Any],
                    method: str = "GET") -> dict[str, Any]:
    return await arm_json(client, path, hooks, api_version=REDIS_API_VERSION, method=method)


async def _listed(client: Any, path: str, hooks: dict[str, Any]) -> list[dict[str, Any]]:
    return await arm_list(client, path, hooks, api_version=REDIS_API_VERSION)


async def listed_redis(client: Any, tenant_id: str, subscription_id: str,
                       hooks: dict[str, Any]) -> list[AzureResource]:
    """The subscription's AMR clusters through ARM's list operations, each with its database.

    Raises:
        HttpResponseError: as ARM answers (a 403 for a subscription the account may not read).
    """
    found = []
    path = f"/subscriptions/{subscription_id}/providers/Microsoft.Cache/redisEnterprise"
    for row in await _listed(client, path, hooks):
        resource = resource_from_arm(row, tenant_id)
        if resource is not None:
            found.append(await _with_listed_database(client, resource, hooks))
    return found


async def redis_resource(client: Any, resource_id: ArmResourceId, tenant_id: str,
                         hooks: dict[str, Any]) -> AzureResource | None:
    """One AMR cluster by its id, with its database (None: ARM answered with something else).

    Raises:
        HttpResponseError: as ARM answers (404 for an unknown cluster).
    """
    resource = resource_from_arm(await _get_json(client, str(resource_id), hooks), tenant_id)
    if resource is None or resource.type != REDIS_TYPE:
        return None
    return await _with_listed_database(client, resource, hooks)


async def _with_listed_database(client: Any, resource: AzureResource,
                                hooks: dict[str, Any]) -> AzureResource:
    databases = await _listed(client, f"{resource.id}/databases", hooks)
    return with_database(resource, databases[0]) if databases else resource


async def redis_access_key(client: Any, resource: AzureResource,
                           hooks: dict[str, Any]) -> SecretValue:
    """The AMR database's primary access key (``listKeys``: a POST, so read-only mode refuses
    it in the transport — it hands out a credential).

    Raises:
        InvalidInput: ARM says the database does not accept access keys.
        NotFound: ARM answered with no key.
        HttpResponseError: as ARM answers.
    """
    if dict(resource.properties).get("accessKeysAuthentication", "").lower() == "disabled":
        raise InvalidInput(
            f"{resource.name} does not accept access keys (access keys authentication is "
            "Disabled).", advice="Open it with Entra ID sign-in (you need a data access policy "
                                 "assignment on the database).")
    answer = await _get_json(client, f"{resource.id}/databases/default/listKeys", hooks,
                             method="POST")
    key = answer.get("primaryKey")
    if not isinstance(key, str) or not key:
        raise NotFound(f"{resource.name} returned no access key.")
    return SecretValue(key)
