"""The one error tree of vaultbrowser.

Every failure the user can meet is one of these types. The service layer turns SDK and
transport exceptions into them (``vaultbrowser.core.services.translate``); the UI shows them. Each
error carries what happened (``message``), what to do next (``advice``) and the facts a support
engineer asks for (status, service error code, request id, time). None of them may carry a
secret value: messages are built from service error texts and our own words only, and every
text an error holds passes the one redaction (``vaultbrowser.core.services.redaction``) when it is
made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from vaultbrowser.core.services.redaction import redact_text, redact_url


class VaultBrowserError(Exception):
    """Base of every error vaultbrowser shows to a user.

    Attributes:
        message: what happened, in one or two sentences.
        advice: what the user can do next.
        status: HTTP status code when a response was received.
        error_code: the service's error code (``SecretNotFound``, ``ForbiddenByRbac``…).
        request_id: the service's request id (``x-ms-request-id``) when known.
        service_message: the service's own message text, verbatim.
        occurred_at: when the error was created (UTC).
    """

    title: ClassVar[str] = "Something went wrong"
    default_advice: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        advice: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        request_id: str | None = None,
        service_message: str | None = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        # Redacted here, once for every error wherever it is made: messages quote exceptions
        # and services, and those may quote a SAS URL or a connection string.
        message = redact_text(message)
        super().__init__(message)
        self.message = message
        self.advice = redact_text(advice) if advice is not None else self.default_advice
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.service_message = redact_text(service_message) if service_message else None
        self.method = method
        self.url = redact_url(url) if url else None
        self.retry_after = retry_after
        self.occurred_at = datetime.now(UTC)

    def diagnostics(self) -> dict[str, Any]:
        """The copyable facts of this error, for a dialog's details block or a bug report."""
        facts: dict[str, Any] = {
            "error": type(self).__name__,
            "message": self.message,
            "status": self.status,
            "error code": self.error_code,
            "request id": self.request_id,
            "request": f"{self.method} {self.url}" if self.method and self.url else None,
            "service message": self.service_message,
            "retry after (s)": self.retry_after,
            "time (UTC)": self.occurred_at.isoformat(timespec="seconds"),
        }
        return {key: value for key, value in facts.items() if value is not None}

    def diagnostics_text(self) -> str:
        return "\n".join(f"{key}: {value}" for key, value in self.diagnostics().items())

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(HTTP {self.status}{' ' + self.error_code if self.error_code else ''})")
        return " ".join(parts)


class AuthenticationRequired(VaultBrowserError):
    title = "Sign-in required"
    default_advice = (
        "Sign in again (for example `az login`), or choose another sign-in method for this "
        "connection."
    )


class AccessDenied(VaultBrowserError):
    title = "Access denied"
    default_advice = "Ask an administrator for a role that allows this operation."


class NotFound(VaultBrowserError):
    title = "Not found"
    default_advice = "It may have been deleted or renamed. Refresh the list."


class Conflict(VaultBrowserError):
    title = "Conflict"
    default_advice = "Refresh and try again."


class Throttled(VaultBrowserError):
    title = "Too many requests"
    default_advice = "The service is throttling requests. Wait a moment and try again."


class ServiceUnavailable(VaultBrowserError):
    title = "Service unavailable"
    default_advice = "The service answered with a server error. Try again in a moment."


class NetworkError(VaultBrowserError):
    title = "Network error"
    default_advice = (
        "Check the address, your network connection, proxy settings and firewall, then retry."
    )


class ReadOnlyRefused(VaultBrowserError):
    title = "Refused in read-only mode"
    default_advice = (
        "This connection is read-only: nothing was sent. Open it without read-only mode to make "
        "changes."
    )


class InvalidInput(VaultBrowserError):
    title = "Invalid input"
    default_advice = "Correct the value and try again."


class ServiceError(VaultBrowserError):
    """A response the more specific types do not cover (e.g. 400 BadParameter)."""

    title = "The service refused the request"


class Cancelled(VaultBrowserError):
    """The user (or a refresh) cancelled the operation. Never shown in a dialog."""

    title = "Cancelled"


class LocalFileError(VaultBrowserError):
    """A local file or folder could not be read or written (permission, disk full, bad path)."""

    title = "Local file problem"
    default_advice = "Check the path, its permissions and the free disk space, then try again."


class LimitExceeded(VaultBrowserError):
    """A response or a listing went past one of ``LimitSettings`` (``core.services.config``): a
    total deadline, a body or page size, items per page, a repeated continuation, endless
    empty pages. ``limit`` is the setting's name and ``value`` its value (None for a rule)."""

    title = "Response limit exceeded"
    default_advice = (
        "The server, or a proxy on the way, sent more than vaultbrowser accepts for one answer, "
        "or too slowly, or a listing that never ends. Retry; if it happens again, check the "
        "address and your proxy. Everything else keeps working."
    )

    def __init__(self, message: str, *, limit: str, value: float | None = None,
                 **facts: Any) -> None:
        super().__init__(message, **facts)
        self.limit = limit
        self.value = value

    def diagnostics(self) -> dict[str, Any]:
        value = self.value
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return {**super().diagnostics(),
                "limit": self.limit if value is None else f"{self.limit} = {shown}"}
