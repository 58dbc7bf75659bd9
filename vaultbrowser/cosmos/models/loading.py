"""A selected row's details, fetched: a container's properties (indexing policy, TTL,
conflict resolution) and throughput; an item read again (its newest version, and the call's
Cosmos headers)."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.models.details import Details
from vaultbrowser.cosmos.models.details import describe, describe_container, describe_item
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, ItemRow


async def load_details(record: Any, root: Any) -> Details:
    """Raises ``VaultBrowserError``: the typed error of the read."""
    if isinstance(record, ContainerRow) and isinstance(root, CosmosRoot):
        from vaultbrowser.cosmos.services.details import container_details

        service = await root.service.opened()
        result = await container_details(service, record.record)
        return describe_container(record, result.value, result.response)
    if isinstance(record, ItemRow) and isinstance(root, CosmosRoot):
        # A point read: the item's newest version, and the call's Cosmos headers
        from vaultbrowser.cosmos.services.items import read_item

        service = await root.service.opened()
        read = await read_item(service, record.container, record.id, record.partition_key)
        return describe_item(ItemRow(record.container, read.value), read.response)
    return describe(record)
