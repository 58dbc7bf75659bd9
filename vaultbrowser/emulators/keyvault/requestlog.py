"""The request log tests and the demo mode read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestLogEntry:
    """One request the emulator answered."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0
    api_version: str | None = None
    time: float = 0.0
    authorized: bool = False
    duration_ms: float = 0.0
    error_code: str | None = None
    peer: str = ""  # client address:port; one port per kept-alive connection
