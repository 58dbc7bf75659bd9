"""Cosmos DB failures → our error tree, with Cosmos advice.

``core.services.translate`` maps any ``HttpResponseError`` by status; this refines what it made
when the cause was a ``CosmosHttpResponseError``: the service's body (``{"code", "message"}``,
the message holding ``ActivityId: …`` and, for a query, a JSON list of errors with their
location in the SQL) becomes the message, the advice names the data-plane role, and a query's
syntax error carries where it is. Nothing quotes a request: no key or token can leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from azure.cosmos.exceptions import CosmosHttpResponseError

from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    Conflict,
    InvalidInput,
    ServiceError,
    VaultBrowserError,
)
from vaultbrowser.core.services.translate import translate_error

READER_ROLE = "Cosmos DB Built-in Data Reader"
CONTRIBUTOR_ROLE = "Cosmos DB Built-in Data Contributor"
_ROLE_COMMAND = (
    "az cosmosdb sql role assignment create --account-name <account> --resource-group <group> "
    "--scope / --principal-id <your object id> --role-definition-name "
)
_RBAC_ADVICE = (
    f"Your identity has no Cosmos DB data-plane role for this (Azure roles such as Owner or "
    f"Contributor do not reach the data). Ask for \"{READER_ROLE}\" (browse and query) or "
    f"\"{CONTRIBUTOR_ROLE}\" (change items), e.g. `{_ROLE_COMMAND}\"{READER_ROLE}\"`."
)
_LOCAL_AUTH_ADVICE = (
    "The account's local (key) authentication is disabled: sign in with Microsoft Entra ID "
    f"instead of the key or connection string, with a data-plane role (\"{READER_ROLE}\")."
)
_KEY_ADVICE = (
    "The account key was not accepted: it may have been regenerated. Copy the current key or "
    "connection string from the account's Keys page, or sign in with Entra ID."
)
_FIREWALL_ADVICE = (
    "The account's firewall does not allow your network. Ask for your IP address to be added "
    "to its network settings, or connect through an allowed network or private endpoint."
)


@dataclass(frozen=True)
class QueryProblem:
    """One error the service found in a query: where (offsets into the SQL) and what."""

    start: int
    end: int
    code: str
    message: str

    def line_column(self, sql: str) -> tuple[int, int]:
        """Where ``start`` is in ``sql``: (line, column), both counted from 1."""
        before = sql[: max(0, min(self.start, len(sql)))]
        return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


class QuerySyntaxError(InvalidInput):
    """The service could not parse the query; ``problems`` say where (the editor marks them)."""

    title = "Query error"
    default_advice = "Correct the query where it is marked and run it again."

    def __init__(self, message: str, *, problems: tuple[QueryProblem, ...] = (),
                 **facts: Any) -> None:
        super().__init__(message, **facts)
        self.problems = problems


class PartitionKeyMismatch(InvalidInput):
    """The item's partition key value is not the one the request named."""

    title = "Partition key mismatch"
    default_advice = ("The item's partition key property must hold the partition it is saved "
                      "in: moving an item to another partition is a delete and a create.")


class CrossPartitionQueryRefused(InvalidInput):
    title = "Cross-partition query refused"
    default_advice = "Scope the query to one partition key value, or allow cross-partition."


class RequestTooLarge(InvalidInput):
    title = "Too large"
    default_advice = "A Cosmos DB item is at most 2 MB: make it smaller or split it."


def body_of(exc: CosmosHttpResponseError) -> tuple[str | None, str]:
    """The service's error code and message text (its ActivityId and SDK lines cut off)."""
    raw = exc.http_error_message
    text = raw if isinstance(raw, str) else str(raw or "")
    code: str | None = None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        code = data.get("code") if isinstance(data.get("code"), str) else None
        text = str(data.get("message") or "")
    # What follows is for support, not the user: the activity id (kept apart), the request
    # timings, and the payload the service signed (a wrong key's 401).
    text = re.split(r"\r?\n\s*ActivityId:|,?\s*RequestStartTime:|\s*Server used the following "
                    r"payload to sign", text, maxsplit=1)[0]
    return code, text.strip()


