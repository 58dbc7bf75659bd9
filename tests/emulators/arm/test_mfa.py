"""A tenant that requires MFA: 401 AADSTS50076 with a claims challenge until signed in."""

from __future__ import annotations

import asyncio
import base64

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.resource.subscriptions.aio import SubscriptionClient as AsyncSubscriptionClient

from vaultbrowser.emulators.arm.seed import FABRIKAM_SUBSCRIPTION_ID, FABRIKAM_TENANT_ID
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.tokens import MFA_CLAIMS, EmulatorArmSyncCredential

from .helpers import Raw, kw

AADSTS = ("AADSTS50076: Due to a configuration change made by your administrator, or because "
          "you moved to a new location, you must use multi-factor authentication to access")


def test_sync_client_fails_until_sign_in(emu: ArmEmulator) -> None:
    credential = EmulatorArmSyncCredential(FABRIKAM_TENANT_ID)
    client = SubscriptionClient(credential, **kw(emu))
    with pytest.raises(ClientAuthenticationError) as caught:
        list(client.subscriptions.list())
    assert caught.value.status_code == 401
    assert caught.value.error.code == "InvalidAuthenticationToken"
    assert caught.value.error.message.startswith(AADSTS)
    challenge = caught.value.response.headers["WWW-Authenticate"]
    assert f"https://login.microsoftonline.com/{FABRIKAM_TENANT_ID}" in challenge
    assert f'claims="{base64.b64encode(MFA_CLAIMS.encode()).decode()}"' in challenge
    # azure-core answered the challenge by asking the credential once more, with the claims
    assert [r.claims for r in credential.requests] == [None, MFA_CLAIMS]
    credential.sign_in(FABRIKAM_TENANT_ID)
    assert [s.subscription_id for s in client.subscriptions.list()] == [
        FABRIKAM_SUBSCRIPTION_ID]


def test_aio_client_fails_until_sign_in(emu: ArmEmulator) -> None:
    async def scenario() -> list[str]:
        credential = emu.credential(FABRIKAM_TENANT_ID)
        async with credential, AsyncSubscriptionClient(credential, **kw(emu)) as client:
            with pytest.raises(ClientAuthenticationError) as caught:
                [t async for t in client.tenants.list()]
            assert AADSTS in str(caught.value)
            credential.sign_in(FABRIKAM_TENANT_ID)
            return [t.tenant_id async for t in client.tenants.list()
                    if t.tenant_category == "Home"]

    assert asyncio.run(scenario()) == [FABRIKAM_TENANT_ID]


def test_raw_mfa_answer(emu: ArmEmulator, raw: Raw) -> None:
    response = raw("GET", "/subscriptions", token=emu.token(FABRIKAM_TENANT_ID))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert 'error="insufficient_claims"' in response.headers["WWW-Authenticate"]
    assert emu.requests[-1].tenant_id == FABRIKAM_TENANT_ID
    ok = raw("GET", "/subscriptions", token=emu.token(FABRIKAM_TENANT_ID, mfa=True))
    assert ok.status_code == 200 and len(ok.json()["value"]) == 1
