"""The term allocation round at district scale: 24 schools, 60 resources, 5 weekdays × 8 periods, 600 weekly
requests. Prints requests served and the shared-access CV for the allocator (CP-SAT, booking/allocation/solver.py),
first come first served and a random order, side by side, and the allocator's time.

    .venv/bin/python bench/allocation_round.py [--seed N]

The round is synthetic and pure (no database): 4 lead schools own the 60 resources (labs, gyms, music and art
rooms, 6 visiting teachers); 20 tied schools of 60–900 students ask for them. Big schools and the lead schools'
own classes ask early (first come), small weak schools late, as they do when the form opens on a Monday morning.
Each request names a resource (or any of a category's first three) and 1–3 acceptable weekday × 第N节 slots, mostly
the mornings' 第2–4节 of the popular rooms, for 16 weeks: contested, so that not everybody can be served.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking.allocation.access import cv_of  # noqa: E402
from booking.allocation.greedy import first_come_first_served, random_order  # noqa: E402
from booking.allocation.solver import allocate  # noqa: E402
from booking.allocation.solver_types import Candidate, Problem, RequestIn, ResourceIn, SchoolIn  # noqa: E402

BELLS = [(8 * 60, 8 * 60 + 40), (8 * 60 + 50, 9 * 60 + 30), (9 * 60 + 50, 10 * 60 + 30), (10 * 60 + 40, 11 * 60 + 20),
         (14 * 60, 14 * 60 + 40), (14 * 60 + 50, 15 * 60 + 30), (15 * 60 + 40, 16 * 60 + 20), (16 * 60 + 30, 17 * 60 + 10)]
WEEKS = 16


def build(seed: int) -> Problem:
    rng = random.Random(seed)
    leads = [SchoolIn(i, rng.randint(1200, 1800), base_minutes=rng.randint(0, 40) * 60) for i in range(1, 5)]
    tied = [SchoolIn(i, rng.randint(60, 900), weak=i % 3 != 0, base_minutes=rng.randint(0, 30) * 60) for i in range(5, 25)]
    schools = leads + tied
    resources, categories = [], {}
    for index in range(60):
        owner = leads[index % 4].id
        category = ("lab", "gym", "music", "art", "teacher")[index % 5]
        teacher = category == "teacher" and len([r for r in resources if r[2]]) < 6
        travel = {(min(a.id, b.id), max(a.id, b.id)): rng.choice((10, 20, 30, 45)) for a in schools for b in schools
                  if a.id < b.id} if teacher else {}
        resources.append((ResourceIn(index + 1, teacher=teacher, weekly_cap=20 if teacher else None, travel=travel),
                          owner, teacher))
        categories.setdefault(category, []).append(index + 1)
    owner_of = {r.id: owner for r, owner, _ in resources}
    teacher_ids = {r.id for r, _, teacher in resources if teacher}
    requests, candidates = [], []
    weights = [s.enrollment for s in schools]
    for request_id in range(1, 601):
        school = rng.choices(schools, weights)[0]
        # Submission order: bigger and stronger schools earlier.
        order = rng.random() * (2.0 if school.weak else 1.0) - school.enrollment / 2000
        requests.append(RequestIn(request_id, school.id, priority=rng.randint(1, 5), order=0))
        requests[-1] = RequestIn(request_id, school.id, requests[-1].priority, int(order * 10_000))
        category = rng.choice(list(categories))
        # Mostly one named room (the lead school's good lab, its gym), sometimes any of the kind's first three.
        wanted = categories[category][:3] if rng.random() < 0.3 else [rng.choice(categories[category][:6])]
        # The mornings' 第2–4节 are what everybody wants.
        slots = []
        while len(slots) < rng.randint(1, 3):
            slot = (rng.randrange(5), rng.choices(range(8), (1, 4, 4, 3, 1, 1, 1, 0.5))[0])
            if slot not in slots:
                slots.append(slot)
        for rank, (day, period) in enumerate(slots):
            for resource_id in wanted:
                start, end = BELLS[period]
                held_at = school.id if resource_id in teacher_ids else owner_of[resource_id]
                candidates.append(Candidate(request_id, resource_id, day, period + 1, start, end,
                                            (end - start) * WEEKS, owner_of[resource_id] != school.id, held_at, rank))
    return Problem(tuple(schools), tuple(requests), tuple(candidates), tuple(r for r, _, _ in resources))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    seed = parser.parse_args().seed
    from ortools.sat.python import cp_model  # noqa: F401  (imported before the clock starts: ~1.5 s, once a process)

    problem = build(seed)
    print(f"schools {len(problem.schools)}, resources {len(problem.resources)}, requests {len(problem.requests)}, "
          f"candidate (request, slot) pairs {len(problem.candidates)}")
    started = time.perf_counter()
    best = allocate(problem)
    seconds = time.perf_counter() - started
    print(f"{'method':<26}{'served':>8}{'shared-access CV':>18}")
    print(f"{'before the round':<26}{'':>8}{cv_of(problem):>18.3f}")
    for name, result in (("allocator (CP-SAT)", best), ("first come first served", first_come_first_served(problem)),
                         ("random order", random_order(problem))):
        print(f"{name:<26}{result.served:>8}{cv_of(problem, result.chosen.values()):>18.3f}")
    print(f"allocator: {seconds:.2f} s ({best.status}; limit 10 s)")


if __name__ == "__main__":
    main()
