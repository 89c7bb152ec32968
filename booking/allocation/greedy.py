"""The greedy comparisons on the allocator's candidates: each request in turn takes its first candidate
(its own preference order) still free, first come first served or in a seeded random order. Pure.
Their answers also start the CP-SAT search (booking/allocation/solver.py) from a feasible point.
"""
from __future__ import annotations

import random
from typing import Iterable

from booking.allocation.solver_types import SEED, Assignment, Candidate, Problem, ResourceIn


def _fits(problem: Problem, candidate: Candidate, taken: list[Candidate], resources: dict[int, ResourceIn],
          used: dict[int, int], school_of: dict[int, int]) -> bool:
    resource = resources.get(candidate.resource_id, ResourceIn(candidate.resource_id))
    same_day = [t for t in taken if t.resource_id == candidate.resource_id and t.weekday == candidate.weekday]
    for point in {candidate.start} | {t.start for t in same_day if candidate.start <= t.start < candidate.end}:
        running = sum(1 for t in same_day if t.start <= point < t.end)
        if running + 1 > resource.stock:
            return False
    if resource.teacher:
        for t in same_day:
            if t.start < candidate.end and candidate.start < t.end:
                continue
            if not resource.reachable(t, candidate):
                return False
        if resource.weekly_cap is not None and sum(1 for t in taken if t.resource_id == resource.id) >= resource.weekly_cap:
            return False
    school_id = school_of[candidate.request_id]
    for index, quota in enumerate(problem.quotas):
        if quota.school_id == school_id and candidate.resource_id in quota.resource_ids:
            if used.get(index, 0) + candidate.minutes > quota.minutes:
                return False
    return True


def in_order(problem: Problem, order: Iterable[int], method: str) -> Assignment:
    """Greedy: each request in ``order`` takes its first candidate (its own preference order) still free."""
    resources = {r.id: r for r in problem.resources}
    school_of = {r.id: r.school_id for r in problem.requests}
    options: dict[int, list[Candidate]] = {}
    for candidate in problem.candidates:
        options.setdefault(candidate.request_id, []).append(candidate)
    taken: list[Candidate] = []
    used: dict[int, int] = {}
    chosen = {}
    for request_id in order:
        for candidate in sorted(options.get(request_id, ()), key=lambda c: (c.rank, c.resource_id)):
            if _fits(problem, candidate, taken, resources, used, school_of):
                chosen[request_id] = candidate
                taken.append(candidate)
                for index, quota in enumerate(problem.quotas):
                    if quota.school_id == school_of[request_id] and candidate.resource_id in quota.resource_ids:
                        used[index] = used.get(index, 0) + candidate.minutes
                break
    return Assignment(chosen, method, "greedy")


def first_come_first_served(problem: Problem) -> Assignment:
    return in_order(problem, [r.id for r in sorted(problem.requests, key=lambda r: (r.order, r.id))], "fcfs")


def random_order(problem: Problem, seed: int = SEED) -> Assignment:
    order = [r.id for r in sorted(problem.requests, key=lambda r: r.id)]
    random.Random(seed).shuffle(order)
    return in_order(problem, order, "random")
