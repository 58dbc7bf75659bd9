"""Tenants: the typed error of a tenant that wants its own sign-in, a credential asked for one
tenant's tokens, and a connection's scope (which tenants and subscriptions it covers)."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.services.errors import AuthenticationRequired

# What Entra ID says when a tenant wants its own (multi-factor, conditional access) sign-in.
_SIGN_IN_MARKERS = ("AADSTS50076", "AADSTS50079", "AADSTS50158", "AADSTS53003", "AADSTS50072",
                    "interaction_required", "multi-factor")


def scope_ids(scope: str) -> frozenset[str]:
    """The ids a connection's ``scope`` names (comma-separated, compared in lower case)."""
    return frozenset(part.strip().lower() for part in scope.split(",") if part.strip())


def in_scope(scope: str, tenant_id: str, subscription_id: str | None = None) -> bool:
    """Whether ``scope`` (tenant and subscription ids, comma-separated; empty: everything)
    keeps a subscription (it names the subscription or its tenant) or, with no
    ``subscription_id``, a tenant (it names the tenant; ``tenants()`` also keeps a tenant for
    which this holds with one of its subscriptions)."""
    ids = scope_ids(scope)
    if not ids or tenant_id.lower() in ids:
        return True
    return subscription_id is not None and subscription_id.lower() in ids


class TenantSignInRequired(AuthenticationRequired):
    """A tenant asks for its own sign-in (multi-factor authentication, conditional access)."""

    title = "This tenant needs its own sign-in"
    default_advice = ("Press Enter on the tenant's row (or choose Sign in to this tenant) to "
                      "sign in to it; the other tenants keep working meanwhile.")

    def __init__(self, message: str, *, tenant_id: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.tenant_id = tenant_id


class TenantCredential:
    """``inner`` asked for tokens of one tenant (azure-identity's ``tenant_id=``)."""

    def __init__(self, inner: Any, tenant_id: str) -> None:
        self._inner = inner
        self.tenant_id = tenant_id

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs["tenant_id"] = self.tenant_id
        return await self._inner.get_token(*scopes, **kwargs)

    async def close(self) -> None:
        """The session owns the inner credential."""


class TenantErrors:
    """Turns "this tenant needs its own sign-in" into ``TenantSignInRequired``."""

    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, _type: Any, error: BaseException | None, _tb: Any) -> None:
        if isinstance(error, AuthenticationRequired) and not isinstance(
                error, TenantSignInRequired) and needs_own_sign_in(error):
            raise TenantSignInRequired(
                f"Tenant {self._tenant_id} asks for its own sign-in (multi-factor "
                "authentication or a conditional access policy).", tenant_id=self._tenant_id,
                status=error.status, error_code=error.error_code,
                request_id=error.request_id) from error


def needs_own_sign_in(error: AuthenticationRequired) -> bool:
    """Whether Entra ID (or ARM's challenge) asks for a sign-in of the tenant's own."""
    text = f"{error.message} {error.service_message or ''}".lower()
    return any(marker.lower() in text for marker in _SIGN_IN_MARKERS)
