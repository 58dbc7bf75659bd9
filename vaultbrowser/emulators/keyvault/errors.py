"""The service's error envelope ``{"error": {"code", "message", "innererror"?}}``.

Handlers raise :class:`KvError`; the server turns it into a JSON response. The wording of the
messages follows what Azure Key Vault returns (taken from the SDKs' test recordings).
"""

from __future__ import annotations

from typing import Any

_RECOVER_HINT = (
    "If you recently deleted this {kind} you may be able to recover it using the correct "
    "recovery command. For help resolving this issue, please see "
    "https://go.microsoft.com/fwlink/?linkid=2125182"
)


class KvError(Exception):
    """An error response with the service's envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        inner: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.inner = inner
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner:
            error["innererror"] = {"code": self.inner}
        return {"error": error}


def not_found(kind: str, name: str, version: str | None = None) -> KvError:
    """``SecretNotFound`` / ``KeyNotFound`` / ``CertificateNotFound`` (404)."""
    ident = f"{name}/{version}" if version else name
    article = "An" if kind[0] in "aeiou" else "A"
    message = f"{article} {kind} with (name/id) {ident} was not found in this key vault. " + (
        _RECOVER_HINT.format(kind=kind)
    )
    return KvError(404, f"{kind.capitalize()}NotFound", message)


def deleted_not_found(kind: str, name: str) -> KvError:
    """404 for a name that is not in the deleted collection."""
    title = kind.capitalize()
    return KvError(404, f"{title}NotFound", f"Deleted {title} not found: {name}")


def deleted_conflict(kind: str, name: str) -> KvError:
    """409 when re-creating or recovering onto a soft-deleted (or active) name."""
    message = (
        f"{kind.capitalize()} {name} is currently in a deleted but recoverable state, and its name "
        f"cannot be reused; in this state, the {kind} can only be recovered or purged."
    )
    return KvError(409, "Conflict", message, inner="ObjectIsDeletedButRecoverable")


def purge_forbidden(vault: str) -> KvError:
    """403 for a purge in a vault with purge protection (the service's wording)."""
    return KvError(
        403, "Forbidden",
        'Operation "purge" is not allowed because purge protection is enabled for this vault. '
        "Key Vault service will automatically purge it after the retention period has passed. "
        f"Vault: {vault};location=local",
    )


def bad_parameter(message: str) -> KvError:
    """400 ``BadParameter``."""
    return KvError(400, "BadParameter", message)


def method_not_allowed(method: str) -> KvError:
    """405 for a known path asked with another method."""
    return KvError(405, "BadParameter",
                   f"The requested resource does not support http method '{method.upper()}'.")


def no_route(path: str) -> KvError:
    """404 for a path the service does not serve."""
    return KvError(404, "NotFound", f"The requested path {path} was not found.")


def bad_request_body(message: str = "The request body is not valid JSON.") -> KvError:
    """400 for a malformed body."""
    return KvError(400, "BadParameter", message)
