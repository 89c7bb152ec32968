"""Bookable hours from opening hours, closures and blackouts: pure code, no database.

Bookable hours of a resource over a range = for every open day in it (days the owner school
is closed left out), the length of that weekday's opening windows; minus the part of any
maintenance blackout that falls inside those windows. Windows are wall-clock times, so
their length is wall-clock length (a daylight-saving night does not change a school day).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

Window = tuple[time, time]
WindowsByWeekday = dict[int, list[Window]]


def _hours_between(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 3600


def weekly_hours(windows: WindowsByWeekday) -> dict[int, float]:
    return {weekday: sum(_hours_between(opens, closes) for opens, closes in day) for weekday, day in windows.items()}


def open_hours(windows: WindowsByWeekday, open_days_per_weekday: Counter) -> float:
    """Opening hours summed over the open days (``open_days_per_weekday``: weekday → how many)."""
    per_weekday = weekly_hours(windows)
    return sum(count * per_weekday.get(weekday, 0.0) for weekday, count in open_days_per_weekday.items())


def blackout_hours(windows: WindowsByWeekday, start: datetime, end: datetime, zone: ZoneInfo,
                   first: date, last: date, closed: Iterable[date]) -> float:
    """Opening hours on open days within ``first``..``last`` that the blackout [start, end) takes away."""
    closed = set(closed)
    local_start, local_end = start.astimezone(zone).replace(tzinfo=None), end.astimezone(zone).replace(tzinfo=None)
    day = max(local_start.date(), first)
    lost = 0.0
    while day <= min(local_end.date(), last):
        if day not in closed:
            for opens, closes in windows.get(day.weekday(), []):
                overlap_start = max(local_start, datetime.combine(day, opens))
                overlap_end = min(local_end, datetime.combine(day, closes))
                lost += max(0.0, (overlap_end - overlap_start).total_seconds() / 3600)
        day += timedelta(days=1)
    return lost
