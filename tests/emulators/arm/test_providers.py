"""Key vaults and storage accounts through KeyVaultManagementClient and
StorageManagementClient (sync and .aio)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.keyvault.aio import KeyVaultManagementClient as AsyncKeyVaultManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.storage.aio import StorageManagementClient as AsyncStorageManagementClient

from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEMO_UPN,
    DEVELOPMENT_SUBSCRIPTION_ID,
    FABRIKAM_SUBSCRIPTION_ID,
    FABRIKAM_TENANT_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    account_key,
    generated_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import EmulatorArmSyncCredential, object_id_of

from .helpers import ACCOUNT_KEY, BLOB_ENDPOINT, VAULT_URI, kw

PROD, DEV = PRODUCTION_SUBSCRIPTION_ID, DEVELOPMENT_SUBSCRIPTION_ID


def _vaults(emu: ArmEmulator, subscription: str = PROD) -> KeyVaultManagementClient:
    return KeyVaultManagementClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), subscription,
                                    **kw(emu))


def _storage(emu: ArmEmulator, subscription: str = PROD) -> StorageManagementClient:
    return StorageManagementClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), subscription,
                                   **kw(emu))


def test_vault_get_and_lists(emu: ArmEmulator) -> None:
    client = _vaults(emu)
    vault = client.vaults.get("rg-prod-secrets", "demo-vault")
    assert vault.id == (f"/subscriptions/{PROD}/resourceGroups/rg-prod-secrets/providers/"
                        "Microsoft.KeyVault/vaults/demo-vault")
    assert (vault.name, vault.type, vault.location) == (
        "demo-vault", "Microsoft.KeyVault/vaults", "westeurope")
    props = vault.properties
    assert props.vault_uri == VAULT_URI and props.tenant_id == CONTOSO_TENANT_ID
    assert props.enable_rbac_authorization and props.enable_purge_protection
    assert props.enable_soft_delete and props.soft_delete_retention_in_days == 90
    assert (props.sku.family, props.sku.name) == ("A", "standard")
    assert props.public_network_access == "Enabled"
    assert props.network_acls.default_action == "Deny"
    assert client.vaults.get("RG-PROD-SECRETS", "Demo-Vault").name == "demo-vault"
    assert [v.name for v in client.vaults.list_by_subscription()] == ["demo-vault"]
    dev = _vaults(emu, DEV)
    assert sorted(v.name for v in dev.vaults.list_by_subscription()) == [
        "kv-dev-legacy", "kv-dev-open"]
    assert [v.name for v in dev.vaults.list_by_resource_group("rg-dev")] == ["kv-dev-legacy"]
    legacy = dev.vaults.get("rg-dev", "kv-dev-legacy").properties
    assert legacy.enable_purge_protection is None and not legacy.enable_rbac_authorization
    assert legacy.access_policies[0].permissions.secrets == ["get", "list", "set", "delete"]
    assert sorted(r.name for r in dev.vaults.list()) == ["kv-dev-legacy", "kv-dev-open"]
    assert [v.name for v in dev.vaults.list_by_resource_group("rg-dev-shared")] == [
        "kv-dev-open"]


def test_vault_not_found_errors(emu: ArmEmulator) -> None:
    client = _vaults(emu)
    with pytest.raises(ResourceNotFoundError) as caught:
        client.vaults.get("rg-prod-secrets", "no-such-vault")
    assert caught.value.error.code == "ResourceNotFound"
    assert ("The Resource 'Microsoft.KeyVault/vaults/no-such-vault' under resource group "
            "'rg-prod-secrets' was not found.") in caught.value.error.message
    with pytest.raises(ResourceNotFoundError) as caught:
        client.vaults.get("rg-nope", "demo-vault")
    assert caught.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as caught:
        list(client.vaults.list_by_resource_group("rg-nope"))
    assert caught.value.error.code == "ResourceGroupNotFound"
    empty = list(client.vaults.list_by_resource_group("rg-prod-network"))  # exists, no vaults
    assert empty == []
    with pytest.raises(ResourceNotFoundError) as caught:
        list(_vaults(emu, "00000000-0000-4000-8000-00000000dead").vaults.list_by_subscription())
    assert caught.value.error.code == "SubscriptionNotFound"


def test_unreadable_and_foreign_subscriptions(emu: ArmEmulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        list(_vaults(emu, RESTRICTED_SUBSCRIPTION_ID).vaults.list_by_subscription())
    assert caught.value.status_code == 403 and caught.value.error.code == "AuthorizationFailed"
    assert caught.value.error.message == (
        "The client 'demo.user@contoso-demo.com' with object id '"
        f"{object_id_of(CONTOSO_TENANT_ID, DEMO_UPN)}' does not have "
        "authorization to perform action 'Microsoft.KeyVault/vaults/read' over scope "
        f"'/subscriptions/{RESTRICTED_SUBSCRIPTION_ID}' or the scope is invalid. If access was "
        "recently granted, please refresh your credentials.")
    with pytest.raises(HttpResponseError) as caught:
        list(_storage(emu, RESTRICTED_SUBSCRIPTION_ID).storage_accounts.list())
    assert "Microsoft.Storage/storageAccounts/read" in caught.value.error.message
    with pytest.raises(ClientAuthenticationError) as caught:
        list(_vaults(emu, FABRIKAM_SUBSCRIPTION_ID).vaults.list_by_subscription())
    assert caught.value.error.code == "InvalidAuthenticationTokenTenant"
    assert FABRIKAM_TENANT_ID in caught.value.response.headers["WWW-Authenticate"]


def test_storage_list_keys_and_properties(emu: ArmEmulator) -> None:
    client = _storage(emu)
    accounts = list(client.storage_accounts.list())
    assert [a.name for a in accounts] == ["devstoreaccount1"]
    account = client.storage_accounts.get_properties("rg-prod-data", "devstoreaccount1")
    assert (account.kind, account.sku.name, account.sku.tier) == (
        "StorageV2", "Standard_LRS", "Standard")
    assert account.primary_endpoints.blob == BLOB_ENDPOINT
    assert account.allow_shared_key_access is True and account.allow_blob_public_access is True
    assert account.minimum_tls_version == "TLS1_2" and account.is_hns_enabled is False
    assert account.network_rule_set.default_action == "Allow"
    assert account.provisioning_state == "Succeeded" and account.creation_time.year == 2024
    keys = client.storage_accounts.list_keys("rg-prod-data", "devstoreaccount1").keys_property
    assert [(k.key_name, k.permissions) for k in keys] == [("key1", "FULL"), ("key2", "FULL")]
    assert keys[0].value == ACCOUNT_KEY and keys[1].value == account_key("devstoreaccount1", 2)
    dev = _storage(emu, DEV)
    assert [a.name for a in dev.storage_accounts.list_by_resource_group("rg-dev-shared")] == [
        "stdevdatalake"]
    lake = dev.storage_accounts.get_properties("rg-dev-shared", "stdevdatalake")
    assert lake.allow_shared_key_access is False and lake.public_network_access == "Disabled"
    assert dev.storage_accounts.list_keys("rg-dev-shared", "stdevdatalake").keys_property
    legacy = dev.storage_accounts.get_properties("rg-dev", "stdevlegacy01")
    assert legacy.minimum_tls_version == "TLS1_0"
    with pytest.raises(ResourceNotFoundError) as caught:
        dev.storage_accounts.get_properties("rg-dev", "nosuchaccount")
    assert caught.value.error.code == "ResourceNotFound"


def test_aio_clients(emu: ArmEmulator) -> None:
    async def scenario() -> tuple[list[str], list[str], str]:
        credential = emu.credential(CONTOSO_TENANT_ID)
        async with credential, \
                AsyncKeyVaultManagementClient(credential, DEV, **kw(emu)) as vaults, \
                AsyncStorageManagementClient(credential, PROD, **kw(emu)) as storage:
            names = sorted([v.name async for v in vaults.vaults.list_by_subscription()])
            accounts = [a.name async for a in storage.storage_accounts.list()]
            keys = await storage.storage_accounts.list_keys("rg-prod-data", "devstoreaccount1")
            return names, accounts, keys.keys_property[0].value

    assert asyncio.run(scenario()) == (["kv-dev-legacy", "kv-dev-open"], ["devstoreaccount1"],
                                       ACCOUNT_KEY)


@pytest.fixture(scope="module")
def crowded(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    """One subscription with 130 vaults and 130 storage accounts."""
    world = generated_world(1, 1, 260, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    with run_arm_emulator_in_thread(world, data_dir=arm_tls_dir) as emulator:
        yield emulator


def test_paging_with_next_links(crowded: ArmEmulator) -> None:
    subscription = crowded.world.subscriptions[0].id
    credential = crowded.sync_credential()
    vaults = KeyVaultManagementClient(credential, subscription, **kw(crowded))
    pages = [len(list(page)) for page in vaults.vaults.list_by_subscription(top=40).by_page()]
    assert pages == [40, 40, 40, 10]
    calls = [e for e in crowded.requests if e.path.endswith("/Microsoft.KeyVault/vaults")]
    assert all(e.query.get("$top") == "40" for e in calls) and len(calls) == 4
    assert len(list(vaults.vaults.list_by_subscription())) == 130
    assert len(list(vaults.vaults.list(top=25))) == 130
    storage = StorageManagementClient(credential, subscription, **kw(crowded))
    assert [len(list(p)) for p in storage.storage_accounts.list().by_page()] == [50, 50, 30]
    assert len(list(storage.storage_accounts.list_by_resource_group("rg-gen-1"))) in (43, 44)
