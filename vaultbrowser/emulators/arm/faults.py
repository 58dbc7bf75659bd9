"""Fault hooks for tests (forced error answers, crashes, latency) and the request log.

Faults apply to authenticated requests only (after the token and MFA checks), so ``times=1``
counts the SDK's real attempts. Note that the SDKs retry 408/429/5xx answers (with back-off):
give clients ``retry_total=0`` or use ``times`` accordingly. ``latency_ms`` delays every
request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vaultbrowser.emulators.arm.errors import ArmError
from vaultbrowser.emulators.fault_queue import FaultQueue

_MESSAGES: dict[int, tuple[str, str]] = {
    429: ("TooManyRequests", "The request is being throttled as the limit has been reached for "
          "operation type - Read_ObservationWindow_00:05:00."),
    500: ("InternalServerError", "Encountered internal server error."),
    502: ("BadGateway", "The service is temporarily unavailable."),
    503: ("ServiceUnavailable", "The server is currently unable to handle the request."),
    504: ("GatewayTimeout", "The gateway did not receive a response within the specified "
          "time period."),
}


@dataclass
class Fault:
    """One forced behaviour: ``respond`` (an error answer) or ``crash`` (the handler raises,
    exercising the unhandled-exception path). ``times=None`` means until cleared."""

    status: int = 500
    code: str | None = None
    message: str | None = None
    path_prefix: str | None = None
    method: str | None = None
    times: int | None = 1
    retry_after: float | None = None
    action: str = "respond"  # respond | crash

    def error(self) -> ArmError:
        """The answer a ``respond`` fault forces."""
        code, message = _MESSAGES.get(self.status, ("InjectedFault",
                                                    f"Injected fault {self.status}."))
        headers = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else {}
        return ArmError(self.status, self.code or code, self.message or message, headers=headers)


class InjectedCrash(RuntimeError):
    """What a ``crash`` fault raises inside request handling."""


@dataclass
class Faults:
    """The emulator's fault switches. Thread-safe; read by the server on every request."""

    latency_ms: float = 0.0
    _queue: FaultQueue[Fault] = field(default_factory=FaultQueue)

    def fail_next(self, path_prefix: str | None = None, status: int = 500,
                  code: str | None = None, message: str | None = None, *, times: int | None = 1,
                  method: str | None = None, retry_after: float | None = None) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` in ARM's envelope."""
        return self._add(Fault(status, code, message, path_prefix, method, times, retry_after))

    def crash_next(self, path_prefix: str | None = None, *, times: int | None = 1,
                   method: str | None = None) -> Fault:
        """Make the next ``times`` matching requests raise inside the server (a 500)."""
        return self._add(Fault(500, None, None, path_prefix, method, times, action="crash"))

    def clear(self) -> None:
        """Remove every fault and the latency."""
        self._queue.clear()
        self.latency_ms = 0.0

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, consuming one of its ``times``."""
        return self._queue.take(method, path)

    def _add(self, fault: Fault) -> Fault:
        return self._queue.add(fault)


@dataclass(frozen=True)
class RequestLogEntry:
    """One request the emulator answered; ``tenant_id`` is the token's ('' without one)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    tenant_id: str = ""
    error_code: str | None = None
    correlation_id: str = ""
    time: float = 0.0
    duration_ms: float = 0.0
