"""The month calendar of 我的预约: weeks Monday to Sunday, each day with the bookings that start on it.
Pure: no database, no request."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
FARTHEST_YEARS = 20  # a month asked for further from today than this is today's month


@dataclass
class MonthDay:
    day: date
    in_month: bool
    today: bool
    items: list = field(default_factory=list)


@dataclass
class Month:
    first: date
    weeks: list[list[MonthDay]]

    @property
    def last(self) -> date:
        return month_end(self.first)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return self.last + timedelta(days=1)

    @property
    def empty(self) -> bool:
        return not any(d.items for week in self.weeks for d in week)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_of(value: str | None, fallback: date) -> date:
    """The first day of the month ``YYYY-MM`` names; ``fallback``'s month when it names none (or one absurdly far)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if first is None or abs(first.year - fallback.year) > FARTHEST_YEARS:
        return fallback.replace(day=1)
    return first


def build_month(first: date, items: Iterable[T], day_of: Callable[[T], date], today: date) -> Month:
    """The weeks of ``first``'s month, each item on its day (in the order given)."""
    by_day: dict[date, list[T]] = {}
    for item in items:
        by_day.setdefault(day_of(item), []).append(item)
    weeks = [[MonthDay(d, d.month == first.month, d == today, by_day.get(d, []) if d.month == first.month else [])
              for d in week] for week in calendar.Calendar(calendar.MONDAY).monthdatescalendar(first.year, first.month)]
    return Month(first, weeks)
