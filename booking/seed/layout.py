"""Pure helpers for the demo district: where campuses are, how long the trips take, when bells ring.

Nothing here touches the database, so the arithmetic is tested on its own.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MIN_TRAVEL_MINUTES = 10
MAX_TRAVEL_MINUTES = 60
# Getting the car out and through the village, then country roads at about 37 km/h.
MINUTES_AT_ZERO_KM = 8
MINUTES_PER_KM = 1.6

Point = tuple[float, float]


def travel_minutes_between(a: Point, b: Point) -> int:
    """Minutes between two campuses from their map positions (km).

    An affine function of straight-line distance keeps the triangle inequality (up to rounding);
    clamping into 10–60 keeps it too, because it only raises short trips and lowers long ones.
    """
    minutes = MINUTES_AT_ZERO_KM + MINUTES_PER_KM * math.dist(a, b)
    return max(MIN_TRAVEL_MINUTES, min(MAX_TRAVEL_MINUTES, round(minutes)))


def scatter_around(rng: random.Random, centre: Point, count: int, heading: float,
                   spread: float = 150.0, near_km: float = 2.5, far_km: float = 9.0) -> list[Point]:
    """``count`` village positions in a fan around ``centre``: the schools of one area (片).

    ``heading`` is the fan's middle direction in degrees; the fan keeps each area on its own side
    of its lead school, so schools of one area are closer to each other than to the other area.
    """
    step = spread / max(count - 1, 1)
    points = []
    for index in range(count):
        angle = math.radians(heading - spread / 2 + step * index + rng.uniform(-step / 3, step / 3))
        radius = rng.uniform(near_km, far_km)
        points.append((centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)))
    return points


@dataclass(frozen=True)
class BellPlan:
    """How one school's day is cut into periods (第N节)."""

    first_start: time
    morning_periods: int
    afternoon_start: time
    afternoon_periods: int
    lesson_minutes: int = 40
    short_break: int = 10
    # The long break (大课间: exercises, eye drill) follows this period.
    long_break_after: int = 2
    long_break: int = 30


def _add(moment: time, minutes: int) -> time:
    return (datetime.combine(date.min, moment) + timedelta(minutes=minutes)).time()


def _run_of_periods(start: time, count: int, plan: BellPlan, first_number: int) -> list[tuple[int, time, time]]:
    periods = []
    for number in range(first_number, first_number + count):
        end = _add(start, plan.lesson_minutes)
        periods.append((number, start, end))
        pause = plan.long_break if number == plan.long_break_after else plan.short_break
        start = _add(end, pause)
    return periods


def bell_periods(plan: BellPlan) -> list[tuple[int, time, time]]:
    """(number, start, end) for every period of the day, numbered 1..N without overlaps."""
    morning = _run_of_periods(plan.first_start, plan.morning_periods, plan, 1)
    afternoon = _run_of_periods(plan.afternoon_start, plan.afternoon_periods, plan, plan.morning_periods + 1)
    return morning + afternoon


def village_bell_plan(rng: random.Random) -> BellPlan:
    """A small school's day: a later start (children walk in), 6 or 7 periods, its own break lengths."""
    return BellPlan(
        first_start=time(8, rng.choice((20, 25, 30, 35, 40, 45))),
        morning_periods=4,
        afternoon_start=time(14, rng.choice((0, 10, 20, 30))),
        afternoon_periods=rng.choice((2, 3)),
        short_break=rng.choice((10, 10, 15)),
        long_break=rng.choice((20, 25, 30)),
    )


def school_day_window(periods: list[tuple[int, time, time]], before: int = 10, after: int = 30) -> tuple[time, time]:
    """Opening hours that cover a school's periods: a little before the first bell, after the last."""
    return _add(periods[0][1], -before), _add(periods[-1][2], after)


def school_days(start: date, end: date, closed: list[tuple[date, date]]) -> list[date]:
    """Monday–Friday dates from ``start`` to ``end`` (inclusive) that no closure covers."""
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and not any(first <= day <= last for first, last in closed):
            days.append(day)
        day += timedelta(days=1)
    return days
