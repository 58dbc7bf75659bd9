"""One ``translate_error()``: azure-core / azure-identity / transport exceptions → our error tree.

It keeps what the service said (status, error code, request id, message) and adds what the user
can do about it. Messages never include request bodies, so no secret value can leak through them.

azure-core's exceptions are imported by the functions that test for them: every kind's services
import this module, and the window's first paint needs none of azure-core (~40 ms to import;
``sdk_imports`` loads it in the background).
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    Cancelled,
    Conflict,
    NetworkError,
    NotFound,
    ServiceError,
    ServiceUnavailable,
    Throttled,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.journal import request_id_of
from vaultbrowser.core.services.redaction import redact_url

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError

# Error code → advice. Codes compared case-insensitively.
_ADVICE_BY_CODE: dict[str, str] = {
    "forbiddenbyrbac": (
        "Your identity has no Key Vault data-plane role for this. Ask for \"Key Vault Secrets "
        "User\" (read secret values), \"Key Vault Reader\" (list and read properties), \"Key Vault "
        "Certificates Officer\" or \"Key Vault Crypto Officer\" (manage) on the vault."
    ),
    "forbiddenbypolicy": (
        "The vault uses access policies: ask an administrator to grant your identity the needed "
        "permission (Get/List) in the vault's access policies."
    ),
    "forbiddenbyfirewall": (
        "The vault's firewall does not allow your network. Ask for your IP address to be added to "
        "the vault's network rules, or connect through an allowed network or private endpoint."
    ),
    "forbiddenbyconnection": (
        "Public network access to the vault is disabled. Connect through its private endpoint."
    ),
    "authorizationpermissionmismatch": (
        "Your identity lacks a data role on the storage account: ask for \"Storage Blob Data "
        "Reader\" (browse) or \"Storage Blob Data Contributor\" (change)."
    ),
    "authorizationfailure": (
        "The storage account refused the request: its firewall or network rules may not allow "
        "your network, or the SAS/role does not cover this operation."
    ),
    "keybasedauthenticationnotpermitted": (
        "Shared key access is disabled on this storage account. Sign in with Microsoft Entra ID "
        "instead of the account key or connection string."
    ),
    "authenticationfailed": (
        "The storage account could not authenticate the request: check the account key or SAS "
        "(its expiry and permissions) or sign in with Entra ID."
    ),
    "objectisdeletedbutrecoverable": (
        "An item with this name is soft-deleted. Recover it from the vault's Deleted view, or "
        "purge it first if you want to reuse the name."
    ),
    "secretdisabled": (
        "This version is disabled: Key Vault does not hand out a disabled secret's value (a "
        "disabled certificate's secret neither). Enable it to read or download it."
    ),
    "containerbeingdeleted": "The container is being deleted. Wait a minute and try again.",
    "containeralreadyexists": "Choose another container name.",
    "blobalreadyexists": "A blob with this name exists. Choose to overwrite, skip or rename.",
    "conditionnotmet": "The item changed since it was loaded. Refresh and try again.",
    "leaseidmissing": "The blob or container is leased. Break the lease or wait for it to expire.",
    "badparameter": "The service rejected a parameter of the request; check the values entered.",
}

_FIREWALL_HINTS = ("firewall", "network acl", "client address is not authorized", "ip address")


def _error_code(exc: HttpResponseError) -> str | None:
    # Storage puts its code on .error_code; Key Vault's JSON envelope lands in .error.
    code = getattr(exc, "error_code", None)
    if code:
        return str(getattr(code, "value", code))
    error = getattr(exc, "error", None)
    if error is not None:
        inner = getattr(error, "innererror", None) or {}
        inner_code = inner.get("code") if isinstance(inner, dict) else None
        # Key Vault says "Forbidden" with the precise reason in innererror.
        return inner_code or getattr(error, "code", None)
    return None


def _service_message(exc: HttpResponseError) -> str | None:
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None) if error is not None else None
    if message:
        return str(message)
    text = str(getattr(exc, "reason", "") or "")
    return text or None


def _retry_after(headers: Any) -> float | None:
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name) if headers is not None else None
        if value:
            try:
                return float(value) / 1000.0
            except ValueError:
                pass
    value = headers.get("retry-after") if headers is not None else None
    if value:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _from_http_error(exc: HttpResponseError) -> VaultBrowserError:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        ResourceExistsError,
        ResourceNotFoundError,
    )

    response = getattr(exc, "response", None)
    status = getattr(exc, "status_code", None) or getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    request = getattr(response, "request", None)
    code = _error_code(exc)
    service_message = _service_message(exc)
    facts: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "request_id": request_id_of(headers),
        "service_message": service_message,
        "method": getattr(request, "method", None),
        "url": redact_url(request.url) if request is not None else None,
    }
    advice = _ADVICE_BY_CODE.get((code or "").lower())
    lowered = (service_message or "").lower()
    if status == 401 or (isinstance(exc, ClientAuthenticationError) and status in (None, 401)):
        return AuthenticationRequired(
            "The service did not accept your sign-in.", advice=advice, **facts
        )
    if status == 403:
        if advice is None and any(hint in lowered for hint in _FIREWALL_HINTS):
            advice = _ADVICE_BY_CODE["forbiddenbyfirewall"]
        return AccessDenied(
            service_message or "You are not allowed to do this.", advice=advice, **facts
        )
    if status == 404 or isinstance(exc, ResourceNotFoundError):
        return NotFound(service_message or "The item was not found.", advice=advice, **facts)
    if status in (409, 412) or isinstance(exc, ResourceExistsError):
        return Conflict(service_message or "The request conflicts with the current state.",
                        advice=advice, **facts)
    if status == 429:
        retry_after = _retry_after(headers)
        wait = f" The service asks to wait {retry_after:g} s." if retry_after else ""
        return Throttled(
            "The service is throttling requests and vaultbrowser's retries gave up." + wait,
            retry_after=retry_after, advice=advice, **facts,
        )
    if status is not None and status >= 500:
        return ServiceUnavailable(service_message or f"The service failed (HTTP {status}).",
                                  advice=advice, **facts)
    return ServiceError(service_message or f"The request failed (HTTP {status}).",
                        advice=advice, **facts)


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or "certificate verify failed" in str(current):
            return True
        inner = getattr(current, "inner_exception", None)
        current = inner or current.__cause__ or current.__context__
    return False


def _dns_failure(exc: BaseException) -> str | None:
    """The host name that did not resolve, when that is what failed (else None)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or type(current).__name__ == (
                "ClientConnectorDNSError"):
            key = getattr(current, "host", None) or getattr(
                getattr(current, "_conn_key", None), "host", None)
            text = str(exc)
            found = re.search(r"host ([A-Za-z0-9.-]+):", text) or re.search(
                r"'([A-Za-z0-9.-]+\.[a-z]{2,})'", text)
            return str(key or (found.group(1) if found else ""))
        inner = getattr(current, "inner_exception", None)
        current = inner or current.__cause__ or current.__context__
    return None


