"""Bearer tokens of the emulated ARM: unsigned JWTs whose ``tid`` decides what ARM answers.

A token is ``base64url(header).base64url(payload).`` with header ``{"alg":"none","typ":"JWT"}``
and the claims ``tid``, ``oid``, ``upn``, ``amr`` (``"mfa"`` in it after a multi-factor
sign-in), ``aud``, ``iss``, ``iat``, ``nbf`` and ``exp``. Signatures are never checked.

:class:`EmulatorArmCredential` (async) and :class:`EmulatorArmSyncCredential` hand such tokens
to the unmodified SDK clients. They implement only ``get_token`` (not ``get_token_info``):
azure-core's bearer policy calls ``get_token_info`` whenever the credential has it, and
``get_token`` otherwise.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from vaultbrowser.emulators.arm.errors import ArmError

AUTHORITY = "https://login.microsoftonline.com"
AUDIENCE = "https://management.azure.com/"
DEFAULT_UPN = "demo.user@contoso-demo.com"
# What a tenant that requires MFA asks for in its claims challenge.
MFA_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'
MFA_MESSAGE = (
    "AADSTS50076: Due to a configuration change made by your administrator, or because you "
    "moved to a new location, you must use multi-factor authentication to access '{resource}'."
)
_HEADER = b'{"alg":"none","typ":"JWT"}'
_OID_NAMESPACE = uuid.UUID("5b0c1d5e-8f6a-4c1e-9a7b-3d2e1f0a9b8c")
_MISSING = "Authentication failed. The 'Authorization' header is missing."
_INVALID = "Authentication failed. The 'Authorization' header is invalid."


@dataclass(frozen=True)
class TokenClaims:
    """What ARM reads from a bearer token."""

    tenant_id: str
    object_id: str
    upn: str
    amr: tuple[str, ...]
    audience: str
    expires_on: int

    @property
    def mfa(self) -> bool:
        """Whether the sign-in behind the token was multi-factor."""
        return "mfa" in self.amr


def object_id_of(tenant_id: str, upn: str) -> str:
    """The user's object id in ``tenant_id`` (a guest has one per tenant); deterministic."""
    return str(uuid.uuid5(_OID_NAMESPACE, f"{tenant_id.lower()}/{upn.lower()}"))


def make_token(tenant_id: str, *, upn: str = DEFAULT_UPN, mfa: bool = False,
               lifetime: int = 3600) -> str:
    """An unsigned JWT for ``upn`` in ``tenant_id``, valid for ``lifetime`` seconds (a negative
    lifetime makes an expired token)."""
    now = int(time.time())
    payload = {
        "aud": AUDIENCE,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "tid": tenant_id,
        "oid": object_id_of(tenant_id, upn),
        "upn": upn,
        "name": upn.partition("@")[0].replace(".", " ").title(),
        "amr": ["pwd", "mfa"] if mfa else ["pwd"],
    }
    return f"{_b64(_HEADER)}.{_b64(json.dumps(payload).encode())}."


def challenge_header(tenant_id: str, error: str, description: str,
                     claims: str | None = None) -> str:
    """A ``WWW-Authenticate`` value as ARM sends it."""
    value = (f'Bearer authorization_uri="{AUTHORITY}/{tenant_id}", error="{error}", '
             f'error_description="{description}"')
    if claims is not None:
        value += f', claims="{base64.b64encode(claims.encode()).decode()}"'
    return value


def read_token(authorization_header: str | None) -> TokenClaims:
    """The claims of a request's bearer token.

    Raises:
        ArmError: 401 ``AuthenticationFailed`` for a missing or malformed token,
            401 ``ExpiredAuthenticationToken`` for an expired one; each with its challenge.
    """
    if not authorization_header or not authorization_header.strip():
        raise _unauthorized("AuthenticationFailed", _MISSING, "common",
                            "The authentication header is missing.")
    scheme, _, token = authorization_header.strip().partition(" ")
    claims = _decode(token.strip()) if scheme.lower() == "bearer" else None
    if claims is None:
        raise _unauthorized("AuthenticationFailed", _INVALID, "common",
                            "The access token is invalid.")
    now = int(time.time())
    if claims.expires_on <= now:
        message = (f"The access token expiry UTC time '{_arm_time(claims.expires_on)}' is "
                   f"earlier than current UTC time '{_arm_time(now)}'.")
        raise _unauthorized("ExpiredAuthenticationToken", message, claims.tenant_id,
                            "The access token has expired.")
    return claims


def mfa_required(tenant_id: str) -> ArmError:
    """401 ``InvalidAuthenticationToken`` (AADSTS50076) with a claims challenge, for a token
    without MFA in a tenant that requires it.

    ``error="insufficient_claims"`` makes azure-core's bearer policy ask the credential once
    more, passing the decoded claims, before giving up with the 401.
    """
    header = challenge_header(tenant_id, "insufficient_claims",
                              "Multi-factor authentication is required.", claims=MFA_CLAIMS)
    return ArmError(401, "InvalidAuthenticationToken",
                    MFA_MESSAGE.format(resource=AUDIENCE.rstrip("/")),
                    headers={"WWW-Authenticate": header})


