"""The mandate planner: which visiting teacher goes to which tied school on which day and period, so that
every tied school gets its mandated demonstration lessons and training sessions. Pure: no database, no
request; plain dataclasses in (``PlanInput``), a plan out (``Plan``). OR-Tools CP-SAT decides.

The model (a "round" is one teacher's day at one tied school):

- Candidate rounds are generated per teacher, day and tied school, for 1 … ``max_lessons_per_round``
  lessons in the host school's bell periods. A round is a candidate only where the engine would book
  it: a planned day of the term, the host school and the teacher's home school open, inside the
  teacher's available times, clear of the home timetable and of the lessons already booked, and every
  trip into and out of each lesson (from the neighbouring stops of the day, the first one from home
  from the start of the available time) fits between the stops. Of the rounds with the same teacher,
  day, school and number of lessons only the cheapest in travel is kept (earliest periods on a tie):
  nothing else distinguishes them.
- A teacher makes at most one new round a day (so never two places at once, and the trips of the day
  are known exactly), and never more lessons a week than the weekly cap less what is already booked.
- The lessons of a teacher at a school are shared out over the mandates the teacher can serve there
  (a demonstration mandate in a subject the teacher teaches; a training mandate of any subject); no
  school gets more of a mandate than it still lacks.
- Objective: first as many missing lessons as possible (each is worth more than all the travel of
  any plan), then the fewest added travel minutes. A day's travel is the trips between its stops in
  time order, from home and back home; a round costs what it adds to the day's trips.

The solver runs with a fixed seed, a fixed number of workers and a deterministic time limit (work units,
not seconds), so the same input gives the same plan whatever the machine's load; it starts from the greedy
plan, and returns that plan when it finds nothing better in time. Whatever stays missing is named with its
reason (``Shortfall``).
``greedy_plan`` is the nearest-first baseline the bench compares against; ``plan_problems`` checks a
plan against the input (two places at once, closed schools, caps, trips) for the tests and the bench.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from itertools import combinations
from typing import Iterable, Mapping

from booking.bookings.rules import BusyTime, merged_windows

DEFAULT_MAX_LESSONS_PER_ROUND = 2
DEFAULT_SEED = 7
DEFAULT_WORKERS = 1
DEFAULT_DETERMINISTIC_LIMIT = 0.3  # CP-SAT deterministic time units: the same search whatever the machine's load
DEFAULT_WALL_LIMIT = 30.0  # seconds; only a safety net, well above what the deterministic limit takes

# Why a mandate stays short (Shortfall.reason)
NO_TEACHER = "no_teacher"  # no visiting teacher who serves the school teaches it
NO_FREE_PERIOD = "no_free_period"  # the teachers' free periods at the school are fewer than the lessons missing
WEEKLY_CAP = "weekly_cap"  # every week the teachers could come is full to their weekly cap
OTHER_SCHOOLS = "other_schools"  # the teachers' free days are needed for other schools' mandates
REASONS = (NO_TEACHER, NO_FREE_PERIOD, WEEKLY_CAP, OTHER_SCHOOLS)


def _minute(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (the weekly cap counts Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


# --- input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class HostSchool:
    id: int
    name: str
    periods: tuple[Period, ...]
    closed: Mapping[date, str] = field(default_factory=dict)  # local date → reason (district holidays included)


@dataclass(frozen=True)
class FixedStop:
    """Where the teacher already has to be on a day: a booked lesson at a school (local wall-clock times)."""

    day: date
    start: time
    end: time
    school_id: int


@dataclass(frozen=True)
class Teacher:
    id: int  # the teacher's resource id (what a visit books)
    name: str
    home_school_id: int
    subjects: tuple[str, ...]
    weekly_cap: int
    served_school_ids: tuple[int, ...]
    availability: tuple[tuple[int, time, time], ...] = ()  # (weekday, from, to); empty = any time
    busy: tuple[BusyTime, ...] = ()  # the home timetable
    lessons: tuple[FixedStop, ...] = ()  # lessons already booked, in the planned weeks
    closed: Mapping[date, str] = field(default_factory=dict)  # days the engine refuses the teacher (home school)
    last_day: date | None = None  # the teacher's booking horizon


@dataclass(frozen=True)
class Need:
    """What a tied school still lacks of one mandate: ``required`` less what is delivered or planned."""

    school_id: int
    lesson_kind: str  # demonstration / training / regular
    subject: str  # "" = any subject
    required: int
    have: int = 0

    @property
    def missing(self) -> int:
        return max(self.required - self.have, 0)

    @property
    def key(self) -> str:
        return f"{self.lesson_kind}-{self.subject or 'any'}"


@dataclass(frozen=True)
class PlanInput:
    days: tuple[date, ...]  # the days lessons may be planned on, in order
    teachers: tuple[Teacher, ...]
    schools: tuple[HostSchool, ...]
    needs: tuple[Need, ...]
    travel: Mapping[tuple[int, int], int]  # minutes, keyed by (smaller id, larger id)
    max_lessons_per_round: int = DEFAULT_MAX_LESSONS_PER_ROUND
    seed: int = DEFAULT_SEED
    workers: int = DEFAULT_WORKERS
    deterministic_limit: float = DEFAULT_DETERMINISTIC_LIMIT
    wall_limit: float = DEFAULT_WALL_LIMIT

    def minutes(self, a: int, b: int) -> int | None:
        return 0 if a == b else self.travel.get((min(a, b), max(a, b)))


# --- output --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    teacher_id: int
    school_id: int
    day: date
    period_number: int
    start: time
    end: time
    lesson_kind: str
    subject: str

    def as_json(self) -> dict:
        return {"teacher_id": self.teacher_id, "school_id": self.school_id, "day": self.day.isoformat(),
                "period_number": self.period_number, "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M"), "lesson_kind": self.lesson_kind, "subject": self.subject}


@dataclass(frozen=True)
class Shortfall:
    need: Need
    planned: int
    missing: int  # still missing after the plan
    reason: str  # one of REASONS
    free_periods: int = 0  # for NO_FREE_PERIOD: how many lessons the teachers could give there at most


@dataclass
class Plan:
    lessons: list[Lesson]
    shortfalls: list[Shortfall]
    travel_minutes: int  # travel the plan adds to the teachers' days (round trips from home)
    status: str  # optimal, feasible (time limit reached), empty (nothing to plan)
    planned_by_need: dict[tuple[int, str], int] = field(default_factory=dict)  # (school, need key) → lessons

    @property
    def all_met(self) -> bool:
        return not self.shortfalls

    def digest(self) -> str:
        """A fingerprint of the lessons: the plan a coordinator saw is the plan that is committed."""
        text = json.dumps([lesson.as_json() for lesson in self.lessons], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- candidate rounds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stop:
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
        if _minute(opens) <= start < _minute(closes) or (closes == time(0) and _minute(opens) <= start):
            return _minute(opens)
    return None


def _sequence_fits(stops: list[_Stop], teacher: Teacher, windows: list[tuple[time, time]] | None,
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
    return any(_minute(opens) <= _minute(period.start) and (_minute(period.end) <= _minute(closes) or closes == time(0))
               for opens, closes in windows)


def _fixed_stops(teacher: Teacher, day: date) -> list[_Stop]:
    stops = [_Stop(_minute(s.start), _minute(s.end), s.school_id, False) for s in teacher.lessons if s.day == day]
    stops += [_Stop(_minute(b.start), _minute(b.end), teacher.home_school_id, False)
              for b in teacher.busy if b.applies_on(day)]
    return sorted(stops, key=lambda s: (s.start, s.end))


def day_open(teacher: Teacher, school: HostSchool, day: date) -> bool:
    return (day not in school.closed and day not in teacher.closed
            and (teacher.last_day is None or day <= teacher.last_day))


@dataclass
class _Day:
    """A teacher's day before the plan: the fixed stops in time order and the available windows."""

    stops: list[_Stop]
    windows: list[tuple[time, time]] | None  # None: available at any time


