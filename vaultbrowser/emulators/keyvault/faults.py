"""Fault injection: forced error responses, added latency, token rejection, 403s, and
broken transfers (a slow answer, a body that never finishes, a connection reset mid-body).

Faults apply to requests that carry a token (after the challenge step), so ``times=1`` counts
the SDK's real attempts and never its unauthenticated challenge request. ``latency_ms`` delays
every request, challenge included.

Actions of a :class:`Fault`:

- ``respond`` (``add``, ``forbid``): answer with the forced status and the service's error body.
- ``delay`` (``slow``): wait ``seconds``, then answer normally.
- ``stall`` (``stall``): send the real answer's headers (with its full Content-Length) and half
  of its body, then send nothing more until the client hangs up, the faults are cleared, or
  ``seconds`` pass (then the connection is dropped): a page that never finishes.
- ``reset`` (``reset``): send the headers and half of the body, then abort the connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vaultbrowser.emulators.fault_queue import FaultQueue
from vaultbrowser.emulators.keyvault.errors import KvError

_BODIES: dict[int, tuple[str, str]] = {
    429: (
        "Throttled",
        "Request was not processed because too many requests were received. "
        "Reason: VaultRequestTypeLimitReached",
    ),
    500: ("InternalServerError", "An unexpected error occurred."),
    502: ("BadGateway", "The service is temporarily unavailable."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
    504: ("GatewayTimeout", "The operation timed out."),
}

_FORBIDDEN_RBAC = (
    "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny "
    "assignments or role definitions were changed recently, please observe propagation time.\r\n"
    "Caller: appid=00000000-0000-0000-0000-000000000000;oid=00000000-0000-0000-0000-000000000000;"
    "iss=https://sts.windows.net/{tenant}/\r\nAction: '{action}'\r\nResource: '{path}'\r\n"
    "Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\n"
    "Vault: emulator;location=local\r\n"
)
_FORBIDDEN_POLICY = (
    "The user, group or application 'appid=00000000-0000-0000-0000-000000000000;"
    "oid=00000000-0000-0000-0000-000000000000;iss=https://sts.windows.net/{tenant}/' does not have "
    "{what} permission on key vault 'emulator;location=local'. For help resolving this issue, "
    "please see https://go.microsoft.com/fwlink/?linkid=2125287"
)

# The last path segment of a key operation → (its RBAC data action, its access-policy name).
_KEY_OPERATIONS = {
    "encrypt": ("encrypt", "encrypt"),
    "decrypt": ("decrypt", "decrypt"),
    "wrapkey": ("wrap", "wrapKey"),
    "unwrapkey": ("unwrap", "unwrapKey"),
    "sign": ("sign", "sign"),
    "verify": ("verify", "verify"),
}


@dataclass
class Fault:
    """One forced response; ``times=None`` means until cleared."""

    status: int
    retry_after: float | None = None
    times: int | None = 1
    path_prefix: str | None = None
    method: str | None = None
    code: str | None = None
    message: str | None = None
    inner: str | None = None
    action: str = "respond"  # respond | delay | stall | reset
    seconds: float = 0.0  # delay: the wait; stall: the longest hold


@dataclass
class Faults:
    """The emulator's fault switches. Thread-safe; read by the server on every request."""

    latency_ms: float = 0.0
    reject_token: bool = False
    _queue: FaultQueue[Fault] = field(default_factory=FaultQueue)
    generation: int = 0  # bumped by clear(): a stalled answer holds while it is unchanged

    def add(
        self,
        status: int,
        retry_after: float | None = None,
        times: int | None = 1,
        path_prefix: str | None = None,
        method: str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> Fault:
        """Force ``status`` for the next ``times`` matching requests."""
        return self._queue.add(
            Fault(status, retry_after, times, path_prefix, method, code, message))

    def forbid(
        self,
        path_prefix: str | None = None,
        code: str = "ForbiddenByRbac",
        method: str | None = None,
        times: int | None = None,
    ) -> Fault:
        """Answer 403 like the service does without an RBAC role (``ForbiddenByRbac``) or
        without an access policy (``AccessDenied``)."""
        return self._queue.add(
            Fault(403, None, times, path_prefix, method, "Forbidden", None, code))

    def _broken(self, action: str, seconds: float, path_prefix: str | None,
                method: str | None, times: int | None) -> Fault:
        return self._queue.add(
            Fault(200, None, times, path_prefix, method, action=action, seconds=seconds))

    def slow(self, seconds: float, path_prefix: str | None = None, method: str | None = None,
             times: int | None = 1) -> Fault:
        """Answer the next ``times`` matching requests normally, ``seconds`` late."""
        return self._broken("delay", seconds, path_prefix, method, times)

    def stall(self, path_prefix: str | None = None, method: str | None = None,
              times: int | None = 1, seconds: float = 30.0) -> Fault:
        """Send half of the next ``times`` matching answers and then hold: a page that never
        finishes (until the client gives up, ``clear()``, or ``seconds``)."""
        return self._broken("stall", seconds, path_prefix, method, times)

    def reset(self, path_prefix: str | None = None, method: str | None = None,
              times: int | None = 1) -> Fault:
        """Send half of the next ``times`` matching answers, then reset the connection."""
        return self._broken("reset", 0.0, path_prefix, method, times)

    def clear(self) -> None:
        """Remove every fault and reset latency and token rejection; release stalled answers."""
        self.generation += 1
        self._queue.clear()
        self.latency_ms = 0.0
        self.reject_token = False

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, consuming one of its ``times``."""
        return self._queue.take(method, path)


def fault_error(fault: Fault, method: str, path: str, tenant_id: str) -> KvError:
    """The error response a fault produces."""
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    if fault.status == 403:
        kind = path.strip("/").split("/")[0].removeprefix("deleted").rstrip("s") or "secret"
        # A key operation has a data action and an access-policy permission of its own.
        key_op = _KEY_OPERATIONS.get(path.rstrip("/").rsplit("/", 1)[-1].lower())
        if key_op is not None and method.upper() == "POST":
            action = f"Microsoft.KeyVault/vaults/keys/{key_op[0]}/action"
            permission = f"keys {key_op[1]}"
        else:
            verb = {"GET": "get", "PUT": "set", "PATCH": "update", "DELETE": "delete"}.get(
                method.upper(), "write"
            )
            action = f"Microsoft.KeyVault/vaults/{kind}s/{verb}{kind.capitalize()}/action"
            permission = f"{kind}s {method.lower()}"
        if fault.inner == "ForbiddenByRbac":
            default = _FORBIDDEN_RBAC.format(tenant=tenant_id, action=action, path=path)
        else:
            default = _FORBIDDEN_POLICY.format(tenant=tenant_id, what=permission)
        message = fault.message or default
        return KvError(403, "Forbidden", message, inner=fault.inner, headers=headers)
    code, message = _BODIES.get(fault.status, ("Error", f"Injected fault {fault.status}."))
    return KvError(
        fault.status, fault.code or code, fault.message or message, inner=fault.inner,
        headers=headers,
    )
