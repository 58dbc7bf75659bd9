"""Cosmos DB accounts (Microsoft.DocumentDB/databaseAccounts) in the ARM emulator: the
provider's GETs and key listings on the wire (api-version 2025-10-15's shapes), Resource
Graph's rows, access checks, and the world's JSON round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

from vaultbrowser.emulators.arm.seed import (
    DEVELOPMENT_SUBSCRIPTION_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    cosmos_keys,
    demo_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import EmulatorArmSyncCredential
from vaultbrowser.emulators.arm.world import CosmosAccount, World

from .helpers import ACCOUNT_KEY, BLOB_ENDPOINT, VAULT_URI, Raw, kw

API = "2025-10-15"
ENDPOINT = "https://cosmos-prod-orders.documents.azure.com:443/"
PROD_RG = f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-data"
ACCOUNTS = "/providers/Microsoft.DocumentDB/databaseAccounts"
ACCOUNT = f"{PROD_RG}{ACCOUNTS}/cosmos-prod-orders"


def cosmos_world() -> World:
    world = demo_world(vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT,
                       account_key=ACCOUNT_KEY, cosmos_endpoint=ENDPOINT)
    world.cosmos_accounts.append(CosmosAccount(
        "cosmos-restricted", RESTRICTED_SUBSCRIPTION_ID, "rg-restricted-audit", "westeurope",
        "https://cosmos-restricted.documents.azure.com:443/"))
    return world


@pytest.fixture(scope="module")
def cosmos(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    with run_arm_emulator_in_thread(cosmos_world(), data_dir=arm_tls_dir) as emulator:
        yield emulator


def test_an_account_on_the_wire(cosmos: ArmEmulator) -> None:
    body = Raw(cosmos)("GET", ACCOUNT, api_version=API).json()
    assert body["id"] == ACCOUNT and body["type"] == "Microsoft.DocumentDB/databaseAccounts"
    assert (body["kind"], body["location"]) == ("GlobalDocumentDB", "West Europe")
    properties = body["properties"]
    assert properties["documentEndpoint"] == ENDPOINT
    assert (properties["publicNetworkAccess"], properties["disableLocalAuth"]) == (
        "Enabled", True)
    assert properties["consistencyPolicy"]["defaultConsistencyLevel"] == "Session"
    assert properties["provisioningState"] == "Succeeded"
    assert properties["ipRules"] == [{"ipAddressOrRange": "203.0.113.0/24"}]
    assert properties["enableAutomaticFailover"] is True and properties["capabilities"] == []
    assert [(loc["locationName"], loc["failoverPriority"], loc["documentEndpoint"])
            for loc in properties["locations"]] == [
        ("West Europe", 0, "https://cosmos-prod-orders-westeurope.documents.azure.com:443/"),
        ("North Europe", 1, "https://cosmos-prod-orders-northeurope.documents.azure.com:443/")]
    assert properties["readLocations"] == properties["locations"]
    assert properties["writeLocations"] == properties["locations"][:1]  # one write region


def test_lists_keys_and_not_found(cosmos: ArmEmulator) -> None:
    raw = Raw(cosmos)
    dev = raw("GET", f"/subscriptions/{DEVELOPMENT_SUBSCRIPTION_ID}{ACCOUNTS}",
              api_version=API).json()
    assert "nextLink" not in dev  # not paged, as the spec says
    assert [a["name"] for a in dev["value"]] == ["cosmos-dev-catalog"]
    assert dev["value"][0]["properties"]["capabilities"] == [{"name": "EnableServerless"}]
    group = raw("GET", f"{PROD_RG}{ACCOUNTS}", api_version=API).json()["value"]
    assert [a["name"] for a in group] == ["cosmos-prod-orders"]
    # listKeys answers even with local auth disabled, as Azure does
    keys = raw("POST", ACCOUNT + "/listKeys", api_version=API).json()
    assert keys == dict(zip(("primaryMasterKey", "secondaryMasterKey",
                             "primaryReadonlyMasterKey", "secondaryReadonlyMasterKey"),
                            cosmos_keys("cosmos-prod-orders"), strict=True))
    read_only = raw("POST", ACCOUNT + "/readonlykeys", api_version=API).json()
    assert set(read_only) == {"primaryReadonlyMasterKey", "secondaryReadonlyMasterKey"}
    assert raw("GET", ACCOUNT + "/listKeys", api_version=API).status_code == 405
    missing = raw("GET", f"{PROD_RG}{ACCOUNTS}/nope", api_version=API)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ResourceNotFound")
    restricted = raw("GET", f"/subscriptions/{RESTRICTED_SUBSCRIPTION_ID}{ACCOUNTS}",
                     api_version=API)
    assert restricted.status_code == 403


def test_resource_graph_rows(cosmos: ArmEmulator) -> None:
    client = ResourceGraphClient(EmulatorArmSyncCredential(cosmos.world.home_tenant_id),
                                 **kw(cosmos))
    answer = client.resources(QueryRequest(query=(
        "resources | where type =~ 'microsoft.documentdb/databaseaccounts'"
        " | project id, name, type, location, properties")))
    rows = {row["name"]: row for row in answer.data}
    assert set(rows) == {"cosmos-prod-orders", "cosmos-dev-catalog"}  # not the restricted one
    prod = rows["cosmos-prod-orders"]
    assert (prod["type"], prod["location"]) == ("microsoft.documentdb/databaseaccounts",
                                                "westeurope")
    assert prod["properties"]["disableLocalAuth"] is True


def test_world_json_round_trip() -> None:
    world = cosmos_world()
    again = World.from_json(world.to_json())
    assert again.cosmos_accounts == world.cosmos_accounts
    assert again.resource_group(PRODUCTION_SUBSCRIPTION_ID, "RG-PROD-DATA") == "rg-prod-data"
