"""What a set of chosen candidates means for equity: each school's shared minutes, its shared access per
100 pupils, and the enrollment-weighted CV of shared access per student (booking.reports.equity's
definition). Pure: the solver's values in, numbers out.
"""
from __future__ import annotations

from typing import Iterable

from booking.allocation.solver_types import Candidate, Problem
from booking.reports.equity import Point, weighted_cv


def shared_minutes(problem: Problem, chosen: Iterable[Candidate]) -> dict[int, int]:
    totals = {school.id: school.base_minutes for school in problem.schools}
    school_of = {request.id: request.school_id for request in problem.requests}
    for candidate in chosen:
        if candidate.shared:
            school_id = school_of[candidate.request_id]
            totals[school_id] = totals.get(school_id, 0) + candidate.minutes
    return totals


def points(problem: Problem, chosen: Iterable[Candidate] = ()) -> list[Point]:
    totals = shared_minutes(problem, chosen)
    return [Point(school.enrollment, totals[school.id] / 60) for school in problem.schools if school.enrollment > 0]


def cv_of(problem: Problem, chosen: Iterable[Candidate] = ()) -> float | None:
    """The enrollment-weighted CV of shared access per student (booking.reports.equity's definition)."""
    return weighted_cv(points(problem, chosen))


def access_per_100(problem: Problem, chosen: Iterable[Candidate] = ()) -> dict[int, float]:
    totals = shared_minutes(problem, chosen)
    return {s.id: totals[s.id] / 60 / s.enrollment * 100 for s in problem.schools if s.enrollment > 0}