def _teacher_day(teacher: Teacher, day: date) -> _Day | None:
    windows = merged_windows(teacher.availability, day.weekday()) if teacher.availability else None
    if windows is not None and not windows:
        return None
    return _Day(_fixed_stops(teacher, day), windows)


def _placement(period: Period, school_id: int, teacher: Teacher, plan_day: _Day,
               data: PlanInput) -> tuple[int, int] | None:
    """Where one new lesson goes among the day's fixed stops (the gap's index) and what the detour costs;
    None when it cannot be booked: outside the available time, on a stop, or a trip in or out does not fit.

    The lessons of one round are at one school, so a set of them fits exactly when each fits alone (the
    trips in and out of a run of lessons at one school are those of its first and last lesson), and
    costs the detours of the distinct gaps it uses."""
    if not _available(period, plan_day.windows):
        return None
    start, end = _minute(period.start), _minute(period.end)
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


def _rounds_of(teacher: Teacher, school: HostSchool, day: date, plan_day: _Day, data: PlanInput) -> dict[int, Round]:
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
                key = (cost, tuple(_minute(p.start) for p in periods))
                if size not in best or key < (best[size][0], tuple(_minute(p.start) for p in best[size][1])):
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
    plan_day = _teacher_day(teacher, day)
    return _rounds_of(teacher, school, day, plan_day, data) if plan_day is not None else {}


