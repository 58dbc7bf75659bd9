"""HTTP metadata as data: redaction, the recording transport, the session journal, per-call capture.

Every SDK client we build gets a ``RecordingTransport``: the last stop before the wire, shared by
the Key Vault and Storage pipelines alike. It times each real HTTP exchange (challenge 401s and
retries included), turns it into a redacted ``ResponseInfo`` and appends it to the session's
``HttpJournal`` (the activity panel's source). A per-call ``ResponseCapture`` (azure-core's
``raw_response_hook``) then picks the ``ResponseInfo`` of the response that produced a result.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from azure.core.pipeline.transport import AsyncHttpTransport

from vaultbrowser.services.identity import identity_from_authorization
from vaultbrowser.services.records import ResponseInfo

REDACTED = "REDACTED"

# Headers whose values are credentials or may carry them. Compared lower-case.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-ms-encryption-key",
        "x-ms-copy-source-authorization",
        "x-ms-authorization-auxiliary",
        "x-identity-header",
        "x-ms-client-secret",
        "secret",
    }
)
# Query parameters that are credentials: SAS signatures, OAuth codes and tokens.
SENSITIVE_QUERY = frozenset(
    {"sig", "signature", "code", "client_secret", "access_token", "token", "password", "skoid"}
)

_REQUEST_ID_HEADERS = ("x-ms-request-id", "x-ms-client-request-id", "apim-request-id")


def redact_url(url: str) -> str:
    """The URL with credentials removed: user info and sensitive query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if not parts.query:
        return urlunsplit((parts.scheme, netloc, parts.path, "", parts.fragment))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(
        [(k, REDACTED if k.lower() in SENSITIVE_QUERY else v) for k, v in pairs], safe="/:,"
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple(
        (key, REDACTED if key.lower() in SENSITIVE_HEADERS else str(value)) for key, value in items
    )


def request_id_of(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One HTTP attempt of the session: a response, or the failure that prevented one."""

    response: ResponseInfo | None
    method: str
    url: str
    started_at: datetime
    elapsed: float
    failure: str | None = None  # exception type and message when no response was received
    authorized: bool = True  # whether the request carried credentials (header or SAS)
    connection: str = ""  # the connection's display name
    identity: str | None = None  # who, from the credentials' claims (never the credentials)
    refused: bool = False  # refused before sending (read-only mode)

    @property
    def is_auth_challenge(self) -> bool:
        """Key Vault's bearer challenge: the SDK's first request goes without a token on
        purpose and the 401 tells it where to get one. Protocol, not a failure."""
        return (not self.authorized and self.response is not None
                and self.response.status == 401
                and self.response.header("WWW-Authenticate") is not None)

    @property
    def failed(self) -> bool:
        if self.is_auth_challenge:
            return False
        return self.response is None or self.response.status >= 400


class HttpJournal:
    """Every HTTP exchange of the session, newest last, bounded; listeners hear each one."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._records: deque[ExchangeRecord] = deque(maxlen=capacity)
        self._listeners: list[Callable[[ExchangeRecord], None]] = []

    def add_listener(self, listener: Callable[[ExchangeRecord], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[ExchangeRecord], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def record(self, record: ExchangeRecord) -> None:
        self._records.append(record)
        for listener in list(self._listeners):
            listener(record)

    def records(self) -> list[ExchangeRecord]:
        return list(self._records)

    def __len__(self) -> int:
        return len(self._records)


# The ResponseInfo of each live SDK response object, for the per-call hook to find.
_INFO_BY_RESPONSE: weakref.WeakKeyDictionary[Any, ResponseInfo] = weakref.WeakKeyDictionary()

RequestGuard = Callable[[str, str], None]
"""Called with (method, url) before a request is sent; raises to refuse it."""


class RecordingTransport(AsyncHttpTransport):
    """Wraps a real azure-core async transport: records, times and (optionally) guards requests.

    Several clients may share one ``RecordingTransport`` (and so one aiohttp session); it is
    closed by its owner, not by the clients (``close``/``__aexit__`` of a client must not close
    a shared session), which is why the wrapped transport's context methods are not forwarded.
    """

    def __init__(
        self,
        inner: AsyncHttpTransport,
        journal: HttpJournal | None = None,
        guard: RequestGuard | None = None,
        connection: str = "",
    ) -> None:
        # Named like azure-core's own transport wrappers: azure-storage's shared-key signer looks
        # for ``_transport`` to learn that aiohttp sends the request (it signs paths accordingly).
        self._transport = inner
        self._journal = journal
        self._guard = guard
        self._connection = connection

    async def send(self, request: Any, **kwargs: Any) -> Any:
        method = request.method.upper()
        has_sas = "sig=" in request.url
        authorization = request.headers.get("Authorization")
        facts = {
            "authorized": bool(authorization) or has_sas,
            "connection": self._connection,
            "identity": identity_from_authorization(authorization, has_sas),
        }
        started_at = datetime.now(UTC)
        start = time.perf_counter()
        refused = False
        try:
            if self._guard is not None:
                refused = True
                self._guard(method, request.url)
                refused = False
            response = await self._transport.send(request, **kwargs)
        except BaseException as exc:
            if self._journal is not None:
                self._journal.record(
                    ExchangeRecord(
                        response=None,
                        method=method,
                        url=redact_url(request.url),
                        started_at=started_at,
                        elapsed=time.perf_counter() - start,
                        failure=("Refused: read-only" if refused
                                 else f"{type(exc).__name__}: {exc}"[:500]),
                        refused=refused,
                        **facts,
                    )
                )
            raise
        elapsed = time.perf_counter() - start
        info = response_info_from(response, method=method, url=request.url,
                                  elapsed=elapsed, started_at=started_at)
        _INFO_BY_RESPONSE[response] = info
        if self._journal is not None:
            self._journal.record(
                ExchangeRecord(response=info, method=method, url=info.url,
                               started_at=started_at, elapsed=elapsed, **facts)
            )
        return response

    async def open(self) -> None:
        await self._transport.open()

    async def close(self) -> None:
        """Does nothing: the owner closes the shared transport with ``aclose``."""

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> RecordingTransport:
        await self._transport.open()
        return self

    async def __aexit__(self, *args: Any) -> None:
        """Clients enter and leave their transport; the shared session outlives them."""

    async def sleep(self, duration: float) -> None:
        await self._transport.sleep(duration)


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
