"""Read-only mode's guarantee: the transport refuses every request that could change data.

The check runs in ``RecordingTransport.send``, the last step of every SDK pipeline (Key Vault
and Blob alike) before the wire, so no policy, retry or UI bug can get a write past it.
Identity traffic (token requests) goes through the credentials' own pipelines and is untouched.

A few POSTs only read; they are allowed by exact path, one by one (``READ_ONLY_POSTS``), or by
the kind whose transport it is (``ReadOnlyRequest``: a Cosmos DB query is a POST that its
headers, not its path, tell from a write). Every other POST stays refused, listing a storage
account's keys included: it hands out credentials, and an auditor must not escalate that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.http.journal import RequestGuard
from vaultbrowser.core.services.redaction import redact_url

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# POSTs that only read, by path (case-insensitive, no trailing slash, nothing after it).
READ_ONLY_POSTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Resource Graph query",
     re.compile(r"/providers/microsoft\.resourcegraph/resources", re.IGNORECASE)),
)


# A kind's own rule for requests that only read although their method is not GET/HEAD/OPTIONS:
# called with (method, url, headers), it answers what the request does (for the record) or None.
ReadOnlyRequest = Callable[[str, str, Mapping[str, str]], str | None]


def allowed_read_only_post(url: str) -> str | None:
    """What a read-only POST to ``url`` does (for the record), or None when it is not one."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return next((what for what, pattern in READ_ONLY_POSTS if pattern.fullmatch(path)), None)


def read_only_guard(connection_name: str,
                    reads: ReadOnlyRequest | None = None) -> RequestGuard:
    """A ``RequestGuard`` for a read-only connection; ``reads`` is the kind's rule for the
    requests of its own that only read (None: the allowlist alone).

    Raises (from the guard):
        ReadOnlyRefused: the method is not GET, HEAD or OPTIONS, nor a POST that only reads
        (``READ_ONLY_POSTS``, or ``reads`` says so); nothing was sent.
    """

    def guard(method: str, url: str, headers: Mapping[str, str] | None = None) -> None:
        verb = method.upper()
        if verb == "POST" and allowed_read_only_post(url) is not None:
            return
        if reads is not None and verb not in SAFE_METHODS and reads(verb, url, headers or {}):
            return
        if verb not in SAFE_METHODS:
            safe_url = redact_url(url)
            raise ReadOnlyRefused(
                f"{connection_name} is read-only: vaultbrowser refused to send "
                f"{method.upper()} {safe_url.split('?', 1)[0]}. Nothing was sent.",
                method=method.upper(),
                url=safe_url,
            )

    return guard
