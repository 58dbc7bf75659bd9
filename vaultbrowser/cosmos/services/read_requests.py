"""Which Cosmos DB POSTs only read: queries (the read-only guard's rule for this kind).

A query is a POST to a feed (``/dbs``, ``…/colls``, ``…/docs``, ``/offers``…) with
``x-ms-documentdb-isquery: True`` and ``Content-Type: application/query+json``; the service
runs it as a query and nothing else. Creating an item is a POST to the same ``…/docs`` path
without those headers; an upsert, a batch, a stored procedure's execution each carry their own
header or path, so any of them refuses the request even when the query headers are there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

# The feeds a query reads: the last segment of the path.
_QUERY_FEEDS = frozenset({"dbs", "colls", "docs", "offers", "users", "permissions", "sprocs",
                          "triggers", "udfs", "conflicts", "pkranges", "clientencryptionkeys"})
# Headers of requests that write, whatever else they carry.
_WRITE_HEADERS = ("x-ms-documentdb-is-upsert", "x-ms-cosmos-is-batch-request",
                  "x-ms-cosmos-batch-atomic")


def header_value(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` (lower case), whatever its case in ``headers``; "" if absent."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return str(value).strip()


def cosmos_read_request(method: str, url: str, headers: Mapping[str, str]) -> str | None:
    """"a Cosmos DB query" when the request is one (see the module docstring), else None."""
    if method.upper() != "POST":
        return None
    try:
        path = urlsplit(url).path.rstrip("/")
    except ValueError:
        return None
    if path.rsplit("/", 1)[-1].lower() not in _QUERY_FEEDS:
        return None
    if header_value(headers, "x-ms-documentdb-isquery").lower() != "true":
        return None
    if not header_value(headers, "content-type").lower().startswith("application/query+json"):
        return None
    if any(header_value(headers, name).lower() not in ("", "false") for name in _WRITE_HEADERS):
        return None
    return "a Cosmos DB query"
