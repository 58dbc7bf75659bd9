"""The forced faults the Key Vault and ARM emulators keep for tests: added from a test's
thread, taken by the server on its loop (thread-safe), the first that matches a request's
method and path prefix (case-insensitive), each ``times`` requests (None: until cleared)."""

from __future__ import annotations

import threading
from typing import Generic, Protocol, TypeVar


class Matched(Protocol):
    path_prefix: str | None
    method: str | None
    times: int | None


FaultT = TypeVar("FaultT", bound=Matched)


def matches(fault: Matched, method: str, path: str) -> bool:
    if fault.method and fault.method.upper() != method.upper():
        return False
    return not fault.path_prefix or path.lower().startswith(fault.path_prefix.lower())


class FaultQueue(Generic[FaultT]):
    """Faults in the order added."""

    def __init__(self) -> None:
        self._faults: list[FaultT] = []
        self._lock = threading.Lock()

    def add(self, fault: FaultT) -> FaultT:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> FaultT | None:
        """The first fault matching this request, consuming one of its ``times``."""
        with self._lock:
            for fault in self._faults:
                if matches(fault, method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
