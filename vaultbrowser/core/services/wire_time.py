"""Timestamps from the wire become our values here, once (Qt-free, SDK-free).

Real tenants hold dates nobody here wrote: "never expires" scripted as 9999-12-31, epoch 0 or a
negative epoch, and values of the wrong JSON type that the Key Vault SDK hands through untouched
(``expires_on`` can come back as the string ``"abc"``, a huge int or a list). Every record field
that holds a time is filled by ``TimeReader``: a valid time becomes an aware UTC ``datetime``; an
invalid one becomes None *and* an entry in the record's ``invalid_dates`` (field name → what the
wire said, shortened), so that a display can say "invalid date" and an audit can report it
instead of mistaking it for "no date".

A valid time may still be far from now (year 1, year 9999): converting such a time to local
time overflows east or west of UTC. ``is_far_future`` names the "no practical expiry" rule that
both the window and the audit use; the models' formatting never converts such a time.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

# The epoch seconds a datetime can hold: 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z.
MIN_EPOCH = -62_135_596_800
MAX_EPOCH = 253_402_300_799
# An expiry further ahead than this is "no practical expiry" ("never"): scripts write 9999-12-31,
# 2099-12-31 or now + 100 years for "never expires".
FAR_FUTURE = timedelta(days=365 * 75)

_SHOWN_CHARACTERS = 40


def is_far_future(value: datetime | None, now: datetime | None = None) -> bool:
    """True for a time so far ahead that it means "never" (see ``FAR_FUTURE``)."""
    if value is None:
        return False
    now = now or datetime.now(UTC)
    try:
        return value - now > FAR_FUTURE
    except (OverflowError, TypeError):
        return True


def describe_wire_value(value: Any) -> str:
    """A short, printable description of a bad wire value: ``'abc' (text)``, ``1e+20
    (number)``. Non-ASCII and control characters are escaped; long values are cut."""
    kind = _KINDS.get(type(value), type(value).__name__)
    try:
        shown = f"{value:g}" if isinstance(value, float) else reprlib.repr(value)
    except Exception:  # a huge int's digits, an object whose repr fails
        shown = "…"
    if len(shown) > _SHOWN_CHARACTERS:
        shown = shown[:_SHOWN_CHARACTERS] + "…"
    shown = shown.encode("ascii", "backslashreplace").decode("ascii")
    return f"{shown} ({kind})"


_KINDS = {str: "text", int: "number", float: "number", bool: "true/false", list: "list",
          dict: "object"}


def from_epoch(value: Any) -> datetime:
    """Epoch seconds (int or float, as Key Vault's JSON carries them) → aware UTC datetime.

    Raises:
        ValueError: not a number, not finite, or outside 0001-01-01 … 9999-12-31.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number of seconds")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    if not MIN_EPOCH <= value <= MAX_EPOCH:
        raise ValueError("outside the years 1–9999")
    # timedelta arithmetic instead of fromtimestamp: no platform limits (Windows refuses
    # negative epochs) and no local-time conversion anywhere.
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=value)


def to_utc(value: Any) -> datetime:
    """A wire time (a datetime the SDK made, or epoch seconds) → aware UTC datetime.

    Raises:
        ValueError: a value of the wrong type or out of range.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValueError("outside the years 1–9999") from exc
    return from_epoch(value)


class TimeReader:
    """Reads the time fields of one wire object into datetimes, noting the invalid ones.

    ``read(field, getter)`` calls ``getter`` (an SDK property may raise while deserializing)
    and returns the converted time or None; ``invalid`` then maps each bad field to a
    description of what the wire said. One reader per record.
    """

    __slots__ = ("_invalid",)

    def __init__(self) -> None:
        self._invalid: dict[str, str] = {}

    def read(self, field: str, getter: Callable[[], Any]) -> datetime | None:
        try:
            value = getter()
        except Exception as exc:  # the SDK's own deserializer gave up on the value
            self._invalid[field] = f"unreadable ({type(exc).__name__})"
            return None
        if value is None:
            return None
        try:
            return to_utc(value)
        except ValueError:
            self._invalid[field] = describe_wire_value(value)
            return None

    def attribute(self, source: Any, attribute: str, field: str | None = None
                  ) -> datetime | None:
        """``read`` of ``source.<attribute>`` (None when the object has no such attribute)."""
        return self.read(field or attribute, lambda: getattr(source, attribute, None))

    @property
    def invalid(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self._invalid)) if self._invalid else _NONE


_NONE: Mapping[str, str] = MappingProxyType({})
