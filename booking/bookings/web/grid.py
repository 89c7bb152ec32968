"""The week grid of one resource (bell periods × weekdays) and the day grid of many (bell periods ×
resources, MRBS-style). Pure: no database, no request.

Each cell says in words what the slot is (free, booked by whom, requested, closed and why,
or not bookable), so the page never relies on colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Protocol
from zoneinfo import ZoneInfo

from booking.parsing import parse_day

WORKDAYS = range(5)
MAX_WEEKS_AWAY = 520


class BusyLike(Protocol):
    """What the grid reads of ``availability.Busy``."""

    start: datetime
    end: datetime
    kind: str
    status: str | None
    label: str


@dataclass(frozen=True)
class Period:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class Cell:
    day: date
    period: int
    # free: bookable now; booked / requested: held by someone; closed: holiday or blackout;
    # past: already begun; unavailable: outside opening hours, beyond the booking horizon, not for you.
    state: str
    holders: tuple[str, ...] = ()  # who holds it (or why it is closed), for the cell's text

    @property
    def bookable(self) -> bool:
        return self.state == "free"


@dataclass(frozen=True)
class Row:
    period: Period
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class WeekGrid:
    monday: date
    days: tuple[date, ...]
    rows: tuple[Row, ...]
    # Make-up teaching days of the week (调休上课 / 补班): date → the weekday taught; shown as columns even
    # on a weekend the resource does not otherwise open.
    makeup: Mapping[date, int] = field(default_factory=dict)

    @property
    def previous_week(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.monday + timedelta(days=7)


def monday_of(value, today: date) -> date:
    """The Monday of the week holding ``value`` (a date or "YYYY-MM-DD"); this week when unreadable
    or further than ``MAX_WEEKS_AWAY`` (so "previous/next week" never leaves the calendar)."""
    day = parse_day(value) if value else None
    if day is None or abs((day - today).days) > MAX_WEEKS_AWAY * 7:
        day = today
    return day - timedelta(days=day.weekday())


def shown_weekdays(opening_weekdays: Iterable[int]) -> list[int]:
    """Monday to Friday, plus Saturday or Sunday when the resource opens on them."""
    return sorted(set(WORKDAYS) | {d for d in opening_weekdays if d in (5, 6)})


def _cell(day: date, period: Period, zone: ZoneInfo, busy: list[BusyLike], free: set[tuple[date, int]],
          now: datetime) -> Cell:
    start = datetime.combine(day, period.start, tzinfo=zone)
    end = datetime.combine(day, period.end, tzinfo=zone)
    touching = [b for b in busy if b.start < end and start < b.end]
    closed = tuple(b.label for b in touching if b.kind == "closed")
    if closed:
        return Cell(day, period.number, "closed", closed)
    holders = tuple(b.label for b in touching if b.kind == "booking")
    if (day, period.number) in free:
        return Cell(day, period.number, "free", holders)  # equipment with stock left, or a request beside requests
    if any(b.kind == "booking" and b.status == "confirmed" for b in touching):
        return Cell(day, period.number, "booked", holders)
    if holders:
        return Cell(day, period.number, "requested", holders)
    return Cell(day, period.number, "past" if start <= now else "unavailable")


def build_week_grid(monday: date, weekdays: list[int], periods: list[Period], busy: Iterable[BusyLike],
                    free: set[tuple[date, int]], zone: ZoneInfo, now: datetime,
                    makeup: Mapping[date, int] | None = None) -> WeekGrid:
    """The grid for the week starting ``monday`` as seen at ``now``; ``free`` holds the (local date,
    period number) pairs the viewer could book; ``makeup`` the week's make-up teaching days."""
    busy = list(busy)
    week = [monday + timedelta(days=d) for d in range(7)]
    makeup = {day: weekday for day, weekday in (makeup or {}).items() if day in week}
    days = tuple(day for day in week if day.weekday() in weekdays or day in makeup)
    rows = tuple(Row(p, tuple(_cell(day, p, zone, busy, free, now) for day in days))
                 for p in sorted(periods, key=lambda p: p.number))
    return WeekGrid(monday, days, rows, makeup)


@dataclass(frozen=True)
class DayColumn:
    """One resource on the day grid: its cells by period number, at its own school's bells."""

    resource: object
    periods: dict[int, Period]
    cells: dict[int, Cell]


@dataclass(frozen=True)
class DayGrid:
    day: date
    numbers: tuple[int, ...]  # every period number some column rings
    columns: tuple[DayColumn, ...]

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def one_timetable(self) -> bool:
        """Whether every column rings the same bells (the row heading can then say the times)."""
        return len({tuple(sorted(c.periods.items())) for c in self.columns}) <= 1


def build_day_column(resource, day: date, periods: list[Period], busy: Iterable[BusyLike],
                     free: set[tuple[date, int]], zone: ZoneInfo, now: datetime) -> DayColumn:
    busy = list(busy)
    by_number = {p.number: p for p in periods}
    return DayColumn(resource, by_number, {p.number: _cell(day, p, zone, busy, free, now) for p in periods})


def build_day_grid(day: date, columns: Iterable[DayColumn]) -> DayGrid:
    columns = tuple(columns)
    numbers = tuple(sorted({n for c in columns for n in c.periods}))
    return DayGrid(day, numbers, columns)


def focus_day(grid: WeekGrid, value, today: date) -> date:
    """The day a phone shows of the week grid: the one asked for, else today, else the week's first."""
    asked = parse_day(value) if value else None
    for day in (asked, today):
        if day in grid.days:
            return day
    return grid.days[0]


def step_day(grid: WeekGrid, day: date, direction: int) -> date:
    """The next (+1) or previous (-1) day the grid shows, crossing into the next or previous week."""
    shown = {d.weekday() for d in grid.days}
    candidate = day
    for _ in range(7):
        candidate += timedelta(days=direction)
        if candidate.weekday() in shown:
            return candidate
    return day + timedelta(days=direction)
