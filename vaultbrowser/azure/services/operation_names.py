"""Resource Manager's and Resource Graph's names for the Azure sign-in's requests in the audit
trail ("list tenants", "list storage account keys", "list resources (Resource Graph query)").

Given to the sign-in's transport (``opener.open_azure``), which names each request as it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from vaultbrowser.core.services.http.operation_names import verb_of

# Resource types by their words in the trail; any other type is named by its own segment.
_TYPES = {"vaults": "key vault", "storageaccounts": "storage account",
          "databaseaccounts": "Cosmos DB account", "redisenterprise": "Redis cache"}


def arm_operation_name(method: str, url: str, _headers: Mapping[str, str]) -> str | None:
    """The name of a Resource Manager or Resource Graph request; None for another path."""
    try:
        lowered = [unquote(s).lower() for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    if lowered == ["tenants"]:
        return "list tenants"
    if lowered[:1] == ["subscriptions"] and len(lowered) <= 2:
        return "list subscriptions" if len(lowered) == 1 else "get subscription"
    if lowered == ["providers", "microsoft.resourcegraph", "resources"]:
        return "list resources (Resource Graph query)"
    if lowered[:1] != ["subscriptions"] or "providers" not in lowered:
        return None
    tail = lowered[lowered.index("providers") + 2:]
    noun = _TYPES.get(tail[0], tail[0]) if tail else "resource"
    if tail[-1:] == ["listkeys"]:
        return f"list {noun} keys"
    if len(tail) == 1:  # a type's own segment is plural already
        return f"list {noun}s" if tail[0] in _TYPES else f"list {noun}"
    return f"{verb_of(method)} {noun}"
