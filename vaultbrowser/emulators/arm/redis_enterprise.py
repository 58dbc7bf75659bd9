"""The Microsoft.Cache/redisEnterprise resource provider (Azure Managed Redis), read side.

Clusters: ``list`` (by subscription), ``list_by_resource_group`` and ``get``; their databases:
``list_by_cluster``, ``get`` and ``list_keys`` (which answers even with access keys disabled,
as Azure does). Wire form as the REST API specs write it (api-version
2025-04-01, ``RedisEnterpriseGet.json`` / ``RedisEnterpriseDatabasesListByCluster.json``): a
cluster's ``properties`` hold ``hostName``, ``minimumTlsVersion``, ``highAvailability``,
``redisVersion``, ``provisioningState``, ``resourceState``; its database's hold
``clientProtocol``, ``port``, ``clusteringPolicy``, ``evictionPolicy``,
``accessKeysAuthentication``, ``persistence``, ``modules``. Resource Graph indexes both, the
database as ``microsoft.cache/redisenterprise/databases`` (``graph_rows``).
"""

from __future__ import annotations

from typing import Any

from vaultbrowser.emulators.arm.errors import resource_not_found
from vaultbrowser.emulators.arm.routing import Ctx, Reply, Route, find_named
from vaultbrowser.emulators.arm.world import RedisEnterprise, World

CLUSTER_TYPE = "Microsoft.Cache/redisEnterprise"
DATABASE_TYPE = "Microsoft.Cache/redisEnterprise/databases"
DATABASE_NAME = "default"  # AMR has one database per cluster, always named so
_SUB = "/subscriptions/{subscription_id}"
_GROUP = _SUB + "/resourceGroups/{resource_group}"
_CLUSTERS = "/providers/Microsoft.Cache/redisEnterprise"
_READ = "Microsoft.Cache/redisEnterprise/read"
_DATABASE_READ = "Microsoft.Cache/redisEnterprise/databases/read"
_LIST_KEYS = "Microsoft.Cache/redisEnterprise/databases/listKeys/action"


def cluster_id(cluster: RedisEnterprise) -> str:
    return (f"/subscriptions/{cluster.subscription_id}/resourceGroups/{cluster.resource_group}"
            f"/providers/{CLUSTER_TYPE}/{cluster.name}")


def database_id(cluster: RedisEnterprise) -> str:
    return f"{cluster_id(cluster)}/databases/{DATABASE_NAME}"


def cluster_json(cluster: RedisEnterprise) -> dict[str, Any]:
    """A ``Cluster`` as ``redis_enterprise.get`` / ``list`` return it."""
    return {
        "id": cluster_id(cluster),
        "name": cluster.name,
        "type": CLUSTER_TYPE,
        "location": cluster.location,
        "kind": "v2",  # Azure Managed Redis (v1: Azure Cache for Redis Enterprise)
        "sku": {"name": cluster.sku},
        "tags": dict(cluster.tags),
        "properties": {
            "hostName": cluster.host_name,
            "provisioningState": cluster.provisioning_state,
            "resourceState": cluster.resource_state,
            "redisVersion": cluster.redis_version.split(".", 1)[0],
            "minimumTlsVersion": cluster.minimum_tls_version,
            "highAvailability": cluster.high_availability,
            "redundancyMode": "LR" if cluster.high_availability == "Enabled" else "None",
            "privateEndpointConnections": [],
        },
    }


def database_json(cluster: RedisEnterprise) -> dict[str, Any]:
    """The cluster's ``Database`` as ``databases.get`` / ``list_by_cluster`` return it."""
    return {
        "id": database_id(cluster),
        "name": f"{cluster.name}/{DATABASE_NAME}",
        "type": DATABASE_TYPE,
        "properties": {
            "provisioningState": cluster.provisioning_state,
            "resourceState": cluster.resource_state,
            "clientProtocol": cluster.client_protocol,
            "port": cluster.port,
            "clusteringPolicy": cluster.clustering_policy,
            "evictionPolicy": cluster.eviction_policy,
            "persistence": {"aofEnabled": False, "rdbEnabled": False},
            "modules": [],
            "deferUpgrade": "NotDeferred",
            "redisVersion": cluster.redis_version,
            "accessKeysAuthentication": cluster.access_keys_authentication,
        },
    }


