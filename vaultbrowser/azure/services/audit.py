"""The Azure kind's audit collector: every vault and storage account that discovery finds, each
audited by its own kind's collector (read-only, as every audit connection is)."""

from __future__ import annotations

from vaultbrowser.azure.services.discovery import AzureDiscovery
from vaultbrowser.azure.services.opener import open_azure
from vaultbrowser.azure.services.records import AzureResource
from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput


async def discovered_resources(collector: InventoryCollector, discovery: AzureDiscovery,
                               source: str) -> list[AzureResource]:
    """Every resource of every tenant and subscription that answers (failures are report
    errors: a tenant that wants its own sign-in, a subscription that may not be read)."""
    found: list[AzureResource] = []
    tenants = await collector.attempt(source, "list tenants", discovery.tenants)
    for tenant in tenants.items if tenants else ():
        subscriptions = await collector.attempt(
            source, "list subscriptions", lambda t=tenant.tenant_id: discovery.subscriptions(t),
            subject=tenant.name)
        for subscription in subscriptions.items if subscriptions else ():
            page = await collector.attempt(
                source, "list resources",
                lambda s=subscription: discovery.resources(s.tenant_id, s.subscription_id),
                subject=f"{tenant.name} / {subscription.name}")
            found.extend(page.items if page else ())
            collector.tell(f"{source}: resources", len(found), None)
    return found


async def audit_discovered(collector: InventoryCollector, connection: Connection) -> None:
    """Discover, then audit each resource with the kind that opens it."""
    source = connection.display_name
    discovery = open_azure(collector.session, connection)
    by_type = {kind.resource_type: kind for kind in collector.kinds.values()
               if kind.resource_type and kind.connection_for_resource}
    for resource in await discovered_resources(collector, discovery, source):
        kind = by_type.get(resource.type)
        if kind is None or kind.connection_for_resource is None or not resource.endpoint:
            continue
        sign_in = Connection(connection.kind, connection.url, connection.auth,
                             tenant_id=resource.tenant_id or connection.tenant_id,
                             client_id=connection.client_id,
                             certificate_path=connection.certificate_path,
                             secret_env=connection.secret_env, read_only=True,
                             ca_path=connection.ca_path, secret=connection.secret)
        try:
            target = kind.connection_for_resource(resource.endpoint, sign_in, None)
        except InvalidInput as error:
            collector.errors.add(source, "open", error, subject=resource.name)
            continue
        await kind.audit(collector, target)