# What a host that does not exist usually means, by the kind of Azure name it is.
_MISSING_HOSTS = ((".vault.", "the vault probably does not exist, or its name is misspelled"),
                  (".blob.", "the storage account probably does not exist, or its name is "
                             "misspelled"),
                  ("management.", "the Resource Manager endpoint is wrong for this cloud"))


def _name_not_found(exc: BaseException, host: str) -> NetworkError:
    meaning = next((text for marker, text in _MISSING_HOSTS if marker in host),
                   "the address is probably misspelled, or the network's DNS cannot see it")
    shown = f" {host}" if host else ""
    return NetworkError(
        f"No such host{shown}: {meaning}.",
        advice="Check the name (the portal shows it on the resource's overview). If it is "
               "right, this network's DNS cannot resolve it (a private endpoint, a VPN that "
               f"is off). Technical detail: {_first_line(str(exc))}")


# Errors whose cause what is known about the resource may explain (a firewall, a SAS's rights).
_EXPLAINED_BY_NOTES = (AccessDenied, AuthenticationRequired, NetworkError)


def with_connection_notes(error: VaultBrowserError, connection: Any) -> VaultBrowserError:
    """``error`` with ``connection``'s notes (``Connection.notes``: what was known before the
    call) in its advice, where they may explain it."""
    notes = getattr(connection, "notes", ())
    if notes and isinstance(error, _EXPLAINED_BY_NOTES):
        known = " ".join(f"{note[:1].upper()}{note[1:]}." for note in notes)
        error.advice = f"{error.advice} Known before the call: {known}".strip()
    return error


