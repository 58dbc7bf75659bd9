"""``AzureDiscovery``: what a signed-in account reaches — tenants, subscriptions, and the key
vaults, storage accounts, Azure Managed Redis clusters and Cosmos DB accounts in them —
through the official management clients (``.aio``).

One Resource Graph query per tenant (``resource_graph``) finds every vault, storage account,
AMR cluster and Cosmos DB account with the properties we show. Where Resource Graph is
refused, or a subscription shows nothing in it, the ARM list operations of that subscription
answer instead (and say why when they cannot: a subscription the account may not read is a
403 on its own row).

Every tenant is asked with a token of that tenant (``TenantCredential``); a tenant that wants
its own sign-in (multi-factor, conditional access) raises ``TenantSignInRequired`` until
``sign_in(tenant)`` succeeds.

A connection's ``scope`` (tenant and subscription ids, comma-separated) limits what
``tenants()`` and ``subscriptions()`` show (``in_scope``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.cosmos_resources import (
    cosmos_account_key,
    cosmos_resource,
    listed_cosmos,
)
from vaultbrowser.azure.services.records import (
    COSMOS_TYPE,
    KEY_VAULT_TYPE,
    REDIS_TYPE,
    STORAGE_TYPE,
    AzureResource,
    SubscriptionRecord,
    TenantRecord,
    resource_from_arm,
)
from vaultbrowser.azure.services.redis_resources import (
    listed_redis,
    redis_access_key,
    redis_resource,
)
from vaultbrowser.azure.services.resource_graph import resources_by_subscription
from vaultbrowser.azure.services.tenants import (
    TenantCredential,
    TenantErrors,
    in_scope,
    scope_ids,
)
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    Cancelled,
    Conflict,
    InvalidInput,
    NotFound,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Page, Result, SecretValue
from vaultbrowser.core.services.translate import translated

MAX_SUBSCRIPTIONS = 10_000  # per tenant: past it, the listing stops with what it has


def _rest(item: Any) -> dict[str, Any]:
    """An SDK model as the service's JSON (camelCase keys)."""
    if isinstance(item, Mapping):
        as_dict = getattr(item, "as_dict", None)
        return as_dict() if as_dict is not None else dict(item)
    return item.serialize(keep_readonly=True)  # msrest models


