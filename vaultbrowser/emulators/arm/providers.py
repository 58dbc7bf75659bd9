"""The Microsoft.KeyVault and Microsoft.Storage resource providers (read side, plus listKeys).

Key vaults: ``list_by_subscription``, ``list_by_resource_group`` (both paged, ``$top`` as the
page size) and ``get``. Storage accounts: ``list``, ``list_by_resource_group`` (paged),
``get_properties`` and ``list_keys`` (which answers even when shared-key access is off, as
Azure does). Every call checks the subscription (tenant, readability) and the resource group.
"""

from __future__ import annotations

from vaultbrowser.emulators.arm.errors import resource_not_found
from vaultbrowser.emulators.arm.rendering import (
    ACCOUNT_TYPE,
    VAULT_TYPE,
    account_json,
    keys_json,
    vault_json,
)
from vaultbrowser.emulators.arm.routing import Ctx, Reply, Route, find_named
from vaultbrowser.emulators.arm.world import StorageAccount

_SUB = "/subscriptions/{subscription_id}"
_GROUP = _SUB + "/resourceGroups/{resource_group}"
_VAULTS = "/providers/Microsoft.KeyVault/vaults"
_ACCOUNTS = "/providers/Microsoft.Storage/storageAccounts"
_VAULT_READ = "Microsoft.KeyVault/vaults/read"
_ACCOUNT_READ = "Microsoft.Storage/storageAccounts/read"
_LIST_KEYS = "Microsoft.Storage/storageAccounts/listkeys/action"



# -- key vaults ------------------------------------------------------------------------------
async def vaults_by_subscription(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.subscription(subscription_id, _VAULT_READ)
    vaults = ctx.world.vaults_in(subscription.id)
    return Reply(body=ctx.page(vaults, lambda v: vault_json(v, ctx.world), ctx.top(),
                               keep=("$top",)))


async def vaults_by_group(ctx: Ctx, subscription_id: str, resource_group: str) -> Reply:
    subscription, group = ctx.group(subscription_id, resource_group, _VAULT_READ)
    vaults = ctx.world.vaults_in(subscription.id, group)
    return Reply(body=ctx.page(vaults, lambda v: vault_json(v, ctx.world), ctx.top(),
                               keep=("$top",)))


async def get_vault(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    subscription, group = ctx.group(subscription_id, resource_group, _VAULT_READ,
                                    f"{_VAULTS}/{name}")
    vault = find_named(ctx.world.vaults_in(subscription.id, group), name)
    if vault is None:
        raise resource_not_found(VAULT_TYPE, name, resource_group)
    return Reply(body=vault_json(vault, ctx.world))


# -- storage accounts ------------------------------------------------------------------------
async def accounts_by_subscription(ctx: Ctx, subscription_id: str) -> Reply:
    subscription = ctx.subscription(subscription_id, _ACCOUNT_READ)
    return Reply(body=ctx.page(ctx.world.accounts_in(subscription.id), account_json))


async def accounts_by_group(ctx: Ctx, subscription_id: str, resource_group: str) -> Reply:
    subscription, group = ctx.group(subscription_id, resource_group, _ACCOUNT_READ)
    return Reply(body=ctx.page(ctx.world.accounts_in(subscription.id, group), account_json))


async def get_account(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    return Reply(body=account_json(_account(ctx, subscription_id, resource_group, name,
                                            _ACCOUNT_READ)))


async def list_keys(ctx: Ctx, subscription_id: str, resource_group: str, name: str) -> Reply:
    return Reply(body=keys_json(_account(ctx, subscription_id, resource_group, name,
                                         _LIST_KEYS)))


def _account(ctx: Ctx, subscription_id: str, resource_group: str, name: str,
             action: str) -> StorageAccount:
    subscription, group = ctx.group(subscription_id, resource_group, action,
                                    f"{_ACCOUNTS}/{name}")
    account = find_named(ctx.world.accounts_in(subscription.id, group), name)
    if account is None:
        raise resource_not_found(ACCOUNT_TYPE, name, resource_group)
    return account


ROUTES: list[Route] = [
    ("GET", _SUB + _VAULTS, vaults_by_subscription),
    ("GET", _GROUP + _VAULTS, vaults_by_group),
    ("GET", _GROUP + _VAULTS + "/{name}", get_vault),
    ("GET", _SUB + _ACCOUNTS, accounts_by_subscription),
    ("GET", _GROUP + _ACCOUNTS, accounts_by_group),
    ("GET", _GROUP + _ACCOUNTS + "/{name}", get_account),
    ("POST", _GROUP + _ACCOUNTS + "/{name}/listKeys", list_keys),
]
