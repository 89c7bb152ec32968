"""When a school is closed, from its closures: whole local days, or a time range on each day.

Pure: closure rows (anything with ``school_id``, ``start_date``, ``end_date``, ``start_time``,
``end_time`` and ``reason``) in, ``ClosedTimes`` out. The booking rules, the closures' hit lists,
the itinerary and the mandate figures all read closures through here, so a closure 08:00–12:00
closes the same morning everywhere and a whole-day closure the same days.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from booking.bookings.rules.types import Interval


@dataclass(frozen=True)
class ClosedTimes:
    """One school's closed times over a span: whole local days (date → reason) and timed spans."""

    days: Mapping[date, str] = field(default_factory=dict)
    spans: tuple[tuple[Interval, str], ...] = ()

    def reason_at(self, interval: Interval, zone: ZoneInfo) -> str | None:
        """Why ``interval`` falls into a closed time, or None when it does not."""
        for day in _local_days(interval, zone):
            if day in self.days:
                return self.days[day]
        for span, reason in self.spans:
            if span.overlaps(interval):
                return reason
        return None


def _local_days(interval: Interval, zone: ZoneInfo) -> list[date]:
    first = interval.start.astimezone(zone).date()
    last = (interval.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(timezone.utc)


def closure_intervals(closure, zone: ZoneInfo, first: date | None = None, last: date | None = None) -> list[Interval]:
    """The instants ``closure`` closes, one interval per day for a time range, one for whole days;
    clipped to the local dates ``first``..``last`` when given."""
    start = max(closure.start_date, first) if first else closure.start_date
    end = min(closure.end_date, last) if last else closure.end_date
    if end < start:
        return []
    if closure.start_time is None:
        return [Interval(_instant(start, time(0), zone), _instant(end + timedelta(days=1), time(0), zone))]
    return [Interval(_instant(day, closure.start_time, zone), _instant(day, closure.end_time, zone))
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1))]


def closed_times(closures: Iterable, school_ids: Iterable[int], first: date, last: date,
                 zone: ZoneInfo) -> dict[int, ClosedTimes]:
    """Each school's closed times between the local dates ``first`` and ``last``: the county's closures
    (``school_id`` None) close every school, and their reason wins on a shared day; a district's come as one
    row for each of its schools (``bookings.calendar_queries._placed_rows``)."""
    school_ids = set(school_ids)
    days: dict[int, dict[date, str]] = {school_id: {} for school_id in school_ids}
    spans: dict[int, list[tuple[Interval, str]]] = {school_id: [] for school_id in school_ids}
    for closure in sorted(closures, key=lambda c: (c.school_id is not None, c.start_date)):
        targets = school_ids if closure.school_id is None else {closure.school_id} & school_ids
        if closure.start_time is not None:
            for interval in closure_intervals(closure, zone, first, last):
                for school_id in targets:
                    spans[school_id].append((interval, closure.reason))
            continue
        day = max(closure.start_date, first)
        while day <= min(closure.end_date, last):
            for school_id in targets:
                days[school_id].setdefault(day, closure.reason)
            day += timedelta(days=1)
    return {school_id: ClosedTimes(days[school_id], tuple(sorted(spans[school_id], key=lambda s: s[0].start)))
            for school_id in school_ids}
