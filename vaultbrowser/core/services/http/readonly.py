"""Read-only mode's guarantee: the transport refuses every request that could change data.

The check runs in ``RecordingTransport.send``, the last step of every SDK pipeline (Key Vault
and Blob alike) before the wire, so no policy, retry or UI bug can get a write past it.
Identity traffic (token requests) goes through the credentials' own pipelines and is untouched.
"""

from __future__ import annotations

from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.http.journal import RequestGuard
from vaultbrowser.core.services.redaction import redact_url

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_only_guard(connection_name: str) -> RequestGuard:
    """A ``RequestGuard`` for a read-only connection.

    Raises (from the guard):
        ReadOnlyRefused: the method is not GET, HEAD or OPTIONS; nothing was sent.
    """

    def guard(method: str, url: str) -> None:
        if method.upper() not in SAFE_METHODS:
            safe_url = redact_url(url)
            raise ReadOnlyRefused(
                f"{connection_name} is read-only: vaultbrowser refused to send "
                f"{method.upper()} {safe_url.split('?', 1)[0]}. Nothing was sent.",
                method=method.upper(),
                url=safe_url,
            )

    return guard
