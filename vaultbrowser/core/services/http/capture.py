"""Per-call capture: the ``ResponseInfo`` of the SDK response that produced a result.

``RecordingTransport`` (``transport.py``) notes each response's redacted ``ResponseInfo`` here
(``note_response_info``); a per-call ``ResponseCapture`` (azure-core's ``raw_response_hook``)
then picks it up. Apart from the transport so that the services' modules, which every kind's
view imports before the window's first paint, do not import azure-core (~40 ms) with it: the
transport loads in the background (``sdk_imports``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from vaultbrowser.core.services.http.journal import request_id_of
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.services.redaction import redact_headers, redact_url

# The ResponseInfo of each live SDK response object, for the per-call hook to find.
_INFO_BY_RESPONSE: weakref.WeakKeyDictionary[Any, ResponseInfo] = weakref.WeakKeyDictionary()


def note_response_info(http_response: Any, info: ResponseInfo) -> None:
    """The transport's record of ``http_response`` (kept while the response lives)."""
    _INFO_BY_RESPONSE[http_response] = info


def response_info_from(
    http_response: Any,
    *,
    method: str | None = None,
    url: str | None = None,
    elapsed: float = 0.0,
    started_at: datetime | None = None,
) -> ResponseInfo:
    """Build a redacted ``ResponseInfo`` from an azure-core HTTP response."""
    request = getattr(http_response, "request", None)
    headers = http_response.headers
    return ResponseInfo(
        method=(method or getattr(request, "method", "") or "").upper(),
        url=redact_url(url or getattr(request, "url", "") or ""),
        status=int(http_response.status_code),
        reason=str(getattr(http_response, "reason", "") or ""),
        headers=redact_headers(headers),
        request_id=request_id_of(headers),
        elapsed=elapsed,
        started_at=started_at or datetime.now(UTC),
    )


def info_for(http_response: Any) -> ResponseInfo:
    """The recorded ``ResponseInfo`` of an SDK response, or one built now without timing."""
    info = _INFO_BY_RESPONSE.get(http_response)
    return info if info is not None else response_info_from(http_response)


class ResponseCapture:
    """Per-call capture: pass ``**capture.hooks`` to an SDK call, read ``last`` afterwards.

    For a paged listing the hook fires once per page request; ``take()`` hands back the newest
    response and forgets it, so each page gets the response that produced it.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: ResponseInfo | None = None

    @property
    def hooks(self) -> dict[str, Callable[[Any], None]]:
        return {"raw_response_hook": self._on_response}

    def _on_response(self, pipeline_response: Any) -> None:
        self._last = info_for(pipeline_response.http_response)

    @property
    def last(self) -> ResponseInfo | None:
        return self._last

    def take(self) -> ResponseInfo | None:
        last, self._last = self._last, None
        return last
