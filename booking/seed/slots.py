"""The demo's slot plan: which wall-clock spans of each resource are already promised. Pure.

Weekly entries hold for every week of the term (a series), dated entries for one day. A new
booking is planned only into a span free on both, so the seeded bookings cannot collide —
the PostgreSQL exclusion constraint would refuse them otherwise. Schools ring different bells,
so spans are compared as clock times, never as period numbers.

Equipment is counted instead: a kit's loans on one day may not add up to more than its stock.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time

Span = tuple[time, time]


def spans_overlap(first: Span, second: Span) -> bool:
    """Half-open [start, end) clock spans: 08:00–08:40 and 08:40–09:20 do not overlap."""
    return first[0] < second[1] and second[0] < first[1]


class SlotPlan:
    def __init__(self) -> None:
        self._weekly: dict[tuple[object, int], list[Span]] = defaultdict(list)
        self._dated: dict[tuple[object, date], list[Span]] = defaultdict(list)
        self._dated_weekdays: dict[tuple[object, int], list[Span]] = defaultdict(list)
        self._loans: dict[tuple[object, date], int] = defaultdict(int)

    def weekly_free(self, key, weekday: int, span: Span) -> bool:
        taken = self._weekly[(key, weekday)] + self._dated_weekdays[(key, weekday)]
        return not any(spans_overlap(span, other) for other in taken)

    def take_weekly(self, key, weekday: int, span: Span) -> None:
        if not self.weekly_free(key, weekday, span):
            raise ValueError(f"{key} is already taken on weekday {weekday} at {span}")
        self._weekly[(key, weekday)].append(span)

    def free_on(self, key, day: date, span: Span) -> bool:
        taken = self._weekly[(key, day.weekday())] + self._dated[(key, day)]
        return not any(spans_overlap(span, other) for other in taken)

    def take_on(self, key, day: date, span: Span) -> None:
        if not self.free_on(key, day, span):
            raise ValueError(f"{key} is already taken on {day} at {span}")
        self._dated[(key, day)].append(span)
        self._dated_weekdays[(key, day.weekday())].append(span)

    def stock_left(self, key, day: date, stock: int) -> int:
        """Items of a kit not yet promised on ``day`` (counted per day, so never over stock at any instant)."""
        return stock - self._loans[(key, day)]

    def lend(self, key, day: date, quantity: int, stock: int) -> None:
        if quantity > self.stock_left(key, day, stock):
            raise ValueError(f"{key} has only {self.stock_left(key, day, stock)} left on {day}")
        self._loans[(key, day)] += quantity


Slot = tuple[int, int, Span]  # (weekday, period number, span)


def pick_weekly(rng, plan: SlotPlan, key, candidates: list[Slot]) -> Slot | None:
    """A random (weekday, period, span) from ``candidates`` free every week for ``key``; taken."""
    for weekday, number, span in rng.sample(candidates, len(candidates)):
        if plan.weekly_free(key, weekday, span):
            plan.take_weekly(key, weekday, span)
            return weekday, number, span
    return None


def pick_dated(rng, plan: SlotPlan, key, days: list[date], spans: list[tuple[int, Span]],
               tries: int = 40) -> tuple[date, int, Span] | None:
    """A random day and (period, span) free for ``key``; taken. None when ``tries`` draws all clash."""
    if not days or not spans:
        return None
    for _ in range(tries):
        day = rng.choice(days)
        number, span = rng.choice(spans)
        if plan.free_on(key, day, span):
            plan.take_on(key, day, span)
            return day, number, span
    return None
