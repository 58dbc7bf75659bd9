"""Paging of list endpoints: ``maxresults`` validation, ``$skiptoken`` and ``nextLink``.

A collection keeps its names in a sorted list; a page is found by bisecting past the marker
carried in the skiptoken, so each page costs O(log n + page size) whatever the page number.
The skiptoken is URL-safe base64 of a small JSON document, like the service's opaque tokens.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from vaultbrowser.emulators.keyvault.errors import bad_parameter

MAX_RESULTS = 25


def parse_maxresults(query: dict[str, str]) -> int:
    """The page size asked for; 25 when absent.

    Raises:
        KvError: 400 BadParameter when not an integer in 1..25.
    """
    raw = query.get("maxresults")
    if raw is None or raw == "":
        return MAX_RESULTS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_RESULTS:
        raise bad_parameter(
            f"Invalid value '{raw}' for maxresults parameter. The value must be between 1 and "
            f"{MAX_RESULTS}."
        )
    return value


def encode_token(marker: str) -> str:
    """An opaque, URL-safe continuation token for ``marker``."""
    raw = json.dumps({"NextMarker": marker, "TargetLocation": 0}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> str:
    """The marker inside a token.

    Raises:
        KvError: 400 BadParameter for a token we did not make.
    """
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        marker = json.loads(raw)["NextMarker"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise bad_parameter("The specified skiptoken is invalid.") from exc
    if not isinstance(marker, str):
        raise bad_parameter("The specified skiptoken is invalid.")
    return marker


def page(
    sorted_keys: Sequence[str],
    query: dict[str, str],
    base_url: str,
    path: str,
    render: Callable[[str], dict[str, Any] | None],
) -> dict[str, Any]:
    """One page of a listing, ``{"value": [...], "nextLink": url | None}``.

    ``render`` turns a key into an item, or None to skip it (filtered items do not count
    toward the page size, as on the service).
    """
    size = parse_maxresults(query)
    token = query.get("$skiptoken")
    start = bisect.bisect_right(sorted_keys, decode_token(token)) if token else 0
    items: list[dict[str, Any]] = []
    index = start
    last = None
    while index < len(sorted_keys) and len(items) < size:
        key = sorted_keys[index]
        item = render(key)
        if item is not None:
            items.append(item)
            last = key
        index += 1
    next_link = None
    if index < len(sorted_keys) and last is not None:
        params = {
            "api-version": query.get("api-version", ""),
            "$skiptoken": encode_token(last),
            "maxresults": str(size),
        }
        next_link = f"{base_url}{path}?{urlencode(params, safe='$')}"
    return {"value": items, "nextLink": next_link}
