"""ARM's error envelope ``{"error": {"code", "message", "details"?}}`` and its usual errors.

Handlers raise :class:`ArmError`; the server turns it into a JSON response. Codes, statuses and
wording follow what Azure Resource Manager and Resource Graph return.
"""

from __future__ import annotations

from typing import Any

_REFRESH_HINT = " If access was recently granted, please refresh your credentials."


class ArmError(Exception):
    """An error response in ARM's envelope; ``headers`` are added to the reply."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = details

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def missing_api_version() -> ArmError:
    """400 ``MissingApiVersionParameter``."""
    return ArmError(400, "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all "
                    "requests.")


def subscription_not_found(subscription_id: str) -> ArmError:
    """404 ``SubscriptionNotFound``."""
    return ArmError(404, "SubscriptionNotFound",
                    f"The subscription '{subscription_id}' could not be found.")


def invalid_subscription_id(subscription_id: str) -> ArmError:
    """400 ``InvalidSubscriptionId`` for an id that is not a GUID."""
    return ArmError(400, "InvalidSubscriptionId",
                    f"The provided subscription identifier '{subscription_id}' is malformed or "
                    "invalid.")


def resource_group_not_found(resource_group: str) -> ArmError:
    """404 ``ResourceGroupNotFound``."""
    return ArmError(404, "ResourceGroupNotFound",
                    f"Resource group '{resource_group}' could not be found.")


def resource_not_found(resource_type: str, name: str, resource_group: str) -> ArmError:
    """404 ``ResourceNotFound`` (``resource_type`` like ``Microsoft.KeyVault/vaults``)."""
    return ArmError(404, "ResourceNotFound",
                    f"The Resource '{resource_type}/{name}' under resource group "
                    f"'{resource_group}' was not found. For more details please go to "
                    "https://aka.ms/ARMResourceNotFoundFix")


def authorization_failed(upn: str, object_id: str, action: str, scope: str,
                         *, refresh_hint: bool = True) -> ArmError:
    """403 ``AuthorizationFailed`` for ``action`` over ``scope``."""
    message = (f"The client '{upn}' with object id '{object_id}' does not have authorization to "
               f"perform action '{action}' over scope '{scope}' or the scope is invalid.")
    return ArmError(403, "AuthorizationFailed", message + (_REFRESH_HINT if refresh_hint else ""))


def invalid_request_content(reason: str) -> ArmError:
    """400 ``InvalidRequestContent`` for a body that is not the expected JSON."""
    return ArmError(400, "InvalidRequestContent",
                    f"The request content was invalid and could not be deserialized: '{reason}'.")


def no_route(path: str, url: str) -> ArmError:
    """404 for a path ARM does not serve: ``InvalidResourceType`` when it names a provider's
    resource type, ``NotFound`` otherwise."""
    parts = path.strip("/").split("/")
    lowered = [part.lower() for part in parts]
    if "providers" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("providers")
        if at + 2 < len(parts):
            namespace, resource_type = parts[at + 1], parts[at + 2]
            return ArmError(404, "InvalidResourceType",
                            f"The resource type '{resource_type}' could not be found in the "
                            f"namespace '{namespace}' for api version '{_api_of(url)}'.")
    return ArmError(404, "NotFound", f"No HTTP resource was found that matches the request URI "
                    f"'{url}'.")


def method_not_allowed(method: str) -> ArmError:
    """405 for a known path asked with another method (the emulator is read-only)."""
    return ArmError(405, "MethodNotAllowed",
                    f"The requested resource does not support http method '{method.upper()}'.")


def request_too_large(limit: int) -> ArmError:
    """413 for a body over the emulator's bound."""
    return ArmError(413, "RequestEntityTooLarge",
                    f"The request content length exceeds the limit of {limit} bytes.")


def internal_error() -> ArmError:
    """500 ``InternalServerError`` (what an unhandled exception becomes)."""
    return ArmError(500, "InternalServerError",
                    "Encountered internal server error. Diagnostic information: the emulator "
                    "failed to process the request.")


def _api_of(url: str) -> str:
    for pair in url.partition("?")[2].split("&"):
        key, _, value = pair.partition("=")
        if key.lower() == "api-version":
            return value
    return ""
