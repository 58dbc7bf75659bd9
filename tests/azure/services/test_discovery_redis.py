"""Azure Managed Redis in discovery, against the ARM + Resource Graph emulator: a cluster is one
node with its database's properties joined (Resource Graph, and the ARM lists when Resource
Graph is refused) and looked up by id."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.opener import open_azure
from vaultbrowser.azure.services.records import REDIS_TYPE, AzureResource
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import NotFound
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    demo_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.world import RedisEnterprise

T = TypeVar("T")
HOST = "redis-prod-sessions.westeurope.redis.azure.net"
PLAIN_HOST = "redis-dev-plain.westeurope.redis.azure.net"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri="https://127.0.0.1:8443/",
                       blob_endpoint="http://127.0.0.1:10000/devstoreaccount1/",
                       account_key="ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ==", redis_host=HOST)
    world.redis_clusters.append(RedisEnterprise(
        "redis-dev-plain", DEVELOPMENT_SUBSCRIPTION_ID, "rg-dev", "northeurope", PLAIN_HOST,
        client_protocol="Plaintext", minimum_tls_version="1.0"))
    with run_arm_emulator_in_thread(world, data_dir=tmp_path_factory.mktemp("arm")) as running:
        yield running


def discover(emulator: ArmEmulator, use: Callable[[AzureDiscovery], Awaitable[T]]) -> T:
    async def main() -> T:
        session = ServiceSession()
        connection = Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR,
                                tenant_id=CONTOSO_TENANT_ID, ca_path=str(emulator.ca_file))
        try:
            return await use(open_azure(session, connection))
        finally:
            await session.aclose()

    return asyncio.run(main())


def redis_of(resources: Any) -> dict[str, AzureResource]:
    return {r.name: r for r in resources if r.type == REDIS_TYPE}


def check_clusters(found: dict[str, AzureResource]) -> None:
    prod_dev = found["redis-dev-cache"], found["redis-dev-plain"]
    cache, plain = prod_dev
    assert cache.endpoint == f"rediss://{HOST}:10000"
    assert dict(cache.properties) == {
        "hostName": HOST, "highAvailability": "Disabled", "provisioningState": "Succeeded",
        "resourceState": "Running", "clientProtocol": "Encrypted", "port": "10000",
        "clusteringPolicy": "EnterpriseCluster", "accessKeysAuthentication": "Enabled",
        "evictionPolicy": "NoEviction"}
    assert cache.facts.minimum_tls == "1.2" and cache.tags == (("env", "dev"),)
    assert plain.endpoint == f"redis://{PLAIN_HOST}:10000"  # a non-TLS database
    assert dict(plain.properties)["clientProtocol"] == "Plaintext"
    assert plain.facts.minimum_tls == "1.0" and plain.location == "northeurope"


def test_resource_graph_finds_clusters_with_their_databases(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        return (await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID),
                await discovery.resources(CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID))

    before = len(emulator.requests)
    development, production = discover(emulator, use)
    paths = [r.path for r in emulator.requests[before:]]
    assert not any("Microsoft.Cache" in p for p in paths)  # one query answered it all
    names = [r.name for r in development.items]
    assert names == sorted(names, key=str.lower) and "redis-dev-cache/default" not in names
    check_clusters(redis_of(development.items))
    prod = redis_of(production.items)["redis-prod-sessions"]
    assert dict(prod.properties)["accessKeysAuthentication"] == "Disabled"
    assert dict(prod.properties)["clusteringPolicy"] == "OSSCluster"


def test_the_arm_lists_find_them_when_resource_graph_is_refused(emulator: ArmEmulator) -> None:
    contoso = next(t for t in emulator.world.tenants if t.id == CONTOSO_TENANT_ID)
    contoso.resource_graph_allowed = False
    try:
        async def use(discovery: AzureDiscovery) -> Any:
            return await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)

        before = len(emulator.requests)
        development = discover(emulator, use)
    finally:
        contoso.resource_graph_allowed = True
    paths = [r.path for r in emulator.requests[before:]]
    assert any(p.endswith("/providers/Microsoft.Cache/redisEnterprise") for p in paths)
    assert any(p.endswith("/redisEnterprise/redis-dev-cache/databases") for p in paths)
    check_clusters(redis_of(development.items))
    assert development.response is not None


def test_a_cluster_by_its_id(emulator: ArmEmulator) -> None:
    cluster = ArmResourceId.parse(
        f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-data/providers/"
        "Microsoft.Cache/redisEnterprise/redis-prod-sessions")

    async def use(discovery: AzureDiscovery) -> Any:
        found = await discovery.resource(cluster, CONTOSO_TENANT_ID)
        with pytest.raises(NotFound):
            await discovery.resource(ArmResourceId.parse(str(cluster) + "x"), CONTOSO_TENANT_ID)
        return found

    found = discover(emulator, use)
    assert found.value.endpoint == f"rediss://{HOST}:10000" and found.response is not None
    assert dict(found.value.properties)["clusteringPolicy"] == "OSSCluster"



def test_the_demo_estate_holds_the_redis_demo(tmp_path: Any) -> None:
    from vaultbrowser.azure.services.demo import AzureDemo

    async def main() -> Any:
        demo = AzureDemo(tmp_path)
        redis = Connection("redis", "redis://127.0.0.1:6390", AuthMethod.LOCAL_EMULATOR)
        sign_in = await demo.start({REDIS_TYPE: redis})
        session = ServiceSession()
        try:
            discovery = open_azure(session, sign_in)
            return await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)
        finally:
            await session.aclose()
            await demo.stop()

    cache = redis_of(asyncio.run(main()).items)["redis-dev-cache"]
    assert cache.endpoint == "redis://127.0.0.1:6390"  # the local server speaks no TLS
    assert dict(cache.properties)["clientProtocol"] == "Plaintext"


def test_an_access_key_through_resource_manager(emulator: ArmEmulator) -> None:
    from vaultbrowser.core.services.errors import InvalidInput, ReadOnlyRefused
    from vaultbrowser.emulators.arm.seed import account_key

    async def use(discovery: AzureDiscovery) -> Any:
        development = redis_of((await discovery.resources(
            CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)).items)
        production = redis_of((await discovery.resources(
            CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID)).items)
        with pytest.raises(InvalidInput, match="does not accept access keys"):
            await discovery.account_key(production["redis-prod-sessions"])  # Entra ID only
        return await discovery.account_key(development["redis-dev-cache"])

    key = discover(emulator, use)
    assert key.value.reveal() == account_key("redis-dev-cache", 1)
    assert key.value.reveal() not in repr(key) and key.response is not None

    async def read_only(discovery: AzureDiscovery) -> Any:
        development = redis_of((await discovery.resources(
            CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)).items)
        with pytest.raises(ReadOnlyRefused):
            await discovery.account_key(development["redis-dev-cache"])

    async def main() -> None:
        session = ServiceSession()
        connection = Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR,
                                tenant_id=CONTOSO_TENANT_ID, ca_path=str(emulator.ca_file),
                                read_only=True)
        try:
            await read_only(open_azure(session, connection))
        finally:
            await session.aclose()

    asyncio.run(main())
