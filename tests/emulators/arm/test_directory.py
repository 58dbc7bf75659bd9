"""Tenants and subscriptions through the real SubscriptionClient (sync and .aio)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.resource.subscriptions.aio import SubscriptionClient as AsyncSubscriptionClient

from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    FABRIKAM_SUBSCRIPTION_ID,
    FABRIKAM_TENANT_ID,
    PRODUCTION_SUBSCRIPTION_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    generated_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import EmulatorArmCredential, EmulatorArmSyncCredential
from vaultbrowser.emulators.arm.world import Tenant

from .helpers import BLOB_ENDPOINT, VAULT_URI, kw


def test_tenants_list_marks_the_home_tenant(emu: ArmEmulator) -> None:
    client = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), **kw(emu))
    tenants = {t.tenant_id: t for t in client.tenants.list()}
    assert set(tenants) == {CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID}
    contoso = tenants[CONTOSO_TENANT_ID]
    assert (contoso.tenant_category, contoso.display_name) == ("Home", "Contoso Demo")
    assert contoso.default_domain == "contoso-demo.com" and contoso.id.startswith("/tenants/")
    assert "contoso-demo.com" in contoso.domains and contoso.tenant_type == "AAD"
    assert tenants[FABRIKAM_TENANT_ID].tenant_category == "ProjectedBy"


def test_tenants_and_subscriptions_aio(emu: ArmEmulator) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        credential = EmulatorArmCredential(FABRIKAM_TENANT_ID, mfa_tenants=[FABRIKAM_TENANT_ID])
        async with credential, AsyncSubscriptionClient(credential, **kw(emu)) as client:
            homes = [t.tenant_id async for t in client.tenants.list()
                     if t.tenant_category == "Home"]
            names = [s.display_name async for s in client.subscriptions.list()]
            return homes, names

    homes, names = asyncio.run(scenario())
    assert homes == [FABRIKAM_TENANT_ID]
    assert names == ["Fabrikam Shared"]


def test_subscriptions_are_per_tenant(emu: ArmEmulator) -> None:
    client = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), **kw(emu))
    subscriptions = {s.subscription_id: s for s in client.subscriptions.list()}
    assert len(subscriptions) == 3 and FABRIKAM_SUBSCRIPTION_ID not in subscriptions
    assert RESTRICTED_SUBSCRIPTION_ID in subscriptions  # listed even though unreadable
    production = subscriptions[PRODUCTION_SUBSCRIPTION_ID]
    assert (production.display_name, production.state, production.tenant_id) == (
        "Contoso Production", "Enabled", CONTOSO_TENANT_ID)
    assert production.authorization_source == "RoleBased"
    assert production.subscription_policies.quota_id
    assert client.subscriptions.get(PRODUCTION_SUBSCRIPTION_ID).display_name == (
        "Contoso Production")
    with pytest.raises(ResourceNotFoundError) as caught:
        client.subscriptions.get(FABRIKAM_SUBSCRIPTION_ID)
    assert caught.value.error.code == "SubscriptionNotFound"
    assert f"The subscription '{FABRIKAM_SUBSCRIPTION_ID}' could not be found." in str(
        caught.value)
    entries = [e for e in emu.requests if e.path == "/subscriptions"]
    assert entries[-1].tenant_id == CONTOSO_TENANT_ID and entries[-1].status == 200


@pytest.fixture(scope="module")
def crowded(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    """One tenant with 120 subscriptions, and 59 more tenants (60 in all)."""
    world = generated_world(1, 120, 10, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    world.tenants += [Tenant(f"00000000-0000-4000-8000-{i:012d}", f"Extra {i:02d}",
                             f"extra{i:02d}.example.com") for i in range(59)]
    with run_arm_emulator_in_thread(world, data_dir=arm_tls_dir) as emulator:
        yield emulator


def test_subscriptions_page_by_fifty(crowded: ArmEmulator) -> None:
    client = SubscriptionClient(crowded.sync_credential(), **kw(crowded))
    pages = [list(page) for page in client.subscriptions.list().by_page()]
    assert [len(page) for page in pages] == [50, 50, 20]
    ids = [s.subscription_id for page in pages for s in page]
    assert ids == [s.id for s in crowded.world.subscriptions]
    calls = [e for e in crowded.requests if e.path == "/subscriptions"]
    assert "$skiptoken" not in calls[0].query and "$skiptoken" in calls[1].query
    assert all(e.query["api-version"] == "2022-12-01" for e in calls)


def test_tenants_page_by_fifty(crowded: ArmEmulator) -> None:
    async def scenario() -> list[list[str]]:
        async with AsyncSubscriptionClient(crowded.credential(), **kw(crowded)) as client:
            return [[t.tenant_id async for t in page]
                    async for page in client.tenants.list().by_page()]

    pages = asyncio.run(scenario())
    assert [len(page) for page in pages] == [50, 10]
    assert len({t for page in pages for t in page}) == 60