def query_problems(text: str) -> tuple[QueryProblem, ...]:
    """The ``{"errors": [...]}`` a query's message holds (after ``Message: ``), if any."""
    start = text.find('{"errors"')
    if start < 0:
        return ()
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except ValueError:
        return ()
    problems = []
    for error in data.get("errors") or () if isinstance(data, dict) else ():
        if not isinstance(error, dict):
            continue
        where = error.get("location") if isinstance(error.get("location"), dict) else {}
        begin, end = where.get("start", 0), where.get("end", 0)
        problems.append(QueryProblem(begin if isinstance(begin, int) else 0,
                                     end if isinstance(end, int) else 0,
                                     str(error.get("code") or ""),
                                     str(error.get("message") or "")))
    return tuple(problems)


def cosmos_error(exc: BaseException) -> VaultBrowserError:
    """The typed error of any failure met talking to Cosmos DB (``translate_error``, refined
    for a ``CosmosHttpResponseError``)."""
    general = translate_error(exc)
    if not isinstance(exc, CosmosHttpResponseError) or exc.response is None:
        return general
    code, text = body_of(exc)
    lowered = text.lower()
    facts: dict[str, Any] = {
        "status": general.status, "error_code": code or general.error_code,
        "request_id": exc.headers.get("x-ms-activity-id") or general.request_id,
        "service_message": text or None, "method": general.method, "url": general.url,
        "retry_after": general.retry_after,
    }
    status, sub_status = general.status, exc.sub_status
    if status == 401:
        local_disabled = "local authorization is disabled" in lowered
        wrong_key = any(hint in lowered for hint in ("wrong key", "master", "signature"))
        return AuthenticationRequired(
            text or "The account did not accept the sign-in.",
            advice=_LOCAL_AUTH_ADVICE if local_disabled else _KEY_ADVICE if wrong_key else None,
            **facts)
    if status == 403:
        if "firewall" in lowered or "ip address" in lowered or "public network" in lowered:
            advice = _FIREWALL_ADVICE
        elif "local authorization is disabled" in lowered:
            advice = _LOCAL_AUTH_ADVICE
        else:
            advice = _RBAC_ADVICE
        return AccessDenied(text or "You are not allowed to do this.", advice=advice, **facts)
    if status == 400:
        problems = query_problems(text)
        if problems:
            first = problems[0]
            return QuerySyntaxError(f"The query has an error: {first.message}",
                                    problems=problems, **facts)
        if sub_status == 1001 or "partitionkey extracted from document" in lowered or (
                "partition key" in lowered and "match" in lowered):
            return PartitionKeyMismatch(
                text or "The item's partition key does not match the request.", **facts)
        if "cross partition query" in lowered:
            return CrossPartitionQueryRefused(text, **facts)
        return ServiceError(text or "The service refused the request (HTTP 400).", **facts)
    if status == 413:
        return RequestTooLarge(text or "The request is too large.", **facts)
    if status in (404, 409, 412, 429) or (status or 0) >= 500:
        # the general type and advice with the service's own words (429: ours say the wait)
        advice = general.advice
        if status == 409 and isinstance(general, Conflict):
            advice = "An item with this id already exists in this partition: choose another id."
        message = general.message if status == 429 else text or general.message
        return type(general)(message, advice=advice, **facts)
    return general


@asynccontextmanager
async def cosmos_translated() -> AsyncIterator[None]:
    """Re-raise any failure of the block as its typed Cosmos error (see ``cosmos_error``).
    A typed error that ``core`` made from a Cosmos failure (``fetch_page``) is refined too."""
    try:
        yield
    except VaultBrowserError as exc:
        cause = exc.__cause__
        if isinstance(cause, CosmosHttpResponseError):
            raise cosmos_error(cause) from cause
        raise
    except Exception as exc:
        raise cosmos_error(exc) from exc
