"""ARM resource ids: parsed strictly, with errors that name the segment at fault."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultbrowser.azure.services.arm_ids import ArmResourceId, looks_like_resource_id
from vaultbrowser.azure.services.records import ResourceFacts, resource_from_arm
from vaultbrowser.core.services.errors import InvalidInput

SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv1"


def test_a_vault_id_and_its_portal_link() -> None:
    parsed = ArmResourceId.parse(VAULT)
    assert (parsed.subscription_id, parsed.resource_group, parsed.name) == (SUB, "rg-prod", "kv1")
    assert parsed.type == "microsoft.keyvault/vaults" and str(parsed) == VAULT
    upper = VAULT.replace("resourceGroups", "RESOURCEGROUPS").replace(SUB, SUB.upper())
    assert ArmResourceId.parse(upper) == parsed  # keywords and GUIDs ignore case
    portal = f"https://portal.azure.com/#@contoso.onmicrosoft.com/resource{VAULT}/overview"
    assert ArmResourceId.parse(portal) == parsed
    assert looks_like_resource_id(portal) and looks_like_resource_id(VAULT)
    assert not looks_like_resource_id("https://kv1.vault.azure.net")


@pytest.mark.parametrize(("text", "words"), [
    (VAULT.replace("resourceGroups", "resourceGroup"), "expected 'resourceGroups'"),
    (VAULT.replace("providers", "provider"), "expected 'providers'"),
    (VAULT.replace(SUB, SUB[:-1]), "is not a subscription id"),
    (VAULT.replace("Microsoft.KeyVault", "MicrosoftKeyVault"), "is not a resource provider"),
    (VAULT.replace("rg-prod", "rg prod."), "not a valid resource group name"),
    (VAULT.rsplit("/", 1)[0], "not a complete Azure resource id"),
    (VAULT + "/secrets/s1", "goes on after the resource's name"),
    ("subscriptions/x", "should start with /subscriptions/"),
    ("https://[bad/", "not a valid URL or resource id"),
])
def test_typos_get_an_error_naming_the_segment(text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ArmResourceId.parse(text)
    assert words in caught.value.message
    assert "/subscriptions/" in (caught.value.advice or "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_an_id_or_invalid_input(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        ArmResourceId.parse(text)


def test_a_resource_graph_row_becomes_a_resource_with_its_facts() -> None:
    row = {"id": VAULT, "tenantId": "t1", "location": "westeurope", "tags": {"env": "prod"},
           "properties": {"vaultUri": "https://kv1.vault.azure.net/",
                          "enableRbacAuthorization": False, "enableSoftDelete": True,
                          "softDeleteRetentionInDays": 90, "publicNetworkAccess": "Enabled",
                          "networkAcls": {"defaultAction": "Deny"}}}
    resource = resource_from_arm(row, "fallback-tenant")
    assert resource is not None and resource.endpoint == "https://kv1.vault.azure.net/"
    assert resource.tenant_id == "t1" and resource.tags == (("env", "prod"),)
    assert resource.facts.rbac is False and resource.facts.soft_delete_days == 90
    assert resource.facts.warnings() == (
        "behind a firewall (default action Deny): your address must be allowed",
        "uses access policies: Azure roles alone grant no access to its data")


@pytest.mark.parametrize("row", [
    {}, {"id": 42}, {"id": "/subscriptions/x"}, {"id": VAULT.replace("vaults", "managedHSMs")},
    {"id": VAULT, "properties": "not an object"},
])
def test_malformed_rows_are_skipped_or_read_safely(row: dict) -> None:
    resource = resource_from_arm(row, "t")
    assert resource is None or resource.facts == ResourceFacts()
