"""The mandate planner's candidate rounds: one teacher's day at one tied school, only where the booking
engine would book it (see ``planner`` for the model). Pure: no database, no request.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from itertools import combinations
from typing import Iterable, Mapping

from booking.bookings.rules import merged_windows

from booking.teachers.plan_model import HostSchool, Lesson, Need, Period, PlanInput, Teacher, minute, week_of


@dataclass(frozen=True)
class Stop:
    start: int  # minutes of the day
    end: int
    school_id: int
    new: bool


@dataclass(frozen=True)
class Round:
    teacher_id: int
    school_id: int
    day: date
    periods: tuple[Period, ...]
    cost: int  # travel minutes the round adds to the teacher's day

    @property
    def size(self) -> int:
        return len(self.periods)


def _window_start(windows: list[tuple[time, time]], start: int) -> int | None:
    for opens, closes in windows:
        if minute(opens) <= start < minute(closes) or (closes == time(0) and minute(opens) <= start):
            return minute(opens)
    return None


def sequence_fits(stops: list[Stop], teacher: Teacher, windows: list[tuple[time, time]] | None,
                   data: PlanInput) -> bool:
    """The trips into and out of every new stop fit, as the booking engine's travel rule checks them."""
    for before, after in zip(stops, stops[1:]):
        if after.start < before.end:
            return False
        if not (before.new or after.new):
            continue
        minutes = data.minutes(before.school_id, after.school_id)
        if minutes is None or after.start - before.end < minutes:
            return False
    first = stops[0]
    if first.new and windows is not None:
        opens = _window_start(windows, first.start)
        minutes = data.minutes(teacher.home_school_id, first.school_id)
        if opens is not None and (minutes is None or first.start - opens < minutes):
            return False
    return True


def _available(period: Period, windows: list[tuple[time, time]] | None) -> bool:
    if windows is None:
        return True
    return any(minute(opens) <= minute(period.start) and (minute(period.end) <= minute(closes) or closes == time(0))
               for opens, closes in windows)


def fixed_stops(teacher: Teacher, day: date) -> list[Stop]:
    stops = [Stop(minute(s.start), minute(s.end), s.school_id, False) for s in teacher.lessons if s.day == day]
    stops += [Stop(minute(b.start), minute(b.end), teacher.home_school_id, False)
              for b in teacher.busy if b.applies_on(day)]
    return sorted(stops, key=lambda s: (s.start, s.end))


def day_open(teacher: Teacher, school: HostSchool, day: date) -> bool:
    return (day not in school.closed and day not in teacher.closed
            and (teacher.last_day is None or day <= teacher.last_day))


@dataclass
class _Day:
    """A teacher's day before the plan: the fixed stops in time order and the available windows."""

    stops: list[Stop]
    windows: list[tuple[time, time]] | None  # None: available at any time


def teacher_day(teacher: Teacher, day: date) -> _Day | None:
    windows = merged_windows(teacher.availability, day.weekday()) if teacher.availability else None
    if windows is not None and not windows:
        return None
    return _Day(fixed_stops(teacher, day), windows)


def _placement(period: Period, school_id: int, teacher: Teacher, plan_day: _Day,
               data: PlanInput) -> tuple[int, int] | None:
    """Where one new lesson goes among the day's fixed stops (the gap's index) and what the detour costs;
    None when it cannot be booked: outside the available time, on a stop, or a trip in or out does not fit.

    The lessons of one round are at one school, so a set of them fits exactly when each fits alone (the
    trips in and out of a run of lessons at one school are those of its first and last lesson), and
    costs the detours of the distinct gaps it uses."""
    if not _available(period, plan_day.windows):
        return None
    start, end = minute(period.start), minute(period.end)
    stops = plan_day.stops
    if any(start < s.end and s.start < end for s in stops):
        return None
    before = [s for s in stops if s.end <= start]
    after = [s for s in stops if s.start >= end]
    if before:
        previous = max(before, key=lambda s: s.end)
        minutes = data.minutes(previous.school_id, school_id)
        if minutes is None or start - previous.end < minutes:
            return None
    elif plan_day.windows is not None:
        opens = _window_start(plan_day.windows, start)
        minutes = data.minutes(teacher.home_school_id, school_id)
        if opens is not None and (minutes is None or start - opens < minutes):
            return None
    if after:
        following = min(after, key=lambda s: s.start)
        minutes = data.minutes(school_id, following.school_id)
        if minutes is None or following.start - end < minutes:
            return None
    gap = sum(1 for s in stops if s.start < start)
    origin = stops[gap - 1].school_id if gap else teacher.home_school_id
    destination = stops[gap].school_id if gap < len(stops) else teacher.home_school_id
    detour = ((data.minutes(origin, school_id) or 0) + (data.minutes(school_id, destination) or 0)
              - (data.minutes(origin, destination) or 0))
    return gap, detour


