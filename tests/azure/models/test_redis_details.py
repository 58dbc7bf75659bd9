"""The Azure tree's detail pane for an Azure Managed Redis cluster: ARM's view (access keys,
client protocol and port, clustering policy, minimum TLS) from the wire form the emulator
serves, read as discovery reads it."""

from __future__ import annotations

from vaultbrowser.azure.models.details import describe, property_label
from vaultbrowser.azure.services.records import REDIS_TYPE, resource_from_arm
from vaultbrowser.azure.services.redis_resources import with_database
from vaultbrowser.emulators.arm.redis_enterprise import cluster_json, database_json
from vaultbrowser.emulators.arm.world import RedisEnterprise

HOST = "cache1.westeurope.redis.azure.net"
SUBSCRIPTION = "6a5b4c3d-2e1f-4a0b-8c9d-7e6f5a4b3c2d"


def test_the_node_shows_what_resource_manager_says() -> None:
    cluster = RedisEnterprise("cache1", SUBSCRIPTION, "rg1", "westeurope", HOST,
                              access_keys_authentication="Enabled",
                              clustering_policy="EnterpriseCluster")
    resource = resource_from_arm(cluster_json(cluster), "tenant")
    assert resource is not None
    resource = with_database(resource, database_json(cluster))
    details = describe(resource, type_labels={REDIS_TYPE: "Azure Managed Redis"})
    assert details.subtitle == "Azure Managed Redis"
    arm = dict(next(s for s in details.sections if s.title == "What Resource Manager says").rows)
    assert arm["Access keys authentication"] == "Enabled"
    assert arm["Client protocol"] == "Encrypted" and arm["Port"] == "10000"
    assert arm["Clustering policy"] == "EnterpriseCluster"
    assert arm["Minimum TLS version"] == "1.2" and arm["High availability"] == "Enabled"
    rows = dict(next(s for s in details.sections if s.title == "Resource").rows)
    assert rows["Endpoint"] == f"rediss://{HOST}:10000"
    assert not any(s.title == "Before you open it" for s in details.sections)


def test_what_stands_in_the_way_is_said_before_opening() -> None:
    cluster = RedisEnterprise("cache2", SUBSCRIPTION, "rg1", "westeurope", HOST,
                              client_protocol="Plaintext")  # access keys Disabled: the default
    resource = resource_from_arm(cluster_json(cluster), "tenant")
    assert resource is not None
    resource = with_database(resource, database_json(cluster))
    assert (resource.facts.access_keys, resource.facts.encrypted) == (False, False)
    warnings = dict(next(s for s in describe(resource).sections
                         if s.title == "Before you open it").rows)
    assert [text.split(":")[0] for text in warnings.values()] == [
        "access keys are disabled", "its database speaks no TLS (client protocol Plaintext)"]


def test_property_names_read_as_words() -> None:
    assert property_label("accessKeysAuthentication") == "Access keys authentication"
    assert property_label("port") == "Port"
    assert property_label("hostName") == "Host name"
