"""Cosmos DB accounts in discovery, against the ARM + Resource Graph emulator: found by Resource
Graph and by the ARM list when it is refused, looked up by id, ARM's view kept (public network
access, local auth, consistency, regions), the account key listed through Resource Manager
(refused in read-only mode and for an account with local auth disabled)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.opener import open_azure
from vaultbrowser.azure.services.records import COSMOS_TYPE, AzureResource
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, NotFound, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    cosmos_keys,
    demo_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread

T = TypeVar("T")
ENDPOINT = "https://cosmos-demo.documents.azure.com:443/"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri="https://127.0.0.1:8443/",
                       blob_endpoint="http://127.0.0.1:10000/devstoreaccount1/",
                       account_key="ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ==",
                       cosmos_endpoint=ENDPOINT)
    with run_arm_emulator_in_thread(world, data_dir=tmp_path_factory.mktemp("arm")) as running:
        yield running


def discover(emulator: ArmEmulator, use: Callable[[AzureDiscovery], Awaitable[T]], *,
             read_only: bool = False) -> T:
    async def main() -> T:
        session = ServiceSession()
        connection = Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR,
                                tenant_id=CONTOSO_TENANT_ID, ca_path=str(emulator.ca_file),
                                read_only=read_only)
        try:
            return await use(open_azure(session, connection))
        finally:
            await session.aclose()

    return asyncio.run(main())


def cosmos_of(resources: Any) -> dict[str, AzureResource]:
    return {r.name: r for r in resources if r.type == COSMOS_TYPE}


async def both(discovery: AzureDiscovery) -> dict[str, AzureResource]:
    found: dict[str, AzureResource] = {}
    for subscription in (DEVELOPMENT_SUBSCRIPTION_ID, PRODUCTION_SUBSCRIPTION_ID):
        found.update(cosmos_of((await discovery.resources(CONTOSO_TENANT_ID,
                                                          subscription)).items))
    return found


def check_accounts(found: dict[str, AzureResource]) -> None:
    prod, dev = found["cosmos-prod-orders"], found["cosmos-dev-catalog"]
    assert prod.endpoint == dev.endpoint == ENDPOINT
    assert dict(prod.properties) == {
        "publicNetworkAccess": "Enabled", "disableLocalAuth": "true",
        "provisioningState": "Succeeded", "enableAutomaticFailover": "true",
        "defaultConsistencyLevel": "Session", "writeLocations": "West Europe",
        "readLocations": "West Europe, North Europe", "ipRules": "203.0.113.0/24"}
    assert (prod.facts.public_network, prod.facts.local_auth) == ("Enabled", False)
    assert prod.facts.firewall_default == "Deny"  # IP rules: other addresses are refused
    assert any("local (key) authentication is disabled" in w for w in prod.facts.warnings())
    assert dev.facts.local_auth is True and dev.facts.firewall_default is None
    assert dict(dev.properties)["capabilities"] == "EnableServerless"
    assert dict(dev.properties)["defaultConsistencyLevel"] == "Eventual"
    assert dev.location == "westeurope" and dev.tags == (("env", "dev"),)


def test_resource_graph_finds_the_accounts(emulator: ArmEmulator) -> None:
    before = len(emulator.requests)
    found = discover(emulator, both)
    paths = [r.path for r in emulator.requests[before:]]
    assert not any("Microsoft.DocumentDB" in p for p in paths)  # one query answered it all
    check_accounts(found)


def test_the_arm_list_finds_them_when_resource_graph_is_refused(
        emulator: ArmEmulator) -> None:
    contoso = next(t for t in emulator.world.tenants if t.id == CONTOSO_TENANT_ID)
    contoso.resource_graph_allowed = False
    try:
        before = len(emulator.requests)
        found = discover(emulator, both)
    finally:
        contoso.resource_graph_allowed = True
    listed = [r for r in emulator.requests[before:]
              if r.path.endswith("/providers/Microsoft.DocumentDB/databaseAccounts")]
    assert len(listed) == 2 and {r.query["api-version"] for r in listed} == {"2025-10-15"}
    check_accounts(found)


def test_an_account_by_its_id(emulator: ArmEmulator) -> None:
    account = ArmResourceId.parse(
        f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-data/providers/"
        "Microsoft.DocumentDB/databaseAccounts/cosmos-prod-orders")

    async def use(discovery: AzureDiscovery) -> Any:
        found = await discovery.resource(account, CONTOSO_TENANT_ID)
        with pytest.raises(NotFound):
            await discovery.resource(ArmResourceId.parse(str(account) + "x"), CONTOSO_TENANT_ID)
        return found

    found = discover(emulator, use)
    assert found.value.endpoint == ENDPOINT and found.response is not None
    assert found.value.location == "westeurope"  # ARM's GET says "West Europe"
    assert dict(found.value.properties)["disableLocalAuth"] == "true"


def test_the_account_key_through_resource_manager(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        found = await both(discovery)
        before = len(emulator.requests)
        with pytest.raises(InvalidInput, match="local authentication is disabled"):
            await discovery.account_key(found["cosmos-prod-orders"])  # Entra ID only
        assert len(emulator.requests) == before  # refused before asking ARM
        return await discovery.account_key(found["cosmos-dev-catalog"])

    key = discover(emulator, use)
    assert key.value.reveal() == cosmos_keys("cosmos-dev-catalog")[0]
    assert key.value.reveal() not in repr(key) and key.response is not None
    assert key.value.reveal() not in str(key.response)

    async def read_only(discovery: AzureDiscovery) -> None:
        found = await both(discovery)
        before = len(emulator.requests)
        with pytest.raises(ReadOnlyRefused):
            await discovery.account_key(found["cosmos-dev-catalog"])
        assert not any(r.path.endswith("/listKeys") for r in emulator.requests[before:])

    discover(emulator, read_only, read_only=True)
