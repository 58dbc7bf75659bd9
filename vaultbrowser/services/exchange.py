"""Pure HTTP exchange data: redaction, the session journal and its records (no azure imports).

Kept apart from ``http.py`` (which wraps azure-core's transport) so that the window, the activity
panel and the audit trail can be imported, and painted, before the SDK is loaded.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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



RequestGuard = Callable[[str, str], None]
"""Called with (method, url) before a request is sent; raises to refuse it."""


# --- logs ------------------------------------------------------------------------------------

# Credentials as they appear inside log messages of libraries we do not control (an event
# loop's executor logging a URL argument, an SDK quoting a connection string…).
_LOG_SECRETS = (
    (re.compile(r"(?i)([?&](?:" + "|".join(sorted(SENSITIVE_QUERY)) + r")=)[^&\s'\"<>)\]`]+"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)((?:AccountKey|SharedAccessSignature|SharedAccessKey)\s*=\s*)"
                r"[^;\s'\"`]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)((?:Bearer|SharedKey|Basic)\s+)[A-Za-z0-9\-_.=~+/:]{8,}"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)(['\"](?:authorization|client_secret|access_token|refresh_token|"
                r"id_token|password|account_key)['\"]\s*:\s*['\"])[^'\"]+"), r"\1" + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
)


def redact_text(text: str) -> str:
    """``text`` with credential-looking parts replaced: SAS signatures and other sensitive query
    values, account keys, bearer/shared-key authorization values, JWTs."""
    for pattern, replacement in _LOG_SECRETS:
        text = pattern.sub(replacement, text)
    return text


_installed_factory: Callable[..., logging.LogRecord] | None = None


def install_log_redaction() -> None:
    """Redact credentials from every log record of the process, whoever logs it (idempotent).

    A log record factory sees each record that will be emitted, from any logger, before any
    handler: its message and exception text are rendered and redacted there.
    """
    global _installed_factory
    current = logging.getLogRecordFactory()
    if current is _installed_factory:
        return
    previous = current

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error report
            return record
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(text)
        return record

    _installed_factory = factory
    logging.setLogRecordFactory(factory)
