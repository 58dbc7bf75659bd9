"""The Azure sign-in names its own requests in the audit trail: Resource Manager's and Resource
Graph's ("list tenants", "list storage account keys", "list resources (Resource Graph query)");
a path that is neither gets no name (the trail's generic one)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.services.test_discovery import discover, emulator  # noqa: F401 - fixture
from vaultbrowser.azure.services.operation_names import arm_operation_name
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID

ARM = "https://management.azure.com"
SUB = f"{ARM}/subscriptions/0000-1111"
GROUP = f"{SUB}/resourceGroups/rg/providers"


@pytest.mark.parametrize(("method", "url", "operation"), [
    ("GET", f"{ARM}/tenants?api-version=2022-12-01", "list tenants"),
    ("GET", f"{ARM}/subscriptions", "list subscriptions"),
    ("GET", SUB, "get subscription"),
    ("POST", f"{ARM}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01",
     "list resources (Resource Graph query)"),
    ("GET", f"{SUB}/providers/Microsoft.KeyVault/vaults", "list key vaults"),
    ("GET", f"{GROUP}/Microsoft.KeyVault/vaults/v1", "get key vault"),
    ("POST", f"{GROUP}/Microsoft.Storage/storageAccounts/acct/listKeys",
     "list storage account keys"),
    ("POST", f"{GROUP}/Microsoft.DocumentDB/databaseAccounts/c/listKeys",
     "list Cosmos DB account keys"),
    ("POST", f"{GROUP}/Microsoft.Cache/redisEnterprise/r/databases/default/listKeys",
     "list Redis cache keys"),
    ("GET", f"{SUB}/providers/Microsoft.Web/sites", "list sites"),  # any other type: its word
])
def test_resource_manager_requests_are_named(method: str, url: str, operation: str) -> None:
    assert arm_operation_name(method, url, {}) == operation


def test_a_path_that_is_not_resource_manager_s_has_no_name() -> None:
    assert arm_operation_name("GET", f"{ARM}/", {}) is None
    assert arm_operation_name("GET", f"{ARM}/secrets", {}) is None


def test_discovery_s_real_requests_carry_their_names(emulator: Any) -> None:  # noqa: F811
    """Through the sign-in's own transport (``open_azure``), against the ARM emulator: each
    record was named by the Azure kind as it was sent."""
    async def use(discovery: Any) -> None:
        await discovery.tenants()
        await discovery.subscriptions(CONTOSO_TENANT_ID)
        await discovery.resources(CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID)

    _result, session = discover(emulator, use)
    operations = [record.operation for record in session.journal.records()]
    assert {"list tenants", "list subscriptions", "list resources (Resource Graph query)"} <= set(
        operations), operations
    assert None not in operations
