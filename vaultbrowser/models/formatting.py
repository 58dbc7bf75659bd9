"""Display helpers shared by models and widgets (Qt-free, pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


def when(value: datetime | None) -> str:
    """Local time to the minute, which is what people compare in lists."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def when_exact(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def size(value: int | None) -> str:
    if value is None:
        return ""
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if amount < 1024 or unit == "TiB":
            return f"{int(amount)} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{value} B"


def tags(values: Mapping[str, str] | None) -> str:
    if not values:
        return ""
    return ", ".join(f"{key}={value}" for key, value in sorted(values.items()))


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def expiry_state(expires_on: datetime | None, now: datetime | None = None,
                 soon_days: int = 30) -> str | None:
    """"expired", "soon" (within ``soon_days``) or None."""
    if expires_on is None:
        return None
    now = now or datetime.now(UTC)
    if expires_on <= now:
        return "expired"
    if (expires_on - now).days < soon_days:
        return "soon"
    return None
