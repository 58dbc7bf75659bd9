"""Display helpers shared by models and widgets (Qt-free, pure functions)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vaultbrowser.core.services.wire_time import is_far_future

INVALID_DATE = "invalid date"
# Fields that mean "valid until": a far-future value there reads "(never)".
_UNTIL_FIELDS = frozenset({"expires_on", "not_after", "immutability_policy_until"})


def _utc_text(value: datetime, seconds: bool) -> str:
    """Formatted by hand: strftime leaves years below 1000 unpadded on some platforms."""
    text = (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}")
    return text + (f":{value.second:02d}" if seconds else "")


def when(value: datetime | None) -> str:
    """Local time to the minute, which is what people compare in lists. Never raises: a time
    that local time cannot hold (year 9999 east of UTC, year 1 west of it) shows in UTC."""
    if value is None:
        return ""
    try:
        return _utc_text(value.astimezone(), seconds=False)
    except (OverflowError, ValueError, OSError):
        return _utc_text(value.astimezone(UTC), seconds=False) + " UTC"


def when_exact(value: datetime | None) -> str:
    if value is None:
        return ""
    return _utc_text(value.astimezone(UTC), seconds=True) + " UTC"


def time_field(record: Any, field: str, *, exact: bool = False) -> str:
    """A record's time field as shown: "invalid date" when the wire value was not a time
    (``invalid_dates``), "9999-12-31 (never)" for a far-future validity end, else ``when`` /
    ``when_exact``."""
    if field in getattr(record, "invalid_dates", _NO_PROBLEMS):
        return INVALID_DATE
    value = getattr(record, field, None)
    if value is not None and field in _UNTIL_FIELDS and is_far_future(value):
        return _utc_text(value.astimezone(UTC), seconds=False)[:10] + " (never)"
    return when_exact(value) if exact else when(value)


def time_problem(record: Any, field: str) -> str | None:
    """What the wire said for an invalid time field (for a tooltip or the detail pane)."""
    return getattr(record, "invalid_dates", _NO_PROBLEMS).get(field)


_NO_PROBLEMS: Mapping[str, str] = {}


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


def with_expiry_word(record: Any, field: str = "expires_on") -> str:
    """``time_field`` plus the state in words when it matters: "… (expired)", "… (expires
    soon)" (a row's state is never shown by colour alone)."""
    text = time_field(record, field)
    state = expiry_state(getattr(record, field, None)) if text != INVALID_DATE else None
    return f"{text} ({EXPIRY_WORDS[state]})" if state else text


EXPIRY_WORDS = {"expired": "expired", "soon": "expires soon"}


def expiry_state(expires_on: datetime | None, now: datetime | None = None,
                 soon_days: int = 30) -> str | None:
    """"expired", "soon" (within ``soon_days``) or None."""
    if expires_on is None:
        return None
    now = now or datetime.now(UTC)
    if expires_on <= now:
        return "expired"
    if is_far_future(expires_on, now):
        return None
    if (expires_on - now).days < soon_days:
        return "soon"
    return None


# --- invisible characters in names ----------------------------------------------------------

# Categories of characters that show as nothing, or reorder what follows: format characters
# (bidirectional overrides, zero-width spaces and joiners), controls, line/paragraph
# separators, surrogates and private use.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Cs", "Co", "Cn"})


def _is_invisible(character: str) -> bool:
    return unicodedata.category(character) in _INVISIBLE_CATEGORIES


def visible_name(name: str) -> str:
    """``name`` with every invisible character shown as a marker, e.g. ``⟨U+202E⟩``: a
    right-to-left override cannot make ``invoice-…‮fdp.exe`` read as a PDF here."""
    if name.isprintable():  # the common case, at C speed (spaces beyond ASCII take the slow way)
        return name
    return "".join(f"⟨U+{ord(c):04X}⟩" if _is_invisible(c) else c for c in name)


def invisible_characters(name: str) -> str | None:
    """A tooltip line naming the invisible characters of ``name``, or None when it has none."""
    if name.isprintable():
        return None
    found = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')} at position {i + 1}"
             for i, c in enumerate(name) if _is_invisible(c)]
    if not found:
        return None
    return "This name contains invisible characters: " + "; ".join(found)