class AzureDiscovery:
    """The service of an Azure sign-in connection (``ServiceSession`` adopts it)."""

    def __init__(self, arm_url: str, credential: Any, transport: Any, *,
                 client_options: Mapping[str, Any] | None = None,
                 sign_in: Callable[[str], Awaitable[None]] | None = None,
                 scope: str = "") -> None:
        self.arm_url = arm_url.rstrip("/")
        self.scope = scope  # the tenants and subscriptions to show (``in_scope``); "": all
        self._credential = credential
        self._options = {"transport": transport, **(client_options or {}),
                         "credential_scopes": [self.arm_url + "/.default"]}
        self._sign_in = sign_in
        self._clients: dict[tuple[Any, ...], Any] = {}
        self._graph: dict[str, asyncio.Task[dict[str, list[AzureResource]] | None]] = {}

    # --- clients ----------------------------------------------------------------------------

    def _credential_for(self, tenant_id: str | None) -> Any:
        return self._credential if tenant_id is None else TenantCredential(
            self._credential, tenant_id)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = make()
        return client

    def _subscription_client(self, tenant_id: str | None) -> Any:
        from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

        return self._cached(("subscriptions", tenant_id), lambda: SubscriptionClient(
            self._credential_for(tenant_id), self.arm_url, **self._options))

    def _graph_client(self, tenant_id: str) -> Any:
        from azure.mgmt.resourcegraph.aio import ResourceGraphClient

        return self._cached(("graph", tenant_id), lambda: ResourceGraphClient(
            self._credential_for(tenant_id), self.arm_url, **self._options))

    def _vault_client(self, tenant_id: str | None, subscription_id: str) -> Any:
        from azure.mgmt.keyvault.aio import KeyVaultManagementClient

        return self._cached(("keyvault", tenant_id, subscription_id),
                            lambda: KeyVaultManagementClient(
                                self._credential_for(tenant_id), subscription_id, self.arm_url,
                                **self._options))

    def _storage_client(self, tenant_id: str | None, subscription_id: str) -> Any:
        from azure.mgmt.storage.aio import StorageManagementClient

        return self._cached(("storage", tenant_id, subscription_id),
                            lambda: StorageManagementClient(
                                self._credential_for(tenant_id), subscription_id, self.arm_url,
                                **self._options))

    async def close(self) -> None:
        for task in self._graph.values():
            task.cancel()
        self._graph.clear()
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    # --- tenants and subscriptions ------------------------------------------------------------

    async def tenants(self) -> Page[TenantRecord]:
        """Every tenant the account reaches (its home tenant first)."""
        capture = ResponseCapture()
        async with translated():
            tenants = [item async for item in
                       self._subscription_client(None).tenants.list(**capture.hooks)]
        records = []
        for tenant in tenants:
            data = _rest(tenant)
            tenant_id = str(data.get("tenantId") or "")
            if not tenant_id:
                continue
            records.append(TenantRecord(
                tenant_id, str(data.get("displayName") or ""),
                str(data.get("defaultDomain") or ""),
                home=data.get("tenantCategory") == "Home"))
        records.sort(key=lambda t: (not t.home, t.name.lower()))
        response = capture.take()
        if scope_ids(self.scope):
            records = await self._tenants_in_scope(records)
        return Page(tuple(records), None, response)

    async def _tenants_in_scope(self, tenants: list[TenantRecord]) -> list[TenantRecord]:
        """The tenants the scope names, and those holding a subscription it names: each
        tenant (home first) is asked for its subscriptions until every named id is found. A
        tenant that cannot say (it wants its own sign-in) is kept while an id is unfound."""
        wanted = set(scope_ids(self.scope)) - {t.tenant_id.lower() for t in tenants}
        keep = {t.tenant_id for t in tenants if in_scope(self.scope, t.tenant_id)}
        unanswered: set[str] = set()
        for tenant in tenants:
            if not wanted:
                break
            try:
                listed = await self._listed_subscriptions(tenant.tenant_id, ResponseCapture())
            except Cancelled:
                raise
            except VaultBrowserError:
                unanswered.add(tenant.tenant_id)
                continue
            found = {s.subscription_id.lower() for s in listed} & wanted
            if found:
                keep.add(tenant.tenant_id)
                wanted -= found
        if wanted:
            keep |= unanswered
        return [tenant for tenant in tenants if tenant.tenant_id in keep]

    async def subscriptions(self, tenant_id: str) -> Page[SubscriptionRecord]:
        """The tenant's subscriptions the account can see (those in ``scope``), by name.

        Raises:
            TenantSignInRequired: the tenant wants its own sign-in.
        """
        capture = ResponseCapture()
        records = [record for record in await self._listed_subscriptions(tenant_id, capture)
                   if in_scope(self.scope, record.tenant_id, record.subscription_id)]
        return Page(tuple(records), None, capture.take())

    async def _listed_subscriptions(self, tenant_id: str, capture: ResponseCapture
                                    ) -> list[SubscriptionRecord]:
        records: list[SubscriptionRecord] = []
        async with self._tenant_errors(tenant_id), translated():
            async for item in self._subscription_client(tenant_id).subscriptions.list(
                    **capture.hooks):
                data = _rest(item)
                sub_id = str(data.get("subscriptionId") or "").lower()
                if sub_id:
                    records.append(SubscriptionRecord(
                        sub_id, str(data.get("tenantId") or tenant_id),
                        str(data.get("displayName") or ""), str(data.get("state") or "")))
                if len(records) >= MAX_SUBSCRIPTIONS:
                    break
        records.sort(key=lambda s: s.name.lower())
        return records

    # --- resources ----------------------------------------------------------------------------

    def forget(self, tenant_id: str) -> None:
        """Drop the tenant's Resource Graph answer (a refresh asks again)."""
        task = self._graph.pop(tenant_id, None)
        if task is not None:
            task.cancel()

    async def resources(self, tenant_id: str, subscription_id: str
                        ) -> Page[AzureResource]:
        """The vaults and storage accounts of one subscription, by name.

        From the tenant's one Resource Graph query when it answers and holds any; otherwise
        from the subscription's ARM list operations.

        Raises:
            AccessDenied: the account may not read the subscription.
            TenantSignInRequired: the tenant wants its own sign-in.
        """
        task = self._graph.get(tenant_id)
        if task is None or (task.done() and task.cancelled()):
            task = asyncio.ensure_future(self._graph_query(tenant_id))
            self._graph[tenant_id] = task
        by_subscription = await asyncio.shield(task)
        found = (by_subscription or {}).get(subscription_id)
        if found:
            return Page(tuple(found), None, None)
        return await self._listed_resources(tenant_id, subscription_id)

    async def _graph_query(self, tenant_id: str) -> dict[str, list[AzureResource]] | None:
        """Every discovered resource of the tenant by subscription; None when Resource Graph
        is refused (then each subscription is listed on its own)."""
        try:
            async with self._tenant_errors(tenant_id), translated():
                return await resources_by_subscription(self._graph_client(tenant_id), tenant_id)
        except (AccessDenied, NotFound):
            return None  # Resource Graph is not allowed here: ARM lists instead

    async def _listed_resources(self, tenant_id: str, subscription_id: str
                                ) -> Page[AzureResource]:
        capture = ResponseCapture()
        found: list[AzureResource] = []
        async with self._tenant_errors(tenant_id), translated():
            vaults = self._vault_client(tenant_id, subscription_id).vaults
            async for vault in vaults.list_by_subscription(**capture.hooks):
                resource = resource_from_arm(_rest(vault), tenant_id)
                if resource is not None:
                    found.append(resource)
            accounts = self._storage_client(tenant_id, subscription_id).storage_accounts
            async for account in accounts.list(**capture.hooks):
                resource = resource_from_arm(_rest(account), tenant_id)
                if resource is not None:
                    found.append(resource)
        for listed in (listed_redis, listed_cosmos):  # providers read as plain REST
            try:
                async with self._tenant_errors(tenant_id), translated():
                    found.extend(await listed(self._subscription_client(tenant_id),
                                              tenant_id, subscription_id, capture.hooks))
            except (NotFound, Conflict):
                pass  # the subscription never registered the provider: it has none of them
        found.sort(key=lambda r: r.name.lower())
        return Page(tuple(found), None, capture.take())

    async def resource(self, resource_id: ArmResourceId, tenant_id: str | None = None
                       ) -> Result[AzureResource]:
        """One vault or storage account by its id (the address bar's ARM ids).

        Raises:
            InvalidInput: the id names another kind of resource.
            NotFound / AccessDenied: as ARM answers.
        """
        capture = ResponseCapture()
        async with translated():
            if resource_id.type == KEY_VAULT_TYPE:
                client = self._vault_client(tenant_id, resource_id.subscription_id)
                item = await client.vaults.get(resource_id.resource_group, resource_id.name,
                                               **capture.hooks)
            elif resource_id.type in (REDIS_TYPE, COSMOS_TYPE):
                read = redis_resource if resource_id.type == REDIS_TYPE else cosmos_resource
                found = await read(self._subscription_client(tenant_id), resource_id,
                                   tenant_id or "", capture.hooks)
                if found is None:
                    raise NotFound(f"Azure answered for {resource_id.name} with something "
                                   "other than the resource asked for.")
                return Result(found, capture.take())
            elif resource_id.type == STORAGE_TYPE:
                client = self._storage_client(tenant_id, resource_id.subscription_id)
                item = await client.storage_accounts.get_properties(
                    resource_id.resource_group, resource_id.name, **capture.hooks)
            else:
                raise InvalidInput(
                    f"{resource_id.namespace}/{resource_id.resource_type} is not a resource "
                    "vaultbrowser opens: give a key vault, a storage account, an Azure "
                    "Managed Redis cluster or a Cosmos DB account.")
        resource = resource_from_arm(_rest(item), tenant_id or "")
        if resource is None:
            raise NotFound(f"Azure answered for {resource_id.name} with something that is not "
                           "a vault or storage account.")
        return Result(resource, capture.take())

    async def account_key(self, resource: AzureResource) -> Result[SecretValue]:
        """The storage account's first key, as Storage Explorer offers it when the data plane
        refuses Entra ID. A write in ARM's eyes: read-only mode refuses it (it hands out
        credentials).

        An Azure Managed Redis cluster's: its database's primary access key; a Cosmos DB
        account's: its primary master key.

        Raises:
            InvalidInput: the account refuses shared keys (``allowSharedKeyAccess`` false), the
                database access keys, the Cosmos DB account its keys (``disableLocalAuth``).
            ReadOnlyRefused: the connection is read-only.
        """
        if resource.type in (REDIS_TYPE, COSMOS_TYPE):
            list_key = redis_access_key if resource.type == REDIS_TYPE else cosmos_account_key
            capture = ResponseCapture()
            async with self._tenant_errors(resource.tenant_id), translated():
                key = await list_key(self._subscription_client(resource.tenant_id), resource,
                                     capture.hooks)
            return Result(key, capture.take())
        if resource.facts.shared_key_access is False:
            raise InvalidInput(
                f"{resource.name} does not allow shared-key access: its keys would not open it.",
                advice="Open it with Entra ID sign-in (you need a Storage Blob Data role).")
        capture = ResponseCapture()
        async with self._tenant_errors(resource.tenant_id), translated():
            client = self._storage_client(resource.tenant_id, resource.subscription_id)
            answer = await client.storage_accounts.list_keys(
                resource.resource_group, resource.name, **capture.hooks)
        keys = [key for key in (_rest(answer).get("keys") or []) if isinstance(key, dict)
                and isinstance(key.get("value"), str) and key["value"]]
        if not keys:
            raise NotFound(f"{resource.name} returned no account key.")
        return Result(SecretValue(keys[0]["value"]), capture.take())

    # --- signing in to one tenant -------------------------------------------------------------

    async def sign_in(self, tenant_id: str) -> None:
        """Sign in to ``tenant_id`` interactively (what a multi-factor tenant asks for)."""
        if self._sign_in is None:
            raise AuthenticationRequired(
                "This sign-in method cannot sign in to another tenant interactively.",
                advice="Add a connection with interactive browser or device code sign-in.")
        await self._sign_in(tenant_id)
        self.forget(tenant_id)

    def _tenant_errors(self, tenant_id: str) -> TenantErrors:
        return TenantErrors(tenant_id)
