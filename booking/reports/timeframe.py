"""The time side of the reports: a range of local dates, the UTC offsets inside it, weeks and weekdays.

Pure code: no database, no request. Times in SQL are naive UTC; the reports bucket them by
district wall-clock day and hour by adding the zone's UTC offset. A zone's offset changes at
daylight-saving transitions, so a range is cut into spans of one constant offset and each
span is bucketed with its own offset (Asia/Shanghai has one span).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

EPOCH_DAY = date(1970, 1, 1)
SECONDS_PER_HOUR = 3_600


@dataclass(frozen=True)
class ReportRange:
    """Inclusive local dates ``first`` … ``last`` in the district's zone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """Exclusive: the midnight after ``last``."""
        return _local_midnight(self.last + timedelta(days=1), self.zone)

    def days(self) -> Iterable[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    @property
    def day_count(self) -> int:
        return (self.last - self.first).days + 1


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


@dataclass(frozen=True)
class OffsetSpan:
    """[start, end) in UTC during which the zone is ``offset_seconds`` ahead of UTC."""

    start: datetime
    end: datetime
    offset_seconds: int


def _offset(instant: datetime, zone: ZoneInfo) -> int:
    return int(instant.astimezone(zone).utcoffset().total_seconds())


def _next_change(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The first instant in (start, end) whose offset differs from ``start``'s; None if there is none.

    Steps a day at a time (transitions are months apart), then bisects the day that has one.
    """
    offset = _offset(start, zone)
    low = start
    while low < end:
        high = min(low + timedelta(days=1), end - timedelta(seconds=1))
        if _offset(high, zone) != offset:
            return _bisect(low, high, offset, zone)
        low += timedelta(days=1)
    return None


def _bisect(low: datetime, high: datetime, offset: int, zone: ZoneInfo) -> datetime:
    """The transition between ``low`` (old offset) and ``high`` (new one); transitions fall on whole seconds."""
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(middle, zone) == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def offset_spans(start: datetime, end: datetime, zone: ZoneInfo) -> list[OffsetSpan]:
    spans = []
    while start < end:
        change = _next_change(start, end, zone)
        span_end = change or end
        spans.append(OffsetSpan(start, span_end, _offset(start, zone)))
        start = span_end
    return spans


def epoch_day_to_date(day_number: int) -> date:
    return EPOCH_DAY + timedelta(days=day_number)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def open_weekdays(report_range: ReportRange, closed: Iterable[date], makeup: Mapping[date, int] | None = None) -> Counter:
    """How many open days of each weekday (0 = Monday) the range has, closed days left out; a make-up
    teaching day (``makeup``: date → the weekday taught) counts as the weekday it follows."""
    closed, makeup = set(closed), makeup or {}
    return Counter(makeup.get(day, day.weekday()) for day in report_range.days() if day not in closed)