def wrong_tenant(token_tenant: str, subscription_tenant: str) -> ArmError:
    """401 ``InvalidAuthenticationTokenTenant``: the subscription lives in another tenant."""
    message = (
        f"The access token is from the wrong issuer 'https://sts.windows.net/{token_tenant}/'. "
        f"It must match the tenant 'https://sts.windows.net/{subscription_tenant}/' associated "
        "with this subscription. Please use the authority (URL) "
        f"'https://login.windows.net/{subscription_tenant}' to get the token."
    )
    header = challenge_header(subscription_tenant, "invalid_token",
                              "The access token is from the wrong issuer.")
    return ArmError(401, "InvalidAuthenticationTokenTenant", message,
                    headers={"WWW-Authenticate": header})


class EmulatorAccessToken(NamedTuple):
    """Shaped like ``azure.core.credentials.AccessToken`` (the SDK reads only these two)."""

    token: str
    expires_on: int


@dataclass(frozen=True)
class TokenRequest:
    """One ``get_token`` call a credential answered (for tests and the app's diagnostics)."""

    scopes: tuple[str, ...]
    tenant_id: str
    claims: str | None
    mfa: bool


class _TokenMint:
    """What both credentials share: the home tenant, the MFA sign-ins, the request log."""

    def __init__(self, home_tenant: str, upn: str, mfa_tenants: Iterable[str],
                 lifetime: int) -> None:
        self.home_tenant = home_tenant
        self.upn = upn
        self.lifetime = lifetime
        self.mfa_tenants = {tenant.lower() for tenant in mfa_tenants}
        self.requests: list[TokenRequest] = []

    def mint(self, scopes: tuple[str, ...], tenant_id: str | None,
             claims: str | None) -> EmulatorAccessToken:
        tenant = tenant_id or self.home_tenant
        mfa = tenant.lower() in self.mfa_tenants
        self.requests.append(TokenRequest(scopes, tenant, claims, mfa))
        token = make_token(tenant, upn=self.upn, mfa=mfa, lifetime=self.lifetime)
        return EmulatorAccessToken(token, int(time.time()) + self.lifetime)


class EmulatorArmCredential:
    """An async token credential for the emulator (azure-core's AsyncTokenCredential protocol).

    ``get_token`` makes a token for ``tenant_id or home_tenant``; it carries MFA only for the
    tenants given in ``mfa_tenants`` or passed to :meth:`sign_in` since. ``requests`` records
    every call (scopes, tenant, claims asked for by a challenge, whether MFA was given).
    """

    def __init__(self, home_tenant: str, *, upn: str = DEFAULT_UPN,
                 mfa_tenants: Iterable[str] = (), lifetime: int = 3600) -> None:
        self._mint = _TokenMint(home_tenant, upn, mfa_tenants, lifetime)

    @property
    def requests(self) -> list[TokenRequest]:
        return self._mint.requests

    def sign_in(self, tenant_id: str) -> None:
        """An interactive multi-factor sign-in to ``tenant_id``: its tokens carry MFA now."""
        self._mint.mfa_tenants.add(tenant_id.lower())

    async def get_token(self, *scopes: str, claims: str | None = None,
                        tenant_id: str | None = None, **_: Any) -> EmulatorAccessToken:
        return self._mint.mint(scopes, tenant_id, claims)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> EmulatorArmCredential:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


class EmulatorArmSyncCredential:
    """The synchronous twin of :class:`EmulatorArmCredential` (for sync SDK clients)."""

    def __init__(self, home_tenant: str, *, upn: str = DEFAULT_UPN,
                 mfa_tenants: Iterable[str] = (), lifetime: int = 3600) -> None:
        self._mint = _TokenMint(home_tenant, upn, mfa_tenants, lifetime)

    @property
    def requests(self) -> list[TokenRequest]:
        return self._mint.requests

    def sign_in(self, tenant_id: str) -> None:
        """An interactive multi-factor sign-in to ``tenant_id``: its tokens carry MFA now."""
        self._mint.mfa_tenants.add(tenant_id.lower())

    def get_token(self, *scopes: str, claims: str | None = None,
                  tenant_id: str | None = None, **_: Any) -> EmulatorAccessToken:
        return self._mint.mint(scopes, tenant_id, claims)

    def close(self) -> None:
        return None

    def __enter__(self) -> EmulatorArmSyncCredential:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> TokenClaims | None:
    parts = token.split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    tenant, exp, amr = payload.get("tid"), payload.get("exp"), payload.get("amr", [])
    if not isinstance(tenant, str) or not tenant or not isinstance(exp, int | float):
        return None
    upn = payload.get("upn") or payload.get("unique_name") or payload.get("appid") or ""
    return TokenClaims(
        tenant_id=tenant,
        object_id=str(payload.get("oid") or object_id_of(tenant, str(upn))),
        upn=str(upn),
        amr=tuple(str(item) for item in amr) if isinstance(amr, list) else (),
        audience=str(payload.get("aud", "")),
        expires_on=int(exp),
    )


def _unauthorized(code: str, message: str, tenant_id: str, description: str) -> ArmError:
    return ArmError(401, code, message, headers={
        "WWW-Authenticate": challenge_header(tenant_id, "invalid_token", description)})


def _arm_time(epoch: int) -> str:
    """ARM's wording of a UTC time, like ``1/31/2024 9:05:00 AM``."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    hour = moment.hour % 12 or 12
    return (f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}:"
            f"{moment.second:02d} {'AM' if moment.hour < 12 else 'PM'}")
