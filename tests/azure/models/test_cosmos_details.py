"""The Azure tree's detail pane for a Cosmos DB account: ARM's view (public network access,
local auth, consistency level, regions, IP rules) from the wire form the emulator serves, read
as discovery reads it; each fact once; what stands in the way said before opening."""

from __future__ import annotations

from vaultbrowser.azure.models.details import describe
from vaultbrowser.azure.services.records import COSMOS_TYPE, resource_from_arm
from vaultbrowser.emulators.arm.cosmos_accounts import account_json
from vaultbrowser.emulators.arm.world import CosmosAccount

ENDPOINT = "https://orders.documents.azure.com:443/"
SUBSCRIPTION = "6a5b4c3d-2e1f-4a0b-8c9d-7e6f5a4b3c2d"


def sections(account: CosmosAccount) -> dict[str, dict[str, str]]:
    resource = resource_from_arm(account_json(account), "tenant")
    assert resource is not None and resource.type == COSMOS_TYPE
    details = describe(resource, type_labels={COSMOS_TYPE: "Cosmos DB"})
    assert details.subtitle == "Cosmos DB"
    found = {section.title: dict(section.rows) for section in details.sections}
    arm = next(s for s in details.sections if s.title == "What Resource Manager says")
    labels = [label for label, _value in arm.rows]
    assert len(labels) == len(set(labels))  # public network access: once, from the facts
    return found


def test_the_node_shows_what_resource_manager_says() -> None:
    account = CosmosAccount("orders", SUBSCRIPTION, "rg1", "westeurope", ENDPOINT,
                            locations=["westeurope", "northeurope", "swedencentral"],
                            consistency_level="BoundedStaleness", multiple_write_locations=True)
    found = sections(account)
    arm = found["What Resource Manager says"]
    assert arm["Public network access"] == "Enabled"
    assert arm["Disable local auth"] == "false"
    assert arm["Default consistency level"] == "BoundedStaleness"
    assert arm["Write locations"] == arm["Read locations"] == (
        "West Europe, North Europe, Sweden Central")
    assert found["Resource"]["Endpoint"] == ENDPOINT
    assert found["Resource"]["Location"] == "westeurope"
    assert "Before you open it" not in found


def test_what_stands_in_the_way_is_said_before_opening() -> None:
    account = CosmosAccount("locked", SUBSCRIPTION, "rg1", "westeurope", ENDPOINT,
                            public_network_access="Disabled", disable_local_auth=True,
                            ip_rules=[f"198.51.100.{n}" for n in range(12)])
    found = sections(account)
    warnings = " ".join(found["Before you open it"].values())
    assert "public network access is disabled" in warnings
    assert "local (key) authentication is disabled" in warnings
    assert found["What Resource Manager says"]["Ip rules"].endswith("(+2 more)")
