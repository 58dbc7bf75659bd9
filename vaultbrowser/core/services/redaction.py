"""The one redaction of vaultbrowser: every text that leaves the service layer goes through here.

Error messages (``VaultBrowserError`` redacts its own texts when it is made), response infos and
activity rows (URLs and headers), log records of every library (``install_log_redaction``),
the audit trail and reports, crash dialogs. What goes: the SAS signature (``sig``; ``se``,
``sp`` and the rest of a SAS stay readable), OAuth codes and tokens in URLs, user info in URLs,
``AccountKey=`` / ``SharedAccessSignature=`` / ``SharedAccessKey=`` values, bearer and
shared-key authorization values, JWTs, credential headers (``Authorization``,
``x-ms-encryption-key``, …) and the SAS inside URL-valued headers (``x-ms-copy-source``).

Pure functions (no azure, no Qt): the window and the audit trail import them before the SDK.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# Headers whose whole value is a credential. Compared lower-case.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-ms-encryption-key",
        "x-ms-encryption-key-sha256",
        "x-ms-copy-source-authorization",
        "x-ms-authorization-auxiliary",
        "x-identity-header",
        "x-ms-client-secret",
        "x-ms-session-token",  # Cosmos DB: replays the caller's session (consistency)
        "secret",
    }
)
# Headers whose value is a URL that may carry a SAS: redacted as a URL (readable, no sig).
URL_HEADERS = frozenset(
    {"x-ms-copy-source", "x-ms-rename-source", "x-ms-source-url", "location",
     "content-location", "x-ms-copy-source-url"}
)
# Query parameters that are credentials: SAS signatures, OAuth codes and tokens.
SENSITIVE_QUERY = frozenset(
    {"sig", "signature", "code", "client_secret", "access_token", "token", "password", "skoid"}
)

_QUERY_NAMES = "|".join(sorted(SENSITIVE_QUERY))
_HEADER_NAMES = "|".join(re.escape(name) for name in sorted(SENSITIVE_HEADERS - {"secret"}))
# Credentials as they appear inside free text: exception messages, log lines of libraries we
# do not control, reprs. Each pattern keeps its lead-in (group 1) and replaces the value.
_TEXT_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a sensitive query parameter, raw (?sig= &sig=) or URL-encoded inside another URL
    # (%3Fsig%3D, %26sig%3D)
    (re.compile(r"(?i)((?:[?&]|%3F|%26)(?:" + _QUERY_NAMES + r")(?:=|%3D))"
                r"(?:(?!%26)[^&\s'\"<>)\]`;])+"),
     r"\1" + REDACTED),
    # a SAS signature anywhere else: a bare token that starts with it, after a quote or space
    (re.compile(r"(?i)((?:^|[;\s'\"(`])(?:sig|signature|skoid)=)[^&\s'\"<>)\]`;]+"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)((?:AccountKey|SharedAccessSignature|SharedAccessKey)\s*=\s*)"
                r"[^;\s'\"`]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)((?:Bearer|SharedKey|Basic)\s+)[A-Za-z0-9\-_.=~+/:]{8,}"),
     r"\1" + REDACTED),
    # a credential header in a dump ("x-ms-encryption-key: …", "'Authorization': '…'")
    (re.compile(r"(?i)((?:^|[\s{,(])['\"]?(?:" + _HEADER_NAMES + r")['\"]?\s*[:=]\s*['\"]?)"
                r"(?!Bearer\b|SharedKey\b|Basic\b|" + REDACTED + r")[^'\"\s,}]+"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)(['\"](?:authorization|client_secret|access_token|refresh_token|"
                r"id_token|password|account_key)['\"]\s*:\s*['\"])[^'\"]+"), r"\1" + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
)


def redact_text(text: str) -> str:
    """``text`` with credential-looking parts replaced (see the module docstring)."""
    for pattern, replacement in _TEXT_SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact_url(url: str) -> str:
    """The URL with credentials removed: user info and sensitive query values; the path, the
    fragment and other query values pass through ``redact_text`` (a URL nested in a parameter
    or a name keeps no signature)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    # A path or fragment may hold an encoded SAS too (a blob named after a pasted SAS URL).
    path, fragment = redact_text(parts.path), redact_text(parts.fragment)
    if not parts.query:
        return urlunsplit((parts.scheme, netloc, path, "", fragment))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(
        [(k, REDACTED if k.strip("?&;").lower() in SENSITIVE_QUERY else redact_text(v))
         for k, v in pairs],
        safe="/:,",
    )
    # Once more over the whole: a key spelled oddly ("??sig") may come out encoded ("%3Fsig").
    return redact_text(urlunsplit((parts.scheme, netloc, path, query, fragment)))


def redact_header(name: str, value: Any) -> str:
    lowered = name.lower()
    if lowered in SENSITIVE_HEADERS:
        return REDACTED
    text = str(value)
    if lowered in URL_HEADERS:
        return redact_url(text)
    return redact_text(text)


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((key, redact_header(key, value)) for key, value in items)


# --- logs ------------------------------------------------------------------------------------

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
