"""Tokens: the unsigned JWTs, reading them back, and the emulator's credentials."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from vaultbrowser.emulators.arm.errors import ArmError
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID
from vaultbrowser.emulators.arm.tokens import (
    EmulatorArmCredential,
    EmulatorArmSyncCredential,
    make_token,
    read_token,
)

from .helpers import ARM_SCOPE


def _payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_token_shape_and_claims() -> None:
    token = make_token(CONTOSO_TENANT_ID, upn="ann@contoso-demo.com", mfa=True)
    header, _, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "none", "typ": "JWT"}
    assert signature == ""
    payload = _payload(token)
    assert payload["tid"] == CONTOSO_TENANT_ID and payload["upn"] == "ann@contoso-demo.com"
    assert "mfa" in payload["amr"] and payload["aud"] == "https://management.azure.com/"
    claims = read_token(f"Bearer {token}")
    assert claims.tenant_id == CONTOSO_TENANT_ID and claims.mfa
    assert claims.object_id == payload["oid"]
    assert not read_token(f"bearer {make_token(CONTOSO_TENANT_ID)}").mfa


@pytest.mark.parametrize(("header", "message"), [
    (None, "Authentication failed. The 'Authorization' header is missing."),
    ("", "Authentication failed. The 'Authorization' header is missing."),
    ("Bearer", "Authentication failed. The 'Authorization' header is invalid."),
    ("Bearer not-a-jwt", "Authentication failed. The 'Authorization' header is invalid."),
    ("Bearer a.!!!.", "Authentication failed. The 'Authorization' header is invalid."),
    ("Basic dXNlcjpwdw==", "Authentication failed. The 'Authorization' header is invalid."),
    ("Bearer e30.W10.", "Authentication failed. The 'Authorization' header is invalid."),
])
def test_bad_headers_are_401(header: str | None, message: str) -> None:
    with pytest.raises(ArmError) as caught:
        read_token(header)
    assert (caught.value.status, caught.value.code) == (401, "AuthenticationFailed")
    assert caught.value.message == message
    challenge = caught.value.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer authorization_uri="https://login.microsoftonline.com/')
    assert 'error="invalid_token"' in challenge and "error_description=" in challenge


def test_expired_token() -> None:
    with pytest.raises(ArmError) as caught:
        read_token("Bearer " + make_token(CONTOSO_TENANT_ID, lifetime=-60))
    assert (caught.value.status, caught.value.code) == (401, "ExpiredAuthenticationToken")
    assert "is earlier than current UTC time" in caught.value.message
    assert CONTOSO_TENANT_ID in caught.value.headers["WWW-Authenticate"]


def test_async_credential_tenants_and_sign_in() -> None:
    async def scenario() -> None:
        async with EmulatorArmCredential(CONTOSO_TENANT_ID) as credential:
            home = await credential.get_token(ARM_SCOPE)
            other = await credential.get_token(ARM_SCOPE, tenant_id=FABRIKAM_TENANT_ID)
            assert read_token(f"Bearer {home.token}").tenant_id == CONTOSO_TENANT_ID
            assert not read_token(f"Bearer {other.token}").mfa
            credential.sign_in(FABRIKAM_TENANT_ID)
            again = await credential.get_token(ARM_SCOPE, tenant_id=FABRIKAM_TENANT_ID)
            assert read_token(f"Bearer {again.token}").mfa
            assert again.expires_on > home.expires_on - 5
            assert [r.tenant_id for r in credential.requests] == [
                CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID, FABRIKAM_TENANT_ID]
            assert not hasattr(credential, "get_token_info")

    asyncio.run(scenario())


def test_sync_credential_mfa_tenants() -> None:
    with EmulatorArmSyncCredential(FABRIKAM_TENANT_ID,
                                   mfa_tenants=[FABRIKAM_TENANT_ID.upper()]) as credential:
        token = credential.get_token(ARM_SCOPE, claims='{"x": 1}')
        assert read_token(f"Bearer {token.token}").mfa
        assert credential.requests[0].claims == '{"x": 1}'
        assert credential.requests[0].scopes == (ARM_SCOPE,)
