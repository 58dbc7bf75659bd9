"""Who made a request, read from its credentials without keeping them.

For a bearer token the JWT's payload claims name the signed-in user or application; the token
itself (and its signature) is never stored. Shared-key, Cosmos DB key and SAS requests name
their method.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from urllib.parse import parse_qsl, unquote


@lru_cache(maxsize=32)
def identity_from_authorization(header: str | None, url_has_sas: bool = False) -> str | None:
    """A short description of the caller: "alice@contoso.com (user, oid …)", "app <appid>",
    "account key (acct)", "SAS", or None when the request carried no credentials."""
    if not header:
        return "SAS" if url_has_sas else None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "sharedkey":
        return f"account key ({value.split(':', 1)[0]})"
    if not value:
        return _cosmos_identity(header)
    if scheme.lower() != "bearer":
        return scheme
    return _token_identity(value)


def _cosmos_identity(header: str) -> str:
    """Cosmos DB's ``type=master|aad|resource&ver=1.0&sig=…`` (URL-encoded, no scheme): the
    signature (an HMAC of the key, or the Entra token itself) is never returned."""
    fields = dict(parse_qsl(unquote(header)))
    kind = fields.get("type", "").lower()
    if kind == "master":
        return "account key"
    if kind == "aad":
        return _token_identity(fields.get("sig", ""))
    return "resource token" if kind == "resource" else "credentials"


def _token_identity(value: str) -> str:
    claims = _jwt_claims(value)
    if claims is None:
        return "bearer token (not a JWT: local emulator)"
    user = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
    oid = claims.get("oid")
    if user:
        return f"{user} (user{', oid ' + str(oid) if oid else ''})"
    app = claims.get("appid") or claims.get("azp")
    if app:
        return f"app {app}{' (oid ' + str(oid) + ')' if oid else ''}"
    return f"oid {oid}" if oid else "bearer token"


def _jwt_claims(token: str) -> dict[str, object] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, json.JSONDecodeError):
        return None
    return claims if isinstance(claims, dict) else None