def graph_rows(cluster: RedisEnterprise, world: World) -> list[dict[str, Any]]:
    """The cluster's and its database's rows of Resource Graph's ``resources`` table."""
    subscription = world.subscription(cluster.subscription_id)
    tenant = subscription.tenant_id if subscription else ""
    rows = []
    for full, kind, sku in ((cluster_json(cluster), "v2", {"name": cluster.sku}),
                            (database_json(cluster), "", None)):
        rows.append({
            "id": full["id"], "name": full["name"], "type": full["type"].lower(),
            "tenantId": tenant, "kind": kind, "location": cluster.location,
            "resourceGroup": cluster.resource_group.lower(),
            "subscriptionId": cluster.subscription_id, "managedBy": "", "sku": sku,
            "plan": None, "properties": full["properties"],
            "tags": dict(cluster.tags) if kind else {}, "identity": None, "zones": None,
            "extendedLocation": None,
        })
    return rows



async def clusters_by_subscription(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.subscription(subscription_id, _READ)
    return Reply(body=ctx.page(ctx.world.redis_in(subscription.id), cluster_json))


async def clusters_by_group(ctx: Ctx, subscription_id: str, resource_group: str) -> Reply:
    subscription, group = ctx.group(subscription_id, resource_group, _READ)
    return Reply(body=ctx.page(ctx.world.redis_in(subscription.id, group), cluster_json))


def _cluster(ctx: Ctx, subscription_id: str, resource_group: str, name: str,
             action: str) -> RedisEnterprise:
    subscription, group = ctx.group(subscription_id, resource_group, action,
                                    f"{_CLUSTERS}/{name}")
    cluster = find_named(ctx.world.redis_in(subscription.id, group), name)
    if cluster is None:
        raise resource_not_found(CLUSTER_TYPE, name, resource_group)
    return cluster


async def get_cluster(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    return Reply(body=cluster_json(_cluster(ctx, subscription_id, resource_group, name, _READ)))


async def databases_by_cluster(ctx: Ctx, subscription_id: str, resource_group: str,
                               name: str) -> Reply:
    cluster = _cluster(ctx, subscription_id, resource_group, name, _DATABASE_READ)
    return Reply(body=ctx.page([cluster], database_json))


def _database(ctx: Ctx, subscription_id: str, resource_group: str, name: str, database: str,
              action: str) -> RedisEnterprise:
    cluster = _cluster(ctx, subscription_id, resource_group, name, action)
    if database.lower() != DATABASE_NAME:
        raise resource_not_found(DATABASE_TYPE, f"{name}/{database}", resource_group)
    return cluster


async def get_database(ctx: Ctx, subscription_id: str, resource_group: str, name: str,
                       database: str) -> Reply:
    return Reply(body=database_json(_database(ctx, subscription_id, resource_group, name,
                                              database, _DATABASE_READ)))


async def list_keys(ctx: Ctx, subscription_id: str, resource_group: str, name: str,
                    database: str) -> Reply:
    """``AccessKeys``: the database's primary and secondary key."""
    cluster = _database(ctx, subscription_id, resource_group, name, database, _LIST_KEYS)
    return Reply(body={"primaryKey": cluster.keys[0], "secondaryKey": cluster.keys[1]})


ROUTES: list[Route] = [
    ("GET", _SUB + _CLUSTERS, clusters_by_subscription),
    ("GET", _GROUP + _CLUSTERS, clusters_by_group),
    ("GET", _GROUP + _CLUSTERS + "/{name}", get_cluster),
    ("GET", _GROUP + _CLUSTERS + "/{name}/databases", databases_by_cluster),
    ("GET", _GROUP + _CLUSTERS + "/{name}/databases/{database}", get_database),
    ("POST", _GROUP + _CLUSTERS + "/{name}/databases/{database}/listKeys", list_keys),
]
