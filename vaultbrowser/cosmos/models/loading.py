"""A selected row's details, fetched: a container's properties (indexing policy, TTL,
conflict resolution) and throughput; an item as the listing brought it (its JSON and the
listing's call)."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.models.details import Details
from vaultbrowser.cosmos.models.details import describe, describe_container
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot


async def load_details(record: Any, root: Any) -> Details:
    """Raises ``VaultBrowserError``: the typed error of the read."""
    if isinstance(record, ContainerRow) and isinstance(root, CosmosRoot):
        from vaultbrowser.cosmos.services.details import container_details

        service = await root.service.opened()
        result = await container_details(service, record.record)
        return describe_container(record, result.value, result.response)
    return describe(record)