def rounds_of(teacher: Teacher, school: HostSchool, day: date, plan_day: _Day, data: PlanInput) -> dict[int, Round]:
    by_gap: dict[int, list[Period]] = defaultdict(list)
    detours: dict[int, int] = {}
    for period in school.periods:
        placed = _placement(period, school.id, teacher, plan_day, data)
        if placed is not None:
            by_gap[placed[0]].append(period)
            detours[placed[0]] = placed[1]
    best: dict[int, tuple[int, tuple[Period, ...]]] = {}
    gaps = sorted(by_gap)
    for count in range(1, min(len(gaps), data.max_lessons_per_round) + 1):
        for used in combinations(gaps, count):
            cost = sum(detours[g] for g in used)
            # every way of filling the used gaps with 1 … max lessons (at least one in each)
            for fill in _fills([len(by_gap[g]) for g in used], data.max_lessons_per_round):
                periods = tuple(sorted((p for g, n in zip(used, fill) for p in by_gap[g][:n]),
                                       key=lambda p: (p.start, p.number)))
                size = len(periods)
                key = (cost, tuple(minute(p.start) for p in periods))
                if size not in best or key < (best[size][0], tuple(minute(p.start) for p in best[size][1])):
                    best[size] = (cost, periods)
    return {size: Round(teacher.id, school.id, day, periods, cost) for size, (cost, periods) in sorted(best.items())}


def _fills(capacities: list[int], limit: int):
    """Tuples of lessons per used gap: at least one each, within each gap's periods, at most ``limit`` in all."""
    if not capacities:
        yield ()
        return
    first, rest = capacities[0], capacities[1:]
    for n in range(1, min(first, limit - len(rest)) + 1):
        for tail in _fills(rest, limit - n):
            yield (n, *tail)


def teacher_rounds(teacher: Teacher, school: HostSchool, day: date, data: PlanInput) -> dict[int, Round]:
    """The cheapest round of each size (1 … max lessons) the teacher can make at ``school`` on ``day``
    (earliest periods on a tie)."""
    if not day_open(teacher, school, day):
        return {}
    plan_day = teacher_day(teacher, day)
    return rounds_of(teacher, school, day, plan_day, data) if plan_day is not None else {}


def applies(need: Need, teacher: Teacher) -> bool:
    return need.school_id in teacher.served_school_ids and (not need.subject or need.subject in teacher.subjects)


def candidate_rounds(data: PlanInput) -> list[Round]:
    """Every candidate round of the input, in a stable order (teacher, day, school, size)."""
    schools = {s.id: s for s in data.schools}
    wanted = {need.school_id for need in data.needs if need.missing}
    found = []
    for teacher in data.teachers:
        targets = [schools[sid] for sid in teacher.served_school_ids if sid in schools and sid in wanted
                   and any(applies(n, teacher) and n.missing for n in data.needs if n.school_id == sid)]
        for day in data.days:
            plan_day = teacher_day(teacher, day)
            if plan_day is None:
                continue
            for school in targets:
                if day_open(teacher, school, day):
                    found.extend(rounds_of(teacher, school, day, plan_day, data).values())
    return found


def existing_per_week(teacher: Teacher) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for stop in teacher.lessons:
        counts[week_of(stop.day)] += 1
    return counts


# --- solving -------------------------------------------------------------------------------------


def lessons_of(rounds: Iterable[Round], share: Mapping[tuple[int, int], list[tuple[Need, int]]],
                teachers: Mapping[int, Teacher]) -> list[Lesson]:
    """The rounds' lessons, each given the mandate it counts for (in date order per teacher and school)."""
    by_pair: dict[tuple[int, int], list[tuple[date, Period]]] = defaultdict(list)
    for r in rounds:
        by_pair[(r.teacher_id, r.school_id)].extend((r.day, p) for p in r.periods)
    lessons = []
    for pair, slots in sorted(by_pair.items()):
        kinds = [need for need, count in share.get(pair, []) for _ in range(count)]
        teacher = teachers[pair[0]]
        for (day, period), need in zip(sorted(slots, key=lambda s: (s[0], s[1].start)), kinds):
            subject = need.subject or sorted(teacher.subjects)[0]
            lessons.append(Lesson(pair[0], pair[1], day, period.number, period.start, period.end,
                                  need.lesson_kind, subject))
    return sorted(lessons, key=lambda x: (x.day, x.start, x.teacher_id))
