"""When facilities are used: a weekday × 第N节 heatmap and a week-by-week trend.

The heatmap comes from one GROUP BY (weekday, period number, basis) of the bookings joined to
their owner school's bell periods: each school has its own bell times (第3节 starts at 09:50
in one school and 10:00 in the next), so a period is the owner school's own; a period counts
the part of it a booking covers, and a booking spanning several periods counts in each.
The trend comes from one GROUP BY (local day, basis), folded here by ISO week.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from booking.reports.filters import ReportFilter
from booking.reports.queries import NO_BASES, Bases, hours_by_local_day, hours_by_weekday_period
from booking.reports.timeframe import ReportRange, epoch_day_to_date, week_monday

SCHOOL_DAY_PERIODS = range(1, 9)  # 第1节 … 第8节 always shown, so grids of different ranges line up


@dataclass(frozen=True)
class Week:
    monday: date
    first: date  # the week's days inside the range
    last: date
    hours: Bases


@dataclass
class Activity:
    periods: list[int]
    cells: dict[tuple[int, int], Bases]  # (weekday 0 = Monday, period number) → Bases
    weeks: list[Week]

    def cell(self, weekday: int, period: int) -> Bases:
        return self.cells.get((weekday, period), NO_BASES)


def fold_by_week(by_day: dict[int, Bases], report_range: ReportRange) -> list[Week]:
    """Every week the range touches, in order, empty weeks included (a gap is news too)."""
    sums: dict[date, Bases] = {}
    for day_number, hours in by_day.items():
        monday = week_monday(epoch_day_to_date(day_number))
        sums[monday] = sums.get(monday, NO_BASES) + hours
    weeks, monday = [], week_monday(report_range.first)
    while monday <= report_range.last:
        first, last = max(monday, report_range.first), min(monday + timedelta(days=6), report_range.last)
        weeks.append(Week(monday, first, last, sums.get(monday, NO_BASES)))
        monday += timedelta(days=7)
    return weeks


def activity(report_filter: ReportFilter) -> Activity:
    """Aggregates only (no school is named), so every viewer sees the same figures."""
    cells = hours_by_weekday_period(report_filter)
    periods = sorted({period for _day, period in cells} | set(SCHOOL_DAY_PERIODS))
    return Activity(periods, cells, fold_by_week(hours_by_local_day(report_filter), report_filter.range))
