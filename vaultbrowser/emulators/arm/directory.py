"""Tenants, subscriptions and a subscription's generic resource list (Microsoft.Resources).

- ``GET /tenants``: every tenant of the world (the user is a guest in each), "Home" for the
  token's tenant; 50 per page.
- ``GET /subscriptions``: the token tenant's subscriptions (unreadable ones included); 50 per
  page. ``GET /subscriptions/{id}``: 404 ``SubscriptionNotFound`` for another tenant's.
- ``GET /subscriptions/{id}/resources``: vaults and storage accounts, ``$filter`` limited to
  ``resourceType eq '<type>'`` (what ``vaults.list()`` sends), ``$top`` as the page size.
"""

from __future__ import annotations

import re

from vaultbrowser.emulators.arm.errors import ArmError, subscription_not_found
from vaultbrowser.emulators.arm.rendering import (
    generic_json,
    subscription_json,
    tenant_json,
)
from vaultbrowser.emulators.arm.routing import Ctx, Reply, Route
from vaultbrowser.emulators.arm.world import KeyVault, StorageAccount

_TYPE_FILTER = re.compile(r"^\s*resourceType\s+eq\s+'([^']+)'\s*$", re.IGNORECASE)


async def list_tenants(ctx: Ctx) -> Reply:
    tenants = ctx.world.tenants
    return Reply(body=ctx.page(tenants, lambda t: tenant_json(t, ctx.claims.tenant_id)))


async def list_subscriptions(ctx: Ctx) -> Reply:
    subscriptions = ctx.world.subscriptions_of(ctx.claims.tenant_id)
    return Reply(body=ctx.page(subscriptions, subscription_json))


async def get_subscription(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.world.subscription(subscription_id)
    if subscription is None or subscription.tenant_id.lower() != ctx.claims.tenant_id.lower():
        raise subscription_not_found(subscription_id)
    return Reply(body=subscription_json(subscription))


async def list_resources(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.subscription(subscription_id, "Microsoft.Resources/subscriptions/"
                                    "resources/read", f"/subscriptions/{subscription_id}")
    resources: list[KeyVault | StorageAccount] = [*ctx.world.vaults_in(subscription.id),
                                                  *ctx.world.accounts_in(subscription.id)]
    raw_filter = ctx.query.get("$filter")
    if raw_filter:
        found = _TYPE_FILTER.match(raw_filter)
        if found is None:
            raise ArmError(400, "InvalidFilterInQueryString",
                           f"The filter '{raw_filter}' is not supported by the emulator; use "
                           "resourceType eq '<type>'.")
        wanted = found.group(1).lower()
        resources = [r for r in resources if generic_json(r)["type"].lower() == wanted]
    return Reply(body=ctx.page(resources, generic_json, ctx.top(), keep=("$filter", "$top")))


ROUTES: list[Route] = [
    ("GET", "/tenants", list_tenants),
    ("GET", "/subscriptions", list_subscriptions),
    ("GET", "/subscriptions/{subscription_id}", get_subscription),
    ("GET", "/subscriptions/{subscription_id}/resources", list_resources),
]
