"""Azure Resource Graph: ``POST /providers/Microsoft.ResourceGraph/resources``.

The body is a ``QueryRequest`` (``subscriptions``?, ``managementGroups``?, ``query``,
``options``: ``$top`` 1..1000 (default 100), ``$skip``, ``$skipToken``, ``resultFormat``
``objectArray`` (default) or ``table``, ``allowPartialScopes``). The scope is the listed
subscriptions that are the token tenant's and readable (none listed: all such); rows come in
``id`` order unless the query orders them. When rows remain, the answer carries an opaque
``$skipToken`` and ``resultTruncated: "false"`` — unless the result has no ``id`` column, which
Resource Graph cannot page: then it says ``resultTruncated: "true"`` and gives no token.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from typing import Any

from vaultbrowser.emulators.arm.cosmos_accounts import graph_row as cosmos_graph_row
from vaultbrowser.emulators.arm.errors import ArmError, authorization_failed
from vaultbrowser.emulators.arm.graph_query import Query, QueryError, parse
from vaultbrowser.emulators.arm.redis_enterprise import graph_rows as redis_graph_rows
from vaultbrowser.emulators.arm.rendering import GRAPH_COLUMNS, graph_row
from vaultbrowser.emulators.arm.routing import Ctx, Reply, Route
from vaultbrowser.emulators.arm.world import KeyVault, StorageAccount

DEFAULT_TOP = 100
MAX_TOP = 1000
_INVALID_QUERY = ("Query is invalid. Please refer to the documentation for the Azure Resource "
                  "Graph service and fix the error before retrying.")


async def query_resources(ctx: Ctx) -> Reply:
    tenant = ctx.world.tenant(ctx.claims.tenant_id)
    if tenant is not None and not tenant.resource_graph_allowed:
        raise authorization_failed(ctx.claims.upn, ctx.claims.object_id,
                                   "Microsoft.ResourceGraph/resources/read",
                                   "/providers/Microsoft.ResourceGraph", refresh_hint=False)
    body = await ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise _bad_request(ctx, {"code": "InvalidRequestContent",
                                 "message": "The request content must be a JSON object with a "
                                            "'query' string."})
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise _bad_request(ctx, {"code": "InvalidRequestContent",
                                 "message": "'options' must be an object."})
    try:
        query = parse(body["query"], GRAPH_COLUMNS)
    except QueryError as exc:
        raise _bad_request(ctx, {"code": "InvalidQuery", "message": _INVALID_QUERY},
                           exc.detail()) from exc
    scope = _scope(ctx, body.get("subscriptions"))
    rows = query.run(_rows(ctx, scope))
    top = _int_option(ctx, options, "$top", DEFAULT_TOP, 1, MAX_TOP)
    fingerprint = _fingerprint(body["query"], scope)
    token = options.get("$skipToken")
    if token:
        start = _decode_token(ctx, str(token), fingerprint)
    else:
        start = _int_option(ctx, options, "$skip", 0, 0, 1 << 31)
    page = rows[start:start + top]
    answer: dict[str, Any] = {"totalRecords": len(rows), "count": len(page),
                              "resultTruncated": "false"}
    if start + top < len(rows):
        if "id" in query.columns:
            answer["$skipToken"] = _encode_token(start + top, fingerprint)
        else:
            answer["resultTruncated"] = "true"
    answer["data"] = _format(query, page, options.get("resultFormat"))
    answer["facets"] = []
    return Reply(body=answer)


def _scope(ctx: Ctx, listed: Any) -> list[str]:
    """The subscription ids the query runs over (readable ones of the token's tenant)."""
    readable = [s.id for s in ctx.world.subscriptions_of(ctx.claims.tenant_id) if s.readable]
    if not isinstance(listed, list) or not listed:
        return readable
    wanted = {str(item).lower() for item in listed}
    return [sid for sid in readable if sid.lower() in wanted]


def _rows(ctx: Ctx, scope: list[str]) -> list[dict[str, Any]]:
    inside = {sid.lower() for sid in scope}
    resources: list[KeyVault | StorageAccount] = [
        r for r in (*ctx.world.vaults, *ctx.world.storage_accounts)
        if r.subscription_id.lower() in inside
    ]
    rows = [graph_row(resource, ctx.world) for resource in resources]
    for cluster in ctx.world.redis_clusters:
        if cluster.subscription_id.lower() in inside:
            rows.extend(redis_graph_rows(cluster, ctx.world))
    rows.extend(cosmos_graph_row(account, ctx.world) for account in ctx.world.cosmos_accounts
                if account.subscription_id.lower() in inside)
    rows.sort(key=lambda row: row["id"].lower())
    return rows


def _format(query: Query, page: list[dict[str, Any]], result_format: Any) -> Any:
    if str(result_format or "objectArray").lower() != "table":
        return page
    columns = list(query.columns)
    return {
        "columns": [{"name": name, "type": GRAPH_COLUMNS.get(name, "object")}
                    for name in columns],
        "rows": [[row.get(name) for name in columns] for row in page],
    }


def _int_option(ctx: Ctx, options: dict[str, Any], name: str, default: int, low: int,
                high: int) -> int:
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad_request(ctx, {"code": "InvalidOptionValue",
                                 "message": f"The value of option '{name}' must be an integer "
                                            f"between {low} and {high}."})
    return value


def _fingerprint(text: str, scope: list[str]) -> str:
    raw = json.dumps([text, sorted(s.lower() for s in scope)]).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _encode_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"$skip": offset, "q": fingerprint}).encode()
    return base64.b64encode(raw).decode()


def _decode_token(ctx: Ctx, token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.b64decode(token, validate=True))
        offset, made_for = data["$skip"], data["q"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _invalid_token(ctx) from exc
    if not isinstance(offset, int) or offset < 0 or made_for != fingerprint:
        raise _invalid_token(ctx)
    return offset


def _invalid_token(ctx: Ctx) -> ArmError:
    return _bad_request(ctx, {"code": "InvalidSkipToken",
                              "message": "The skip token is invalid for this query and scope."})


def _bad_request(ctx: Ctx, *details: dict[str, Any]) -> ArmError:
    """Resource Graph's 400: a support message naming the correlation id, then details."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    message = ("Please provide below info when asking for support: timestamp = "
               f"{stamp}, correlationId = {ctx.correlation_id}.")
    return ArmError(400, "BadRequest", message, details=list(details))


ROUTES: list[Route] = [
    ("POST", "/providers/Microsoft.ResourceGraph/resources", query_resources),
]
