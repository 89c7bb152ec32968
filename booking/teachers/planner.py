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

from collections import defaultdict
from datetime import date
from typing import Iterable, Mapping

from booking.bookings.rules import merged_windows
from booking.teachers.plan_model import (NO_FREE_PERIOD, NO_TEACHER, OTHER_SCHOOLS, WEEKLY_CAP, Lesson, Need, Plan,
                                         PlanInput, Shortfall, minute, week_of)
from booking.teachers.plan_rounds import (Round, Stop, applies, candidate_rounds, day_open, existing_per_week,
                                          fixed_stops, lessons_of, rounds_of, sequence_fits, teacher_day)


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
    existing = {t.id: existing_per_week(t) for t in data.teachers}
    for (teacher_id, monday), items in per_week.items():
        left = max(teachers[teacher_id].weekly_cap - existing[teacher_id].get(monday, 0), 0)
        model.add(sum(size * var for var, size in items) <= left)
    share_vars: dict[tuple[int, int], list[tuple[Need, object]]] = defaultdict(list)
    by_need: dict[int, list] = defaultdict(list)
    for pair, items in sorted(per_pair.items()):
        teacher = teachers[pair[0]]
        applicable = [(i, n) for i, n in enumerate(needs) if n.school_id == pair[1] and applies(n, teacher)]
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
    lessons = lessons_of(picked, share, teachers)
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
        for monday, count in existing_per_week(teacher).items():
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
        eligible = [t for t in data.teachers if applies(need, t)]
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
    used_week = {t.id: existing_per_week(t) for t in data.teachers}
    picked: list[Round] = []
    share: dict[tuple[int, int], dict[Need, int]] = defaultdict(lambda: defaultdict(int))
    for day in data.days:
        for teacher in data.teachers:
            left = teacher.weekly_cap - used_week[teacher.id].get(week_of(day), 0)
            plan_day = teacher_day(teacher, day) if left > 0 else None
            if plan_day is None:
                continue
            options = sorted((data.minutes(teacher.home_school_id, sid) or 10**6, sid)
                             for sid in teacher.served_school_ids if sid in schools)
            for _, sid in options:
                open_needs = [i for i, n in enumerate(data.needs)
                              if n.school_id == sid and applies(n, teacher) and missing[i] > 0]
                want = min(sum(missing[i] for i in open_needs), left, data.max_lessons_per_round)
                if want <= 0 or not day_open(teacher, schools[sid], day):
                    continue
                rounds = rounds_of(teacher, schools[sid], day, plan_day, data)
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
    by_day: dict[tuple[int, date], list[Stop]] = defaultdict(list)
    per_week: dict[tuple[int, date], int] = defaultdict(int)
    for lesson in lessons:
        teacher, school = teachers[lesson.teacher_id], schools[lesson.school_id]
        if lesson.day in school.closed or lesson.day in teacher.closed:
            problems.append(f"{teacher.name} at the closed school {school.name} on {lesson.day}")
        if lesson.school_id not in teacher.served_school_ids or lesson.subject not in teacher.subjects:
            problems.append(f"{teacher.name} does not serve {school.name} in {lesson.subject}")
        by_day[(teacher.id, lesson.day)].append(
            Stop(minute(lesson.start), minute(lesson.end), lesson.school_id, True))
        per_week[(teacher.id, week_of(lesson.day))] += 1
    for (teacher_id, day), new in sorted(by_day.items()):
        teacher = teachers[teacher_id]
        stops = sorted(fixed_stops(teacher, day) + new, key=lambda s: (s.start, s.end))
        windows = merged_windows(teacher.availability, day.weekday()) if teacher.availability else None
        if any(b.start < a.end for a, b in zip(stops, stops[1:])):
            problems.append(f"{teacher.name} in two places at once on {day}")
        elif not sequence_fits(stops, teacher, windows, data):
            problems.append(f"{teacher.name}'s trips do not fit on {day}")
    existing = {t.id: existing_per_week(t) for t in data.teachers}
    for (teacher_id, monday), count in sorted(per_week.items()):
        teacher = teachers[teacher_id]
        if count + existing[teacher_id].get(monday, 0) > teacher.weekly_cap:
            problems.append(f"{teacher.name} over the weekly cap in the week of {monday}")
    return problems
