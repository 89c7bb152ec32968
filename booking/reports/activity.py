"""When facilities are used: a weekday × hour heatmap and a week-by-week trend.

Both come from one GROUP BY (local day, local hour) of the bookings' clipped starts, folded
here by weekday and by ISO week. Hours of the day rather than bell periods: every school has
its own bell times (第3节 starts at 09:50 in one school and 10:00 in the next), so a district-wide
grid needs a common axis; a booking counts in the hour it starts, and class periods (40–45
minutes) seldom cross an hour they did not start in by much.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from booking.reports.filters import ReportFilter
from booking.reports.queries import Hours, hours_by_local_hour
from booking.reports.timeframe import ReportRange, epoch_day_to_date, week_monday

SCHOOL_DAY_HOURS = range(7, 19)  # always shown, so grids of different ranges line up


@dataclass(frozen=True)
class Week:
    monday: date
    first: date  # the week's days inside the range
    last: date
    hours: Hours


@dataclass
class Activity:
    hours_of_day: list[int]
    cells: dict[tuple[int, int], Hours]  # (weekday 0 = Monday, hour) → Hours
    weeks: list[Week]

    def cell(self, weekday: int, hour: int) -> Hours:
        return self.cells.get((weekday, hour), Hours())


def fold_by_weekday(by_day_hour: dict[tuple[int, int], Hours]) -> dict[tuple[int, int], Hours]:
    cells: dict[tuple[int, int], Hours] = {}
    for (day_number, hour), hours in by_day_hour.items():
        key = (epoch_day_to_date(day_number).weekday(), hour)
        cells[key] = cells.get(key, Hours()) + hours
    return cells


def fold_by_week(by_day_hour: dict[tuple[int, int], Hours], report_range: ReportRange) -> list[Week]:
    """Every week the range touches, in order, empty weeks included (a gap is news too)."""
    sums: dict[date, Hours] = {}
    for (day_number, _hour), hours in by_day_hour.items():
        monday = week_monday(epoch_day_to_date(day_number))
        sums[monday] = sums.get(monday, Hours()) + hours
    weeks, monday = [], week_monday(report_range.first)
    while monday <= report_range.last:
        first, last = max(monday, report_range.first), min(monday + timedelta(days=6), report_range.last)
        weeks.append(Week(monday, first, last, sums.get(monday, Hours())))
        monday += timedelta(days=7)
    return weeks


def activity(report_filter: ReportFilter) -> Activity:
    """Aggregates only (no school is named), so every viewer sees the same figures."""
    by_day_hour = hours_by_local_hour(report_filter)
    seen_hours = {hour for _day, hour in by_day_hour}
    hours_of_day = sorted(seen_hours | set(SCHOOL_DAY_HOURS))
    return Activity(hours_of_day, fold_by_weekday(by_day_hour), fold_by_week(by_day_hour, report_filter.range))