def _applies(need: Need, teacher: Teacher) -> bool:
    return need.school_id in teacher.served_school_ids and (not need.subject or need.subject in teacher.subjects)


def candidate_rounds(data: PlanInput) -> list[Round]:
    """Every candidate round of the input, in a stable order (teacher, day, school, size)."""
    schools = {s.id: s for s in data.schools}
    wanted = {need.school_id for need in data.needs if need.missing}
    found = []
    for teacher in data.teachers:
        targets = [schools[sid] for sid in teacher.served_school_ids if sid in schools and sid in wanted
                   and any(_applies(n, teacher) and n.missing for n in data.needs if n.school_id == sid)]
        for day in data.days:
            plan_day = _teacher_day(teacher, day)
            if plan_day is None:
                continue
            for school in targets:
                if day_open(teacher, school, day):
                    found.extend(_rounds_of(teacher, school, day, plan_day, data).values())
    return found


def _existing_per_week(teacher: Teacher) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for stop in teacher.lessons:
        counts[week_of(stop.day)] += 1
    return counts


# --- solving -------------------------------------------------------------------------------------


def _lessons_of(rounds: Iterable[Round], share: Mapping[tuple[int, int], list[tuple[Need, int]]],
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


def plan(data: PlanInput) -> Plan:
    """The CP-SAT plan of ``data`` (see the module's docstring)."""
    from ortools.sat.python import cp_model

    teachers = {t.id: t for t in data.teachers}
    needs = [n for n in data.needs if n.missing > 0]
    rounds = candidate_rounds(data)
    if not needs or not rounds:
        return _finish(data, [], {}, rounds, "empty" if not needs else "optimal")
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"r{i}") for i in range(len(rounds))]
    per_day: dict[tuple[int, date], list] = defaultdict(list)
    per_week: dict[tuple[int, date], list] = defaultdict(list)
    per_pair: dict[tuple[int, int], list] = defaultdict(list)
    for var, r in zip(chosen, rounds):
        per_day[(r.teacher_id, r.day)].append(var)
        per_week[(r.teacher_id, week_of(r.day))].append((var, r.size))
        per_pair[(r.teacher_id, r.school_id)].append((var, r.size))
    for group in per_day.values():
        model.add_at_most_one(group)
    existing = {t.id: _existing_per_week(t) for t in data.teachers}
    for (teacher_id, monday), items in per_week.items():
        left = max(teachers[teacher_id].weekly_cap - existing[teacher_id].get(monday, 0), 0)
        model.add(sum(size * var for var, size in items) <= left)
    share_vars: dict[tuple[int, int], list[tuple[Need, object]]] = defaultdict(list)
    by_need: dict[int, list] = defaultdict(list)
    for pair, items in sorted(per_pair.items()):
        teacher = teachers[pair[0]]
        applicable = [(i, n) for i, n in enumerate(needs) if n.school_id == pair[1] and _applies(n, teacher)]
        parts = []
        for index, need in applicable:
            part = model.new_int_var(0, need.missing, f"u{pair[0]}_{pair[1]}_{index}")
            share_vars[pair].append((need, part))
            by_need[index].append(part)
            parts.append(part)
        model.add(sum(parts) == sum(size * var for var, size in items))
    covered = []
    for index, need in enumerate(needs):
        if by_need[index]:
            model.add(sum(by_need[index]) <= need.missing)
            covered.extend(by_need[index])
    # Each lesson covered is worth more than the travel of every round there is: coverage first, travel second.
    worth = sum(max(r.cost, 0) for r in rounds) + 1
    model.minimize(sum(r.cost * var for var, r in zip(chosen, rounds) if r.cost) - worth * sum(covered))
    greedy_rounds, greedy_share = _greedy(data)
    _hint(model, rounds, chosen, greedy_rounds, share_vars, greedy_share)
    solver = _solver(data, data.deterministic_limit)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # nothing found in the time: the greedy plan
        shares = {pair: list(counts.items()) for pair, counts in greedy_share.items()}
        return _finish(data, greedy_rounds, shares, rounds, "greedy")
    picked = [r for var, r in zip(chosen, rounds) if solver.boolean_value(var)]
    share = {pair: [(need, solver.value(part)) for need, part in parts] for pair, parts in share_vars.items()}
    return _finish(data, picked, share, rounds, "optimal" if status == cp_model.OPTIMAL else "feasible")


