"""The expiry timeline's geometry, shared by the window's picture and the HTML report's.

Qt-free and unit-free: positions are fractions of the chart's width (0 = its left edge), so the
window (pixels) and the report (SVG units) lay out the same picture. The axis runs from
"expired" (a zone of fixed width at the left, the past mapped over as many days as the range
looks ahead, at most 90; older expiries sit at its left edge) through today to the horizon
(30, 90 or 365 days). Buckets count what expired and what expires within 30, 90 and 365 days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RANGES = (30, 90, 365)  # the ranges a user picks from, in days
DEFAULT_RANGE = 90
PAST_DAYS_MAX = 90
EXPIRED_SHARE = 0.16  # the width of the "expired" zone, as a fraction of the chart
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Bucket:
    """What expired (``days`` 0) or expires within ``days`` days (after the bucket before)."""

    key: str  # "expired", "30", "90", "365": stable, for CSS classes and tests
    label: str
    days: int


BUCKETS = (Bucket("expired", "Expired", 0), Bucket("30", "≤ 30 days", 30),
           Bucket("90", "≤ 90 days", 90), Bucket("365", "≤ 365 days", 365))


def days_until(expires_on: datetime, now: datetime) -> float:
    """Days from ``now`` to ``expires_on`` (negative: expired that long ago)."""
    return (expires_on - now).total_seconds() / _DAY


def bucket_of(expires_on: datetime, now: datetime) -> Bucket | None:
    """The bucket of an expiry; None past the last (more than 365 days away)."""
    if expires_on <= now:
        return BUCKETS[0]
    for bucket in BUCKETS[1:]:
        if expires_on <= now + timedelta(days=bucket.days):
            return bucket
    return None


def buckets_within(horizon_days: int) -> tuple[Bucket, ...]:
    """The buckets a range shows: expired and those ending at or before its horizon."""
    return tuple(bucket for bucket in BUCKETS if bucket.days <= horizon_days)


def within(expires_on: datetime, now: datetime, horizon_days: int) -> bool:
    """Whether a range shows an expiry (every expired one does)."""
    return expires_on <= now + timedelta(days=horizon_days)


def bucket_counts(expiries: Iterable[datetime], now: datetime,
                  horizon_days: int) -> list[tuple[Bucket, int]]:
    """How many expiries fall in each bucket the range shows, in bucket order."""
    shown = buckets_within(horizon_days)
    counts = dict.fromkeys((bucket.key for bucket in shown), 0)
    for expires_on in expiries:
        bucket = bucket_of(expires_on, now)
        if bucket is not None and bucket.key in counts:
            counts[bucket.key] += 1
    return [(bucket, counts[bucket.key]) for bucket in shown]


@dataclass(frozen=True, slots=True)
class Tick:
    fraction: float
    label: str
    days: int  # 0 is today; the zone boundaries are 30 and 90


_TICKS = {30: (0, 7, 14, 21, 30), 90: (0, 30, 60, 90), 365: (0, 30, 90, 180, 270, 365)}


class ExpiryAxis:
    """Where an expiry sits on a chart of ``horizon_days``: ``fraction`` 0–1 of its width."""

    def __init__(self, horizon_days: int) -> None:
        self.horizon_days = horizon_days
        # how far back the expired zone reaches (older ones sit at its left edge): the range,
        # up to 90 days (a year back would squeeze the last weeks' expiries against today)
        self.past_days = min(horizon_days, PAST_DAYS_MAX)

    @property
    def today(self) -> float:
        return EXPIRED_SHARE

    def fraction_of_days(self, days: float) -> float:
        """Clamped to the chart: older expiries at the left edge, later ones at the right."""
        if days <= 0:
            return EXPIRED_SHARE * (1 - min(-days, self.past_days) / self.past_days)
        return EXPIRED_SHARE + (1 - EXPIRED_SHARE) * min(days, self.horizon_days) / (
            self.horizon_days)

    def fraction(self, expires_on: datetime, now: datetime) -> float:
        return self.fraction_of_days(days_until(expires_on, now))

    def clipped(self, expires_on: datetime, now: datetime) -> bool:
        """Expired longer ago than the zone reaches (drawn at its left edge)."""
        return days_until(expires_on, now) < -self.past_days

    def ticks(self, now: datetime) -> list[Tick]:
        """Today and dates ahead ("Jan 05"), with the zone boundaries among them."""
        ticks = []
        for days in _TICKS.get(self.horizon_days, (0, self.horizon_days)):
            label = "today" if days == 0 else (now + timedelta(days=days)).strftime("%b %d")
            ticks.append(Tick(self.fraction_of_days(days), label, days))
        return ticks

    def zones(self) -> list[tuple[Bucket, float, float]]:
        """Each shown bucket's span on the chart (from, to), left to right."""
        spans = []
        start = 0.0
        for bucket in buckets_within(self.horizon_days):
            end = EXPIRED_SHARE if bucket.days == 0 else self.fraction_of_days(bucket.days)
            spans.append((bucket, start, end))
            start = end
        return spans


@dataclass(frozen=True, slots=True)
class MarkGroup:
    """Marks drawn together: one (a mark), a few (stacked), or many (one count badge)."""

    x: float  # where the group is drawn (its members' mean position)
    members: tuple[int, ...]  # indexes into the positions given, left to right
    stacked: bool  # True: each member drawn, one above the other; False: one badge


def group_marks(positions: Sequence[float], mark: float, capacity: int,
                badge_width: Callable[[int], float]) -> list[MarkGroup]:
    """Group marks that would overlap on one lane.

    ``positions`` are the marks' x (any unit); ``mark`` is a mark's width; a lane stacks up
    to ``capacity`` marks, and more become a badge ``badge_width(count)`` wide. Groups whose
    drawings would still touch are merged until none do, so nothing is drawn over anything.
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    groups: list[list[int]] = []
    for index in order:
        if groups and positions[index] - positions[groups[-1][0]] < mark + 1:
            groups[-1].append(index)
        else:
            groups.append([index])

    def centre(members: list[int]) -> float:
        return sum(positions[i] for i in members) / len(members)

    def half(members: list[int]) -> float:
        return (mark if len(members) <= capacity else badge_width(len(members))) / 2

    merged: list[list[int]] = []
    for members in groups:
        merged.append(members)
        while len(merged) > 1:
            left, right = merged[-2], merged[-1]
            if centre(right) - half(right) >= centre(left) + half(left) + 1:
                break
            merged[-2:] = [left + right]
    return [MarkGroup(centre(members), tuple(members), len(members) <= capacity)
            for members in merged]
