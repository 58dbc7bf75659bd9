"""Cosmos DB's names for its requests in the audit trail ("query items", "upsert item").

Given to the account's transport (``opening.open_service``), which names each request as it is
sent: a query, a create and an upsert are all POSTs to the same ``…/docs`` feed, and only their
headers tell them apart (``read_requests``). The REST paths alternate a feed and a resource's
id: ``/dbs/{db}/colls/{container}/docs/{id}``; the name comes from the last feed and whether an
id follows it, never from the ids themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from vaultbrowser.cosmos.services.read_requests import header_value

# Feeds by (one, many) in the trail's words.
_NOUNS = {"dbs": ("database", "databases"), "colls": ("container", "containers"),
          "docs": ("item", "items"), "offers": ("throughput offer", "throughput offers"),
          "pkranges": ("partition key range", "partition key ranges"),
          "users": ("user", "users"), "permissions": ("permission", "permissions"),
          "sprocs": ("stored procedure", "stored procedures"),
          "triggers": ("trigger", "triggers"),
          "udfs": ("user-defined function", "user-defined functions"),
          "conflicts": ("conflict", "conflicts"), "attachments": ("attachment", "attachments"),
          "clientencryptionkeys": ("client encryption key", "client encryption keys")}
_RESOURCE_VERBS = {"GET": "read", "HEAD": "read", "PUT": "replace", "PATCH": "patch",
                   "DELETE": "delete"}


def _is_set(headers: Mapping[str, str], name: str) -> bool:
    return header_value(headers, name).lower() not in ("", "false")


def _feed_operation(method: str, one: str, many: str, headers: Mapping[str, str]) -> str | None:
    if method in ("GET", "HEAD"):
        if many == "items" and header_value(headers, "a-im").lower() == "incremental feed":
            return "read change feed"
        return f"list {many}"
    if method != "POST":
        return None
    if _is_set(headers, "x-ms-cosmos-is-batch-request"):
        return f"{one} batch"
    if _is_set(headers, "x-ms-documentdb-is-upsert"):
        return f"upsert {one}"
    if _is_set(headers, "x-ms-documentdb-isquery"):
        return f"query {many}"
    return f"create {one}"


def cosmos_operation_name(method: str, url: str, headers: Mapping[str, str]) -> str | None:
    """The name of a Cosmos DB request; None for a path of no feed it knows."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    method = method.upper()
    if not segments:
        return "read account" if method in ("GET", "HEAD") else None
    is_feed = len(segments) % 2 == 1
    feed = segments[-1 if is_feed else -2].lower()
    if feed not in _NOUNS:
        return None
    one, many = _NOUNS[feed]
    if is_feed:
        return _feed_operation(method, one, many, headers)
    if method == "POST" and feed == "sprocs":
        return "execute stored procedure"
    verb = _RESOURCE_VERBS.get(method)
    return f"{verb} {one}" if verb is not None else None
