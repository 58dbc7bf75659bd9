"""The account's own details (default consistency, regions) from the read the client makes.

azure-cosmos reads the account (``GET /`` of the endpoint) when it opens and again when it
refreshes its regions, but its async client has no public way to hand that read out
(``_get_database_account`` is private). The client does take azure-core's documented
``raw_response_hook`` for every response without a hook of its own; ``AccountRead`` is that
hook: it keeps the latest account read's facts, with the call's ``ResponseInfo``. Nothing extra
is sent, and the body was already held to the transport's response limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vaultbrowser.core.services.http.capture import info_for
from vaultbrowser.core.services.records import ResponseInfo

_MAX_REGIONS = 50  # the service's regions per account stay far below it


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the account says of itself (its read by the data plane, not ARM's view)."""

    id: str
    consistency: str | None  # the default consistency level ("Session", "Strong"…)
    write_regions: tuple[str, ...]
    read_regions: tuple[str, ...]
    multiple_write_regions: bool | None
    response: ResponseInfo | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any],
                  response: ResponseInfo | None = None) -> AccountFacts:
        policy = data.get("userConsistencyPolicy")
        level = policy.get("defaultConsistencyLevel") if isinstance(policy, Mapping) else None
        multiple = data.get("enableMultipleWriteLocations")
        return cls(str(data.get("id") or ""), level if isinstance(level, str) else None,
                   _regions(data.get("writableLocations")),
                   _regions(data.get("readableLocations")),
                   multiple if isinstance(multiple, bool) else None, response)


def _regions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = (entry.get("name") for entry in value[:_MAX_REGIONS] if isinstance(entry, Mapping))
    return tuple(name for name in names if isinstance(name, str) and name)


class AccountRead:
    """The client's ``raw_response_hook``: keeps the latest account read (``facts``).

    Any other response passes untouched (one method and path compare); a body that is not an
    account's JSON leaves the last facts as they were.
    """

    def __init__(self) -> None:
        self.facts: AccountFacts | None = None

    @property
    def hooks(self) -> dict[str, Any]:
        """The client's keyword argument (``CosmosClient(..., **read.hooks)``)."""
        return {"raw_response_hook": self.on_response}

    def on_response(self, pipeline_response: Any) -> None:
        request, response = pipeline_response.http_request, pipeline_response.http_response
        if request.method != "GET" or response.status_code != 200:
            return
        try:
            if urlsplit(request.url).path not in ("", "/"):
                return
            data = json.loads(response.text())
        except (ValueError, TypeError, AttributeError):
            return
        if isinstance(data, Mapping) and "userConsistencyPolicy" in data:
            self.facts = AccountFacts.from_wire(data, info_for(response))
