"""Azure Managed Redis (Microsoft.Cache/redisEnterprise) in the ARM emulator: the provider's
GETs on the wire (api-version 2025-04-01's shapes), Resource Graph's rows for clusters and
their databases, access checks, and the world's JSON round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    account_key,
    demo_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import EmulatorArmSyncCredential
from vaultbrowser.emulators.arm.world import RedisEnterprise, World

from .helpers import ACCOUNT_KEY, BLOB_ENDPOINT, VAULT_URI, Raw, kw

API = "2025-04-01"
HOST = "redis-prod-sessions.westeurope.redis.azure.net"
PROD_RG = f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-data"
CLUSTER = f"{PROD_RG}/providers/Microsoft.Cache/redisEnterprise/redis-prod-sessions"


def redis_world() -> World:
    world = demo_world(vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT,
                       account_key=ACCOUNT_KEY, redis_host=HOST)
    world.redis_clusters.append(RedisEnterprise(
        "redis-restricted", RESTRICTED_SUBSCRIPTION_ID, "rg-restricted-audit", "westeurope",
        "redis-restricted.westeurope.redis.azure.net"))
    return world


@pytest.fixture(scope="module")
def amr(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    with run_arm_emulator_in_thread(redis_world(), data_dir=arm_tls_dir) as emulator:
        yield emulator


def test_a_cluster_and_its_database_on_the_wire(amr: ArmEmulator) -> None:
    raw = Raw(amr)
    cluster = raw("GET", CLUSTER, api_version=API)
    assert cluster.status_code == 200
    body = cluster.json()
    assert body["type"] == "Microsoft.Cache/redisEnterprise" and body["id"] == CLUSTER
    assert body["sku"] == {"name": "Balanced_B5"} and body["kind"] == "v2"
    properties = body["properties"]
    assert properties["hostName"] == HOST
    assert (properties["minimumTlsVersion"], properties["highAvailability"]) == ("1.2", "Enabled")
    assert (properties["provisioningState"], properties["resourceState"]) == (
        "Succeeded", "Running")
    assert properties["redundancyMode"] == "LR" and properties["redisVersion"] == "7"
    databases = raw("GET", CLUSTER + "/databases", api_version=API).json()["value"]
    assert [d["name"] for d in databases] == ["redis-prod-sessions/default"]
    database = raw("GET", CLUSTER + "/databases/default", api_version=API).json()
    assert database == databases[0]
    assert database["type"] == "Microsoft.Cache/redisEnterprise/databases"
    assert {k: database["properties"][k] for k in (
        "clientProtocol", "port", "clusteringPolicy", "accessKeysAuthentication")} == {
        "clientProtocol": "Encrypted", "port": 10000, "clusteringPolicy": "OSSCluster",
        "accessKeysAuthentication": "Disabled"}


def test_lists_by_subscription_and_group_and_not_found(amr: ArmEmulator) -> None:
    raw = Raw(amr)
    dev = raw("GET", f"/subscriptions/{DEVELOPMENT_SUBSCRIPTION_ID}/providers/"
                     "Microsoft.Cache/redisEnterprise", api_version=API).json()["value"]
    assert [c["name"] for c in dev] == ["redis-dev-cache"]
    group = raw("GET", f"{PROD_RG}/providers/Microsoft.Cache/redisEnterprise",
                api_version=API).json()["value"]
    assert [c["name"] for c in group] == ["redis-prod-sessions"]
    missing = raw("GET", f"{PROD_RG}/providers/Microsoft.Cache/redisEnterprise/nope",
                  api_version=API)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    other_db = raw("GET", CLUSTER + "/databases/db2", api_version=API)
    assert other_db.status_code == 404
    refused = raw("GET", f"/subscriptions/{RESTRICTED_SUBSCRIPTION_ID}/providers/"
                         "Microsoft.Cache/redisEnterprise", api_version=API)
    assert refused.status_code == 403
    assert "Microsoft.Cache/redisEnterprise/read" in refused.json()["error"]["message"]


def test_a_databases_access_keys(amr: ArmEmulator) -> None:
    raw = Raw(amr)
    dev = (f"/subscriptions/{DEVELOPMENT_SUBSCRIPTION_ID}/resourceGroups/rg-dev/providers/"
           "Microsoft.Cache/redisEnterprise/redis-dev-cache/databases/default/listKeys")
    keys = raw("POST", dev, api_version=API)
    assert keys.status_code == 200
    assert keys.json() == {"primaryKey": account_key("redis-dev-cache", 1),
                           "secondaryKey": account_key("redis-dev-cache", 2)}
    assert raw("GET", dev, api_version=API).status_code in (404, 405)  # a POST only


def test_resource_graph_rows_for_clusters_and_databases(amr: ArmEmulator) -> None:
    graph = ResourceGraphClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), **kw(amr))
    result = graph.resources(QueryRequest(query=(
        "resources | where type in~ ('microsoft.cache/redisenterprise', "
        "'Microsoft.Cache/redisEnterprise/databases') | order by name asc")))
    rows = {row["name"]: row for row in result.data}
    # the restricted subscription's cluster is not readable: Resource Graph leaves it out
    assert sorted(rows) == ["redis-dev-cache", "redis-dev-cache/default",
                            "redis-prod-sessions", "redis-prod-sessions/default"]
    cluster, database = rows["redis-dev-cache"], rows["redis-dev-cache/default"]
    assert cluster["type"] == "microsoft.cache/redisenterprise"
    assert cluster["tenantId"] == CONTOSO_TENANT_ID and cluster["resourceGroup"] == "rg-dev"
    assert cluster["properties"]["hostName"] == HOST
    assert cluster["properties"]["highAvailability"] == "Disabled"
    assert database["type"] == "microsoft.cache/redisenterprise/databases"
    assert database["id"].lower() == cluster["id"].lower() + "/databases/default"
    assert database["properties"]["accessKeysAuthentication"] == "Enabled"
    assert database["properties"]["clusteringPolicy"] == "EnterpriseCluster"


def test_the_world_round_trips_with_its_clusters() -> None:
    world = redis_world()
    again = World.from_json(world.to_json())
    assert again == world and len(again.redis_clusters) == 3
    assert World.from_dict({"tenants": []}).redis_clusters == []  # older seed files load
