"""The Azure kind's audit collector: every vault and storage account that discovery finds
(within the connection's scope), each audited by its own kind's collector (read-only, as every
audit connection is) under the name "<tenant> / <subscription> / <resource>", so that its
inventory, findings and errors say where it lives; and, for each, what Resource Manager says
about it (an ``AzureResourceEntry``: the report's ARM findings read these)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.opener import open_azure
from vaultbrowser.azure.services.records import AzureResource, SubscriptionRecord, TenantRecord
from vaultbrowser.azure.services.tenants import scope_ids
from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import AzureResourceEntry
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput, NotFound, VaultBrowserError


@dataclass(frozen=True)
class FoundResource:
    """A resource with the tenant and subscription discovery found it in."""

    tenant: TenantRecord
    subscription: SubscriptionRecord
    resource: AzureResource

    @property
    def path(self) -> str:
        return f"{self.tenant.name} / {self.subscription.name} / {self.resource.name}"


@dataclass
class Discovered:
    """What discovery found, and every tenant and subscription id it saw (even empty ones)."""

    resources: list[FoundResource] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


async def discovered_resources(collector: InventoryCollector, discovery: AzureDiscovery,
                               source: str) -> Discovered:
    """Every resource of every tenant and subscription that answers, with progress per tenant
    and subscription. Failures are report errors named after where they happened (a tenant
    that wants its own sign-in, a subscription that may not be read)."""
    found = Discovered()
    tenants = await collector.attempt(source, "list tenants", discovery.tenants)
    if tenants is not None:
        collector.tell(f"{source}: tenants", len(tenants.items), None)
    for tenant in tenants.items if tenants else ():
        found.seen.add(tenant.tenant_id.lower())
        subscriptions = await collector.attempt(
            tenant.name, "list subscriptions",
            lambda t=tenant.tenant_id: discovery.subscriptions(t), subject=tenant.tenant_id)
        if subscriptions is None:
            continue
        collector.tell(f"{tenant.name}: subscriptions", len(subscriptions.items), None)
        for subscription in subscriptions.items:
            found.seen.add(subscription.subscription_id.lower())
            where = f"{tenant.name} / {subscription.name}"
            page = await collector.attempt(
                where, "list resources",
                lambda s=subscription: discovery.resources(s.tenant_id, s.subscription_id),
                subject=subscription.subscription_id)
            if page is None:
                continue
            collector.tell(f"{where}: resources", len(page.items), None)
            found.resources.extend(FoundResource(tenant, subscription, resource)
                                   for resource in page.items)
    return found


def resource_entry(found: FoundResource, type_label: str, *,
                   audited: bool) -> AzureResourceEntry:
    """The report's record of a discovered resource: where it lives and ARM's facts."""
    resource, facts = found.resource, found.resource.facts
    return AzureResourceEntry(
        source=found.path, tenant=found.tenant.name, tenant_id=found.tenant.tenant_id,
        subscription=found.subscription.name,
        subscription_id=found.subscription.subscription_id,
        resource_group=resource.resource_group, name=resource.name,
        resource_type=resource.type, type_label=type_label, resource_id=resource.id,
        endpoint=resource.endpoint, location=resource.location, tags=dict(resource.tags),
        rbac=facts.rbac, public_network=facts.public_network,
        firewall_default=facts.firewall_default, soft_delete=facts.soft_delete,
        soft_delete_days=facts.soft_delete_days, purge_protection=facts.purge_protection,
        shared_key_access=facts.shared_key_access, public_blob_access=facts.public_blob_access,
        minimum_tls=facts.minimum_tls, hierarchical_namespace=facts.hierarchical_namespace,
        notes=facts.warnings(), audited=audited)


async def audit_discovered(collector: InventoryCollector, connection: Connection) -> None:
    """Discover, then audit each resource with the kind that opens it."""
    source = connection.display_name
    try:
        discovery = open_azure(collector.session, connection)
    except VaultBrowserError as error:
        collector.errors.add(source, "open", error)
        return
    by_type = {kind.resource_type: kind for kind in collector.kinds.values()
               if kind.resource_type and kind.connection_for_resource}
    discovered = await discovered_resources(collector, discovery, source)
    for unknown in sorted(scope_ids(connection.scope) - discovered.seen):
        collector.errors.add(source, "find tenant or subscription", NotFound(
            f"No tenant or subscription that this sign-in can read has the id {unknown}.",
            advice="Check the id, and that the account may read it."), subject=unknown)
    total = len(discovered.resources)
    audits = []
    for found in discovered.resources:
        resource = found.resource
        kind = by_type.get(resource.type)
        target = None
        if kind is not None and kind.connection_for_resource is not None and resource.endpoint:
            sign_in = Connection(connection.kind, connection.url, connection.auth,
                                 tenant_id=resource.tenant_id or connection.tenant_id,
                                 client_id=connection.client_id,
                                 certificate_path=connection.certificate_path,
                                 secret_env=connection.secret_env, read_only=True,
                                 ca_path=connection.ca_path, secret=connection.secret)
            try:
                target = replace(kind.connection_for_resource(resource.endpoint, sign_in, None),
                                 name=found.path, read_only=True,
                                 resource_properties=resource.properties)
            except InvalidInput as error:
                collector.errors.add(found.path, "open", error, subject=resource.name)
        collector.resources.append(resource_entry(
            found, kind.label if kind is not None else resource.type, audited=target is not None))
        if target is not None and kind is not None:
            audits.append(lambda kind=kind, target=target: kind.audit(collector, target))
    done = total - len(audits)  # what needs no audit of its own is done
    collector.tell(f"{source}: resources audited", done, total)

    async def audited(audit: Callable[[], Awaitable[None]]) -> None:
        nonlocal done
        await audit()
        done += 1
        collector.tell(f"{source}: resources audited", done, total)

    # a few at a time (``connections_at_once``), each vault with its own per-item calls
    await collector.each_connection([lambda audit=audit: audited(audit) for audit in audits])
