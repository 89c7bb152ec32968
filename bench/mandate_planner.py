"""Benchmark of the mandate planner: 6 visiting teachers × 22 tied schools × 3 subjects, a whole term.

    .venv/bin/python bench/mandate_planner.py                 # the whole term (20 weeks)
    .venv/bin/python bench/mandate_planner.py --weeks 9 --cap 5 --booked 3   # the rest of a term, tighter

A district shaped like the demo (two lead schools, each with a music, a PE and an art teacher serving its
11 village schools; 8 bell periods a school, each school's bells a few minutes apart; travel times from
positions on a map; the national holidays and a few schools' own closures; two home-school mornings a week
per teacher; ``--booked`` lessons a week already booked per teacher) is planned by the CP-SAT planner
(booking/teachers/planner.py) and by the greedy nearest-first baseline. Printed: candidate rounds, the time
each takes, total travel minutes each adds, lessons planned, whether every mandate is met (and why not), and
the checks that no teacher is in two places at once, at a closed school or over the weekly cap.
Target: the planner ≤ 10 s on a 2-core machine. No database.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking.bookings.rules import BusyTime  # noqa: E402
from booking.teachers import plan_model, planner  # noqa: E402

TARGET_SECONDS = 10.0
SUBJECTS = ("music", "pe", "art")
HOME_MORNINGS = {"music": (0, 3), "pe": (1, 4), "art": (2, 0)}
HOLIDAYS = ((date(2026, 9, 25), date(2026, 9, 27)), (date(2026, 10, 1), date(2026, 10, 7)),
            (date(2027, 1, 1), date(2027, 1, 3)))
TERM_END = date(2027, 1, 22)


def _bells(offset: int) -> tuple[plan_model.Period, ...]:
    starts = (8 * 60, 8 * 60 + 50, 9 * 60 + 50, 10 * 60 + 40, 14 * 60, 14 * 60 + 50, 15 * 60 + 40, 16 * 60 + 30)
    return tuple(plan_model.Period(n + 1, time(*divmod(s + offset, 60)), time(*divmod(s + offset + 40, 60)))
                 for n, s in enumerate(starts))


def district(weeks: int, cap: int, booked: int, seed: int) -> plan_model.PlanInput:
    rng = random.Random(seed)
    first = TERM_END - timedelta(days=TERM_END.weekday()) - timedelta(weeks=weeks - 1)
    days = tuple(first + timedelta(days=n) for n in range((TERM_END - first).days + 1) if (first + timedelta(days=n)).weekday() < 5)
    holidays = {d: "假期" for start, end in HOLIDAYS for d in (start + timedelta(days=n) for n in range((end - start).days + 1))}
    leads = (1, 2)
    position = {1: (0.0, 0.0), 2: (30.0, 0.0)}
    villages: dict[int, list[int]] = {1: [], 2: []}
    schools = []
    next_id = 3
    for lead in leads:
        for _ in range(11):
            angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(4, 16)
            position[next_id] = (position[lead][0] + radius * math.cos(angle), position[lead][1] + radius * math.sin(angle))
            villages[lead].append(next_id)
            closed = dict(holidays)
            if rng.random() < 0.3:
                day = rng.choice(days)
                closed[day] = "停电检修"
            schools.append(plan_model.HostSchool(next_id, f"村小{next_id}", _bells(rng.choice((0, 5, 10))), closed))
            next_id += 1
    ids = sorted(position)
    travel = {(a, b): max(5, round(2.2 * math.dist(position[a], position[b])))
              for i, a in enumerate(ids) for b in ids[i + 1:]}
    teachers = []
    for lead in leads:
        for index, subject in enumerate(SUBJECTS):
            busy = tuple(BusyTime(weekday, time(8, 0), time(9, 30), note="本校课") for weekday in HOME_MORNINGS[subject])
            lessons = []
            for day in days:
                if day.weekday() == 2 and booked:  # the already booked lessons: Wednesdays, nearest schools
                    for n in range(booked):
                        slot = _bells(0)[4 + n % 4]
                        lessons.append(plan_model.FixedStop(day, slot.start, slot.end, villages[lead][n % 3]))
            teachers.append(plan_model.Teacher(
                id=100 + lead * 10 + index, name=f"{subject}-{lead}", home_school_id=lead, subjects=(subject,),
                weekly_cap=cap, served_school_ids=tuple(villages[lead]),
                availability=tuple((weekday, time(7, 50), time(17, 40)) for weekday in range(5)), busy=busy,
                lessons=tuple(lessons), closed=holidays))
    needs = []
    for lead in leads:
        for school in villages[lead]:
            for subject in SUBJECTS:
                needs.append(plan_model.Need(school, "demonstration", subject, 3, rng.choice((0, 0, 1))))
            needs.append(plan_model.Need(school, "training", "", 2, 0))
    return plan_model.PlanInput(days=days, teachers=tuple(teachers), schools=tuple(schools), needs=tuple(needs),
                             travel=travel)


def report(name: str, result: plan_model.Plan, seconds: float, data: plan_model.PlanInput) -> None:
    problems = planner.plan_problems(data, result.lessons)
    print(f"{name:>8}: {seconds:6.2f} s  travel {result.travel_minutes:6d} min  lessons {len(result.lessons):4d}  "
          f"every mandate met: {'yes' if result.all_met else 'no'}  status {result.status}")
    for shortfall in result.shortfalls[:10]:
        print(f"          short: school {shortfall.need.school_id} {shortfall.need.key} "
              f"missing {shortfall.missing} ({shortfall.reason})")
    if len(result.shortfalls) > 10:
        print(f"          … and {len(result.shortfalls) - 10} more")
    print(f"          checks (two places at once, closed school, cap, trips): "
          f"{'all pass' if not problems else '; '.join(problems[:5])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=20, help="school weeks left in the term (default 20)")
    parser.add_argument("--cap", type=int, default=8, help="each teacher's weekly cap (default 8)")
    parser.add_argument("--booked", type=int, default=0, help="lessons a week already booked per teacher")
    parser.add_argument("--seed", type=int, default=1, help="the district's random layout")
    args = parser.parse_args()
    data = district(args.weeks, args.cap, args.booked, args.seed)
    missing = sum(need.missing for need in data.needs)
    print(f"{len(data.teachers)} teachers × {len(data.schools)} schools × {len(SUBJECTS)} subjects, "
          f"{len(data.days)} school days, {missing} lessons missing")
    started = clock.perf_counter()
    from ortools.sat.python import cp_model  # noqa: F401  (once per process; a web worker has it loaded)
    print(f"importing OR-Tools: {clock.perf_counter() - started:.2f} s (not counted)")
    started = clock.perf_counter()
    rounds = planner.candidate_rounds(data)
    print(f"candidate rounds: {len(rounds)} ({clock.perf_counter() - started:.2f} s)")
    started, cpu = clock.perf_counter(), clock.process_time()
    solved = planner.plan(data)
    solved_seconds, solved_cpu = clock.perf_counter() - started, clock.process_time() - cpu
    started = clock.perf_counter()
    greedy = planner.greedy_plan(data)
    greedy_seconds = clock.perf_counter() - started
    report("CP-SAT", solved, solved_seconds, data)
    report("greedy", greedy, greedy_seconds, data)
    if greedy.travel_minutes:
        print(f"travel: CP-SAT {solved.travel_minutes} min against greedy nearest-first {greedy.travel_minutes} min "
              f"({100 * (1 - solved.travel_minutes / greedy.travel_minutes):.0f}% less)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CP-SAT plan: {solved_seconds:.2f} s wall, {solved_cpu:.2f} s CPU (load average {load:.1f} on "
          f"{os.cpu_count()} cores); target ≤ {TARGET_SECONDS:.0f} s: "
          f"{'met' if solved_seconds <= TARGET_SECONDS else 'MISSED'}")
    return 0 if solved_seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
