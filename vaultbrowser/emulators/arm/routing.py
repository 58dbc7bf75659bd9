"""Routing, the per-request context, ARM's access checks and ``nextLink`` paging.

Routes are ``(method, pattern, handler)`` with ``{name}`` placeholders matching one path
segment, matched case-insensitively (ARM paths are). A handler is ``async (ctx, **params) ->
Reply``. List pages carry an opaque ``$skiptoken`` (URL-safe base64 of an offset) in their
``nextLink``; the SDKs follow it with their own api-version.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from vaultbrowser.emulators.arm.errors import (
    ArmError,
    authorization_failed,
    invalid_request_content,
    invalid_subscription_id,
    request_too_large,
    resource_group_not_found,
    subscription_not_found,
)
from vaultbrowser.emulators.arm.tokens import TokenClaims, wrong_tenant

if TYPE_CHECKING:
    from vaultbrowser.emulators.arm.world import Subscription, World

PAGE_SIZE = 50
MAX_BODY = 1024 * 1024
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass
class Reply:
    """A handler's answer: status, JSON body and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    """What a handler needs to know about its request."""

    request: web.Request
    world: World
    claims: TokenClaims
    query: dict[str, str]
    path: str
    base_url: str
    api_version: str
    correlation_id: str = ""
    _body: Any = None
    _read: bool = False

    async def json(self) -> Any:
        """The request body parsed as JSON (None when empty).

        Raises:
            ArmError: 400 ``InvalidRequestContent`` for invalid JSON, 413 over 1 MiB.
        """
        if not self._read:
            try:
                raw = await self.request.read()
            except web.HTTPRequestEntityTooLarge as exc:
                raise request_too_large(MAX_BODY) from exc
            self._read = True
            try:
                self._body = json.loads(raw) if raw.strip() else None
            except ValueError as exc:
                raise invalid_request_content(str(exc)) from exc
        return self._body

    # -- access ----------------------------------------------------------------------------
    def subscription(self, subscription_id: str, action: str,
                     scope: str | None = None) -> Subscription:
        """The subscription a request under ``/subscriptions/{id}`` may use for ``action``
        over ``scope`` (the subscription itself when None).

        Raises:
            ArmError: 400 ``InvalidSubscriptionId`` (not a GUID), 404 ``SubscriptionNotFound``,
                401 ``InvalidAuthenticationTokenTenant`` (it is another tenant's),
                403 ``AuthorizationFailed`` over ``scope`` (the user cannot read it).
        """
        if not _GUID.match(subscription_id):
            raise invalid_subscription_id(subscription_id)
        subscription = self.world.subscription(subscription_id)
        if subscription is None:
            raise subscription_not_found(subscription_id)
        if subscription.tenant_id.lower() != self.claims.tenant_id.lower():
            raise wrong_tenant(self.claims.tenant_id, subscription.tenant_id)
        if not subscription.readable:
            raise authorization_failed(self.claims.upn, self.claims.object_id, action,
                                       scope or f"/subscriptions/{subscription_id}")
        return subscription

    def group(self, subscription_id: str, resource_group: str, action: str,
              tail: str = "") -> tuple[Subscription, str]:
        """The subscription and the resource group's name as created, for a request that may
        do ``action`` over the group (or over ``tail`` below it, e.g. a resource's path).

        Raises:
            ArmError: as :meth:`subscription` and :meth:`resource_group`.
        """
        scope = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}{tail}"
        subscription = self.subscription(subscription_id, action, scope)
        return subscription, self.resource_group(subscription, resource_group)

    def resource_group(self, subscription: Subscription, name: str) -> str:
        """The resource group's name as created.

        Raises:
            ArmError: 404 ``ResourceGroupNotFound``.
        """
        found = self.world.resource_group(subscription.id, name)
        if found is None:
            raise resource_group_not_found(name)
        return found

    # -- paging ----------------------------------------------------------------------------
    def page(self, items: Sequence[Any], render: Callable[[Any], dict[str, Any]],
             size: int = PAGE_SIZE, keep: Sequence[str] = ()) -> dict[str, Any]:
        """One page ``{"value": [...], "nextLink"?}`` of ``items`` from ``$skiptoken``;
        ``keep`` names query parameters the next link repeats (e.g. ``$top``).

        Raises:
            ArmError: 400 ``InvalidSkipToken`` for a token this emulator did not make.
        """
        token = self.query.get("$skiptoken")
        start = _decode_offset(token) if token else 0
        end = start + size
        body: dict[str, Any] = {"value": [render(item) for item in items[start:end]]}
        if end < len(items):
            params = {"api-version": self.api_version}
            params.update({name: self.query[name] for name in keep if name in self.query})
            params["$skiptoken"] = _encode_offset(end)
            body["nextLink"] = f"{self.base_url}{self.path}?{urlencode(params, safe='$')}"
        return body

    def top(self, default: int = PAGE_SIZE, maximum: int = 1000) -> int:
        """The ``$top`` page size asked for.

        Raises:
            ArmError: 400 ``InvalidTopValue`` when not an integer in 1..maximum.
        """
        raw = self.query.get("$top")
        if raw is None:
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            raise ArmError(400, "InvalidTopValue", f"The value '{raw}' of query parameter "
                           f"'$top' is invalid. It must be an integer between 1 and {maximum}.")
        return int(raw)


class Named(Protocol):
    name: str


NamedT = TypeVar("NamedT", bound=Named)


def find_named(resources: Iterable[NamedT], name: str) -> NamedT | None:
    """The resource called ``name`` (ARM names are case-insensitive), or None."""
    wanted = name.lower()
    return next((resource for resource in resources if resource.name.lower() == wanted), None)


Handler = Callable[..., Awaitable[Reply]]
Route = tuple[str, str, Handler]


def _encode_offset(offset: int) -> str:
    raw = json.dumps({"offset": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_offset(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _bad_token() from exc
    if not isinstance(offset, int) or offset < 0:
        raise _bad_token()
    return offset


def _bad_token() -> ArmError:
    return ArmError(400, "InvalidSkipToken", "The provided skip token is invalid.")
