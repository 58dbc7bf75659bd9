"""Discovery against the ARM + Resource Graph emulator, through the session's pipeline: tenants,
subscriptions, one Resource Graph query per tenant (paged), the ARM-list fallback, a
subscription that may not be read, a tenant that wants its own sign-in, read-only mode."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.opener import open_azure
from vaultbrowser.azure.services.records import KEY_VAULT_TYPE, STORAGE_TYPE
from vaultbrowser.azure.services.resource_graph import GRAPH_PAGE
from vaultbrowser.azure.services.tenants import TenantSignInRequired
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import (
    AccessDenied,
    InvalidInput,
    NotFound,
    ReadOnlyRefused,
)
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    FABRIKAM_SUBSCRIPTION_ID,
    FABRIKAM_TENANT_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    demo_world,
    generated_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread

T = TypeVar("T")
VAULT_URI = "https://127.0.0.1:8443/"
BLOB_ENDPOINT = "http://127.0.0.1:10000/devstoreaccount1/"
KEY = "ZGV2c3RvcmVhY2NvdW50MS1rZXktMQ=="


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT, account_key=KEY)
    with run_arm_emulator_in_thread(world, data_dir=tmp_path_factory.mktemp("arm")) as running:
        yield running


def sign_in(emulator: ArmEmulator, *, read_only: bool = False) -> Connection:
    return Connection(AZURE, emulator.base_url, AuthMethod.LOCAL_EMULATOR, read_only=read_only,
                      tenant_id=CONTOSO_TENANT_ID, ca_path=str(emulator.ca_file))


def discover(emulator: ArmEmulator, use: Callable[[AzureDiscovery], Awaitable[T]], *,
             read_only: bool = False) -> tuple[T, ServiceSession]:
    """Run ``use`` with a fresh discovery of the demo sign-in; the session is closed after."""

    async def main() -> tuple[T, ServiceSession]:
        session = ServiceSession()
        try:
            return await use(open_azure(session, sign_in(emulator, read_only=read_only))), session
        finally:
            await session.aclose()

    return asyncio.run(main())


def test_tenants_home_first_then_subscriptions_by_name(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        tenants = await discovery.tenants()
        subscriptions = await discovery.subscriptions(CONTOSO_TENANT_ID)
        return tenants, subscriptions

    (tenants, subscriptions), session = discover(emulator, use)
    assert [(t.name, t.home) for t in tenants.items] == [("Contoso Demo", True),
                                                         ("Fabrikam Partner", False)]
    assert [s.name for s in subscriptions.items] == [
        "Contoso Development", "Contoso Production", "Contoso Restricted"]
    assert tenants.response is not None and tenants.response.status == 200
    assert tenants.response.request_id  # the detail pane shows it
    urls = [record.url for record in session.journal.records()]
    assert any("/tenants" in url for url in urls) and any("/subscriptions" in url for url in urls)


def test_one_resource_graph_query_per_tenant_finds_every_subscription(
        emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        production = await discovery.resources(CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID)
        development = await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)
        return production, development

    before = len(emulator.requests)
    (production, development), _session = discover(emulator, use)
    graph_calls = [r for r in emulator.requests[before:] if "ResourceGraph" in r.path]
    assert len(graph_calls) == 1  # the second subscription came from the same answer
    assert [(r.name, r.type) for r in production.items] == [
        ("demo-vault", KEY_VAULT_TYPE), ("devstoreaccount1", STORAGE_TYPE)]
    vault, account = production.items
    assert vault.endpoint == VAULT_URI and vault.facts.rbac is True
    assert vault.facts.purge_protection is True and vault.facts.firewall_default == "Deny"
    assert account.endpoint == BLOB_ENDPOINT and account.facts.minimum_tls == "TLS1_2"
    legacy = next(r for r in development.items if r.name == "kv-dev-legacy")
    assert "uses access policies" in "; ".join(legacy.facts.warnings())
    lake = next(r for r in development.items if r.name == "stdevdatalake")
    assert lake.facts.shared_key_access is False and lake.facts.hierarchical_namespace is True


def test_a_subscription_that_may_not_be_read_says_so(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        return await discovery.resources(CONTOSO_TENANT_ID, RESTRICTED_SUBSCRIPTION_ID)

    with pytest.raises(AccessDenied) as caught:
        discover(emulator, use)
    assert caught.value.status == 403 and caught.value.error_code == "AuthorizationFailed"


def test_a_tenant_that_wants_its_own_sign_in(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        with pytest.raises(TenantSignInRequired) as caught:
            await discovery.subscriptions(FABRIKAM_TENANT_ID)
        assert caught.value.tenant_id == FABRIKAM_TENANT_ID
        await discovery.sign_in(FABRIKAM_TENANT_ID)
        subscriptions = await discovery.subscriptions(FABRIKAM_TENANT_ID)
        resources = await discovery.resources(FABRIKAM_TENANT_ID, FABRIKAM_SUBSCRIPTION_ID)
        return subscriptions, resources

    (subscriptions, resources), _session = discover(emulator, use)
    assert [s.name for s in subscriptions.items] == ["Fabrikam Shared"]
    assert [r.name for r in resources.items] == ["kv-fabrikam-shared"]


def test_resource_graph_refused_falls_back_to_the_arm_lists(emulator: ArmEmulator) -> None:
    world = emulator.world
    contoso = next(t for t in world.tenants if t.id == CONTOSO_TENANT_ID)
    contoso.resource_graph_allowed = False
    try:
        async def use(discovery: AzureDiscovery) -> Any:
            return await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)

        before = len(emulator.requests)
        development, _session = discover(emulator, use)
    finally:
        contoso.resource_graph_allowed = True
    paths = [r.path for r in emulator.requests[before:]]
    assert any("ResourceGraph" in p for p in paths)  # asked, refused (403)
    assert any(p.endswith("/providers/Microsoft.KeyVault/vaults") for p in paths)
    assert any(p.endswith("/providers/Microsoft.Storage/storageAccounts") for p in paths)
    assert sorted(r.name for r in development.items) == [
        "kv-dev-legacy", "kv-dev-open", "stdevdatalake", "stdevlegacy01"]


def test_read_only_lets_the_query_through_and_refuses_account_keys(
        emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        production = await discovery.resources(CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID)
        account = next(r for r in production.items if r.type == STORAGE_TYPE)
        with pytest.raises(ReadOnlyRefused):
            await discovery.account_key(account)
        return production

    production, session = discover(emulator, use, read_only=True)
    assert len(production.items) == 2
    records = session.journal.records()
    assert any(r.method == "POST" and "ResourceGraph" in r.url and not r.refused
               for r in records)
    assert any(r.refused and "listKeys" in r.url for r in records)


def test_an_account_key_through_resource_manager(emulator: ArmEmulator) -> None:
    async def use(discovery: AzureDiscovery) -> Any:
        production = await discovery.resources(CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID)
        development = await discovery.resources(CONTOSO_TENANT_ID, DEVELOPMENT_SUBSCRIPTION_ID)
        account = next(r for r in production.items if r.type == STORAGE_TYPE)
        lake = next(r for r in development.items if r.name == "stdevdatalake")
        with pytest.raises(InvalidInput, match="does not allow shared-key access"):
            await discovery.account_key(lake)
        return await discovery.account_key(account)

    key, _session = discover(emulator, use)
    assert key.value.reveal() == KEY and KEY not in repr(key)


def test_a_resource_by_its_id(emulator: ArmEmulator) -> None:
    vault_id = ArmResourceId.parse(
        f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-secrets/providers/"
        "Microsoft.KeyVault/vaults/demo-vault")

    async def use(discovery: AzureDiscovery) -> Any:
        found = await discovery.resource(vault_id, CONTOSO_TENANT_ID)
        with pytest.raises(NotFound):
            await discovery.resource(dataclasses.replace(vault_id, name="no-such-vault"),
                                     CONTOSO_TENANT_ID)
        return found

    found, _session = discover(emulator, use)
    assert found.value.endpoint == VAULT_URI and found.response is not None


def test_resource_graph_pages_with_its_skip_token(tmp_path: Any) -> None:
    world = generated_world(1, 3, 2500, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    home = world.tenants[0].id
    with run_arm_emulator_in_thread(world, data_dir=tmp_path) as emulator:
        async def main() -> Any:
            session = ServiceSession()
            try:
                connection = dataclasses.replace(sign_in(emulator), tenant_id=home)
                discovery = open_azure(session, connection)
                subscriptions = await discovery.subscriptions(home)
                return [await discovery.resources(home, s.subscription_id)
                        for s in subscriptions.items]
            finally:
                await session.aclose()

        pages = asyncio.run(main())
        graph = [r for r in emulator.requests if "ResourceGraph" in r.path]
    assert sum(len(page.items) for page in pages) == 2500
    assert len(graph) == math.ceil(2500 / GRAPH_PAGE)  # the pages of one query