def translate_error(exc: BaseException) -> VaultBrowserError:
    """Map any exception met while talking to Azure onto our error tree.

    A ``VaultBrowserError`` passes through unchanged; ``asyncio.CancelledError`` becomes
    ``Cancelled``; anything unknown becomes a ``ServiceError`` carrying only its type name and
    message (the caller decides whether that is a bug for the excepthook instead).
    """
    if isinstance(exc, VaultBrowserError):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        return Cancelled("The operation was cancelled.")
    from azure.core.exceptions import (
        AzureError,
        ClientAuthenticationError,
        HttpResponseError,
        IncompleteReadError,
        ServiceRequestError,
        ServiceRequestTimeoutError,
        ServiceResponseError,
        ServiceResponseTimeoutError,
    )

    if isinstance(exc, HttpResponseError) and getattr(exc, "response", None) is None:
        # The storage downloader wraps a broken or silent body, after its own retries.
        inner = getattr(exc, "inner_exception", None) or exc.__cause__
        if isinstance(inner, IncompleteReadError | ServiceResponseError) and inner is not exc:
            return translate_error(inner)
    if isinstance(exc, IncompleteReadError):
        # A connection reset or closed mid-body (it is a DecodeError, so an HttpResponseError).
        return NetworkError(
            "The connection broke before the service's answer was complete.",
            advice="The network or a proxy dropped the connection. Try again.",
        )
    if isinstance(exc, ServiceResponseTimeoutError):
        return NetworkError(
            "The service did not answer in time: nothing arrived within the read timeout "
            "(after vaultbrowser's retries).",
            advice="The service or the network path is slow or stalled. Try again in a moment; "
                   "if it persists, check your proxy and firewall.",
        )
    if isinstance(exc, ServiceRequestTimeoutError):
        return NetworkError(
            "Could not connect to the service within the connect timeout.",
        )
    if isinstance(exc, HttpResponseError) and getattr(exc, "response", None) is not None:
        return _from_http_error(exc)
    if isinstance(exc, ClientAuthenticationError):
        # azure-identity: no credential in the chain could get a token.
        return AuthenticationRequired(
            "Could not sign in: " + _first_line(str(exc)),
            advice=(
                "Sign in with `az login`, or pick an explicit sign-in method (interactive browser, "
                "device code, service principal) for this connection."
            ),
        )
    if _is_tls_failure(exc):
        return NetworkError(
            "The secure connection failed: the server's certificate is not trusted.",
            advice=(
                "If a corporate proxy inspects TLS, make sure its root certificate is in the "
                "system trust store (or set REQUESTS_CA_BUNDLE/SSL_CERT_FILE). Check the address."
            ),
        )
    if isinstance(exc, ServiceRequestError | ServiceResponseError | OSError | TimeoutError):
        host = _dns_failure(exc)
        if host is not None:
            return _name_not_found(exc, host)
        return NetworkError("Could not reach the service: " + _first_line(str(exc)))
    if isinstance(exc, AzureError):
        return ServiceError(_first_line(str(exc)) or type(exc).__name__)
    return ServiceError(f"{type(exc).__name__}: {_first_line(str(exc))}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:500] if text.strip() else ""


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Re-raise any exception of the block as its typed ``VaultBrowserError``."""
    try:
        yield
    except VaultBrowserError:
        raise
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        raise translate_error(exc) from exc
