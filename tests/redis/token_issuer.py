"""A loopback test credential that mints JWT-shaped Entra tokens (an ``oid`` claim, a short
lifetime) and, like Entra ID for Azure Managed Redis, makes the servers accept them: each new
token becomes the ACL password of the user named by the oid (``ACL SETUSER <oid> resetpass
>token``) before it is handed out — the rotation the client must follow."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from azure.core.credentials import AccessToken

OID = "7f3c2a9e-1b4d-4c8e-9a6f-2d5e8b1c0a47"


def jwt_shaped(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_hex(16)}"


class RotatingTokenCredential:
    """An async credential (as the app's): each ``get_token`` mints a new token valid for
    ``lifetime`` seconds; ``accept(token)`` installs it on the servers first."""

    def __init__(self, accept: Callable[[str], None], *, oid: str | None = OID,
                 lifetime: float = 3600.0) -> None:
        self._accept = accept
        self.oid = oid
        self.lifetime = lifetime
        self.scopes: list[tuple[str, ...]] = []
        self.tokens: list[str] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        now = time.time()
        claims: dict[str, Any] = {"exp": int(now + self.lifetime), "iat": int(now)}
        if self.oid is not None:
            claims["oid"] = self.oid
        token = jwt_shaped(claims)
        self._accept(token)
        self.tokens.append(token)
        # AccessToken's expiry is whole seconds: keep sub-second lifetimes for the tests
        return AccessToken(token, now + self.lifetime)  # type: ignore[arg-type]

    async def close(self) -> None:
        """Nothing to release."""


def acl_rotation(*admins: Any, oid: str = OID,
                 rules: tuple[str, ...] = ("~*", "+@all")) -> Callable[[str], None]:
    """``accept`` for ``RotatingTokenCredential``: the token becomes the user's only password
    on every server (a cluster's nodes each hold their own ACL)."""

    def accept(token: str) -> None:
        for admin in admins:
            admin.execute_command("ACL", "SETUSER", oid, "on", "resetpass", f">{token}", *rules)

    return accept