def _hint(model, rounds: list[Round], chosen: list, greedy_rounds: list[Round], share_vars: dict,
          greedy_share: dict) -> None:
    """Start the search from the greedy plan (a complete, feasible assignment)."""
    taken = {(r.teacher_id, r.day, r.school_id, r.size) for r in greedy_rounds}
    for var, r in zip(chosen, rounds):
        model.add_hint(var, (r.teacher_id, r.day, r.school_id, r.size) in taken)
    for pair, parts in share_vars.items():
        counts = greedy_share.get(pair, {})
        for need, part in parts:
            model.add_hint(part, counts.get(need, 0))


def _solver(data: PlanInput, deterministic_limit: float):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.random_seed = data.seed
    solver.parameters.num_workers = data.workers
    solver.parameters.max_deterministic_time = deterministic_limit
    solver.parameters.max_time_in_seconds = data.wall_limit
    # Measured on the bench: the search, started from the greedy plan, finds the best plans sooner without
    # the presolve's probing and symmetry detection, which cost more than they save on this model.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    return solver


def _finish(data: PlanInput, picked: list[Round], share: dict, rounds: list[Round], status: str) -> Plan:
    teachers = {t.id: t for t in data.teachers}
    lessons = _lessons_of(picked, share, teachers)
    planned: dict[tuple[int, str], int] = defaultdict(int)
    for pair_share in share.values():
        for need, count in pair_share:
            planned[(need.school_id, need.key)] += count
    shortfalls = explain_shortfalls(data, picked, dict(planned), rounds)
    return Plan(lessons, shortfalls, sum(r.cost for r in picked), status, dict(planned))


def explain_shortfalls(data: PlanInput, picked: list[Round], planned: Mapping[tuple[int, str], int],
                       rounds: list[Round]) -> list[Shortfall]:
    """Each mandate the plan leaves short, with why."""
    teachers = {t.id: t for t in data.teachers}
    used_week: dict[tuple[int, date], int] = defaultdict(int)
    for teacher in data.teachers:
        for monday, count in _existing_per_week(teacher).items():
            used_week[(teacher.id, monday)] += count
    for r in picked:
        used_week[(r.teacher_id, week_of(r.day))] += r.size
    capacity: dict[tuple[int, int], dict[date, int]] = defaultdict(dict)  # (teacher, school) → day → max lessons
    for r in rounds:
        days = capacity[(r.teacher_id, r.school_id)]
        days[r.day] = max(days.get(r.day, 0), r.size)
    found = []
    for need in data.needs:
        got = planned.get((need.school_id, need.key), 0)
        short = need.missing - got
        if short <= 0:
            continue
        eligible = [t for t in data.teachers if _applies(need, t)]
        if not eligible:
            found.append(Shortfall(need, got, short, NO_TEACHER))
            continue
        free = sum(sum(capacity[(t.id, need.school_id)].values()) for t in eligible)
        if free < need.missing:
            found.append(Shortfall(need, got, short, NO_FREE_PERIOD, free))
            continue
        weeks = {(t.id, week_of(day)) for t in eligible for day in capacity[(t.id, need.school_id)]}
        if all(used_week[w] >= teachers[w[0]].weekly_cap for w in weeks):
            found.append(Shortfall(need, got, short, WEEKLY_CAP))
        else:
            found.append(Shortfall(need, got, short, OTHER_SCHOOLS))
    return found


# --- the baseline and the checks -----------------------------------------------------------------


