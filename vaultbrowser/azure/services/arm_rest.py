"""Plain REST calls to Resource Manager through a management client's pipeline, read as JSON:
what discovery needs of a provider with no ``azure-mgmt-*`` dependency of ours (Azure Managed
Redis, Cosmos DB): a few GETs, a list, a key listing (a POST).
"""

from __future__ import annotations

from typing import Any

MAX_LIST_PAGES = 100  # of one REST listing: past it, what was listed is kept


async def arm_json(client: Any, path: str, hooks: dict[str, Any], *, api_version: str,
                   method: str = "GET") -> dict[str, Any]:
    """``method`` ``path`` (or a ``nextLink``, which names its api-version) through
    ``client``'s pipeline, as JSON.

    Raises:
        HttpResponseError: ARM's error, as the generated clients raise it.
    """
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    params = {} if "api-version=" in path else {"api-version": api_version}
    send = getattr(client, "send_request", None) or client._send_request
    response = await send(HttpRequest(method, path, params=params), **hooks)
    if response.status_code != 200:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    answer = response.json()
    return answer if isinstance(answer, dict) else {}


async def arm_list(client: Any, path: str, hooks: dict[str, Any], *,
                   api_version: str) -> list[dict[str, Any]]:
    """Every row of an ARM list operation, following ``nextLink`` (at most
    ``MAX_LIST_PAGES`` pages).

    Raises:
        HttpResponseError: as ARM answers.
    """
    rows: list[dict[str, Any]] = []
    next_path: str | None = path
    for _ in range(MAX_LIST_PAGES):
        if not next_path:
            break
        answer = await arm_json(client, next_path, hooks, api_version=api_version)
        rows.extend(row for row in answer.get("value") or () if isinstance(row, dict))
        link = answer.get("nextLink")
        next_path = link if isinstance(link, str) and link else None
    return rows