def _greedy(data: PlanInput) -> tuple[list[Round], dict[tuple[int, int], dict[Need, int]]]:
    schools = {s.id: s for s in data.schools}
    missing = {index: need.missing for index, need in enumerate(data.needs)}
    used_week = {t.id: _existing_per_week(t) for t in data.teachers}
    picked: list[Round] = []
    share: dict[tuple[int, int], dict[Need, int]] = defaultdict(lambda: defaultdict(int))
    for day in data.days:
        for teacher in data.teachers:
            left = teacher.weekly_cap - used_week[teacher.id].get(week_of(day), 0)
            plan_day = _teacher_day(teacher, day) if left > 0 else None
            if plan_day is None:
                continue
            options = sorted((data.minutes(teacher.home_school_id, sid) or 10**6, sid)
                             for sid in teacher.served_school_ids if sid in schools)
            for _, sid in options:
                open_needs = [i for i, n in enumerate(data.needs)
                              if n.school_id == sid and _applies(n, teacher) and missing[i] > 0]
                want = min(sum(missing[i] for i in open_needs), left, data.max_lessons_per_round)
                if want <= 0 or not day_open(teacher, schools[sid], day):
                    continue
                rounds = _rounds_of(teacher, schools[sid], day, plan_day, data)
                sizes = [size for size in rounds if size <= want]
                if not sizes:
                    continue
                r = rounds[max(sizes)]
                picked.append(r)
                used_week[teacher.id][week_of(day)] = used_week[teacher.id].get(week_of(day), 0) + r.size
                give = r.size
                for i in open_needs:
                    take = min(give, missing[i])
                    missing[i] -= take
                    share[(teacher.id, sid)][data.needs[i]] += take
                    give -= take
                break
    return picked, share


def greedy_plan(data: PlanInput) -> Plan:
    """Nearest first: day by day, each teacher goes to the nearest school (from home) that still lacks a
    mandate the teacher serves and where a round fits, with as many lessons as the school still lacks."""
    picked, share = _greedy(data)
    shares = {pair: list(counts.items()) for pair, counts in share.items()}
    return _finish(data, picked, shares, candidate_rounds(data), "greedy")


def plan_problems(data: PlanInput, lessons: Iterable[Lesson]) -> list[str]:
    """What is wrong with ``lessons`` against ``data`` (empty: nothing): a teacher in two places at once,
    a closed school, a school or subject the teacher does not serve, a weekly cap passed, a trip that does
    not fit. English, for tests and the bench."""
    teachers = {t.id: t for t in data.teachers}
    schools = {s.id: s for s in data.schools}
    problems = []
    by_day: dict[tuple[int, date], list[_Stop]] = defaultdict(list)
    per_week: dict[tuple[int, date], int] = defaultdict(int)
    for lesson in lessons:
        teacher, school = teachers[lesson.teacher_id], schools[lesson.school_id]
        if lesson.day in school.closed or lesson.day in teacher.closed:
            problems.append(f"{teacher.name} at the closed school {school.name} on {lesson.day}")
        if lesson.school_id not in teacher.served_school_ids or lesson.subject not in teacher.subjects:
            problems.append(f"{teacher.name} does not serve {school.name} in {lesson.subject}")
        by_day[(teacher.id, lesson.day)].append(
            _Stop(_minute(lesson.start), _minute(lesson.end), lesson.school_id, True))
        per_week[(teacher.id, week_of(lesson.day))] += 1
    for (teacher_id, day), new in sorted(by_day.items()):
        teacher = teachers[teacher_id]
        stops = sorted(_fixed_stops(teacher, day) + new, key=lambda s: (s.start, s.end))
        windows = merged_windows(teacher.availability, day.weekday()) if teacher.availability else None
        if any(b.start < a.end for a, b in zip(stops, stops[1:])):
            problems.append(f"{teacher.name} in two places at once on {day}")
        elif not _sequence_fits(stops, teacher, windows, data):
            problems.append(f"{teacher.name}'s trips do not fit on {day}")
    existing = {t.id: _existing_per_week(t) for t in data.teachers}
    for (teacher_id, monday), count in sorted(per_week.items()):
        teacher = teachers[teacher_id]
        if count + existing[teacher_id].get(monday, 0) > teacher.weekly_cap:
            problems.append(f"{teacher.name} over the weekly cap in the week of {monday}")
    return problems
