"""The term allocation round's solver: which request gets which weekly slot. Pure: no database, no request.

Input: schools (enrollment, weak or not, the shared hours they already have this term), requests (school,
priority, submission order) and their candidates — every (resource, weekday, 第N节) that the booking
rules (booking/bookings/rules.py) found free for all of the request's weeks, with the hours it would
bring and whether those hours are *shared* access (another school's or the district's resource).
Output: one candidate or none per request.

``allocate`` is lexicographic, four CP-SAT solves (OR-Tools), each holding what the ones before reached:

1. serve as many requests as possible;
2. of those, as much *shared* access as possible (a lead school's class in its own lab is use, not sharing:
   where the same slot could go to a village school's class instead, it goes there);
3. with the served requests and the total shared access T fixed, minimise the enrollment-weighted squared
   deviation of the schools' shared access per student from the district level, Σ_i P_i·(X_i − X̄)² with
   X_i = T_i / P_i and X̄ = T / P. With T fixed X̄ is fixed, so this is the weighted CV itself
   (CV = sqrt(Σ P_i (X_i − X̄)² / P) / X̄), squared and scaled: minimising it minimises the CV. The CV is
   nonlinear in the choices; the deviation T_i − (P_i/P)·T is linear, and its square is held from below by
   tangent lines (a convex piecewise-linear outer approximation, see ``_spread``), so CP-SAT minimises a
   linear objective. Tried and dropped: the L1 surrogate Σ P_i·|X_i − X̄| (exact and simpler, but it
   gladly hands a whole weekly slot to a 60-pupil school, which the CV punishes), and the squared
   deviation without step 2 (with T free it prefers *less* sharing: own use lowers the variance);
4. with all three fixed, prefer weak schools' requests, then the requesters' own priorities, then
   earlier submissions, then each requester's preferred slot (the tie-break).

Deterministic: one worker, a fixed seed, and a *deterministic* time limit per stage (CP-SAT's own
work measure, the same on every machine and load), with a wall-clock limit only as a safety net.
``first_come_first_served`` and ``in_order`` are the greedy comparisons on the same candidates.
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Mapping

from booking.reports.equity import Point, weighted_cv

SEED = 20260901
WORKERS = 1  # one worker: the same search, and so the same answer, on any machine
# CP-SAT's settings per stage. max_deterministic_time is its own work measure (~0.1 a second here), the same
# on every machine and load: the limit that binds, so the same input gives the same answer. Stage 1: the
# at-most-one cliques in the LP (linearization 2) prove the most served in about a second. Stage 2 (the most
# sharing) starts from stage 1's complete answer, no presolve. Stage 3: a presolve without probing (probing
# spends the work budget and finds nothing here) then the search: on the bench the CV falls from 0.24 to 0.14
# against no presolve. Stage 4 only reorders ties: no presolve.
DINKELBACH_STEPS = 2  # stage 2: the numerator alone, stage 3: one step (see allocate)
STAGES = (
    {"max_deterministic_time": 1.0, "linearization_level": 2, "cp_model_presolve": True},
    {"max_deterministic_time": 0.35, "linearization_level": 2, "cp_model_presolve": True, "cp_model_probing_level": 0},
    {"max_deterministic_time": 0.1, "linearization_level": 2, "cp_model_presolve": True, "cp_model_probing_level": 0},
    {"max_deterministic_time": 0.05, "linearization_level": 2, "cp_model_presolve": False},
)
WALL_SHARES = (0.25, 0.85, 0.8, 1.0)
WALL_LIMIT_SECONDS = 9.5  # the whole solve, a safety net only
PRIORITY_LEVELS = 5  # a requester's priority: 1 (most wanted) … 5


@dataclass(frozen=True)
class SchoolIn:
    id: int
    enrollment: int
    weak: bool = False
    base_minutes: int = 0  # shared access this school already has this term (minutes)


@dataclass(frozen=True)
class RequestIn:
    id: int
    school_id: int
    priority: int = 3  # 1 = the requester's most wanted
    order: int = 0  # submission order (first come first)


@dataclass(frozen=True)
class Candidate:
    """One way to serve a request: a resource's weekday slot, free on every week asked for."""

    request_id: int
    resource_id: int
    weekday: int
    period: int
    start: int  # minutes after local midnight (the bell school's clock)
    end: int
    minutes: int  # over the whole term: the period's length × the dates it falls on
    shared: bool = True  # counts as shared access for the request's school
    school_id: int = 0  # where it is held (for a visiting teacher: the class's school)
    rank: int = 0  # the requester's order of preference among their slots (0 = first)


@dataclass(frozen=True)
class ResourceIn:
    id: int
    stock: int = 1  # how many classes at once (equipment kits)
    teacher: bool = False
    weekly_cap: int | None = None  # a visiting teacher's lessons a week still free for the round
    travel: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (smaller id, larger id) → minutes


@dataclass(frozen=True)
class Quota:
    """At most ``minutes`` for ``school_id`` on ``resource_ids`` (what the round may still add)."""

    school_id: int
    resource_ids: frozenset[int]
    minutes: int


@dataclass(frozen=True)
class Problem:
    schools: tuple[SchoolIn, ...]
    requests: tuple[RequestIn, ...]
    candidates: tuple[Candidate, ...]
    resources: tuple[ResourceIn, ...] = ()
    quotas: tuple[Quota, ...] = ()


@dataclass
class Assignment:
    chosen: dict[int, Candidate]  # request id → its candidate
    method: str = "allocator"
    status: str = "optimal"  # optimal, feasible (a stage hit its limit), greedy

    @property
    def served(self) -> int:
        return len(self.chosen)


# --- what the choices mean for equity -------------------------------------------------------

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


# --- which candidates exclude each other ----------------------------------------------------

def _travel(resource: ResourceIn, a: int, b: int) -> int | None:
    return 0 if a == b else resource.travel.get((min(a, b), max(a, b)))


def conflict_groups(problem: Problem) -> tuple[list[tuple[list[int], int]], list[tuple[int, int]]]:
    """(indices of candidates at one instant of one resource, its stock) and excluded pairs (travel).

    Overlapping times of a resource: for each start time, the candidates running then hold at most
    ``stock`` (intervals that overlap pairwise share a point, so checking the starts is enough).
    A visiting teacher also needs the travel time between two lessons at different schools.
    """
    resources = {r.id: r for r in problem.resources}
    by_day: dict[tuple[int, int], list[int]] = {}
    for index, candidate in enumerate(problem.candidates):
        by_day.setdefault((candidate.resource_id, candidate.weekday), []).append(index)
    groups, pairs = [], []
    for (resource_id, _), indices in by_day.items():
        resource = resources.get(resource_id, ResourceIn(resource_id))
        seen = set()
        for start in sorted({problem.candidates[i].start for i in indices}):
            running = tuple(i for i in indices if problem.candidates[i].start <= start < problem.candidates[i].end)
            requests = {problem.candidates[i].request_id for i in running}
            if len(requests) > resource.stock and running not in seen:
                seen.add(running)
                groups.append((list(running), resource.stock))
        if resource.teacher:
            for i, j in combinations(indices, 2):
                a, b = problem.candidates[i], problem.candidates[j]
                if a.request_id == b.request_id or a.start < b.end and b.start < a.end:
                    continue  # one request takes one slot; overlaps are in the groups
                travel = _travel(resource, a.school_id, b.school_id)
                gap = b.start - a.end if a.end <= b.start else a.start - b.end
                if travel is None or gap < travel:
                    pairs.append((i, j))
    return groups, pairs


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
            travel = _travel(resource, t.school_id, candidate.school_id)
            gap = candidate.start - t.end if t.end <= candidate.start else t.start - candidate.end
            if travel is None or gap < travel:
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


# --- the CP-SAT model -----------------------------------------------------------------------

def _tie_weight(request: RequestIn, weak: bool, requests: int) -> int:
    """Weak schools first, then the requester's priority, then who came first; all positive."""
    priority = max(1, min(PRIORITY_LEVELS, request.priority))
    order_part = requests - min(request.order, requests)  # earlier submissions weigh more
    return ((2 if weak else 1) * (PRIORITY_LEVELS + 1) + (PRIORITY_LEVELS - priority)) * (requests + 1) + order_part


SPREAD_SCALE = 1000  # enrollment shares in 1/1000
UNIT_MINUTES = 10  # the spread counts access in 10-minute units (a 40-minute period is 4)
TANGENT_RATIO = 2 ** 0.5  # tangent points of the square at ±emax·ratio^-k: within 3 % of it in between
TANGENTS = 36


def _spread(model, problem: Problem, x, school_of: dict[int, int], cp_model, hint: list[int]):
    """A piecewise-linear stand-in for Σ_i P_i·(X_i − X̄)², the weighted variance's numerator (see above).

    With s_i = P_i / P, P_i·(X_i − X̄)² = (T_i − s_i·T)² / P_i. Each school's e_i = SCALE·(T_i − s_i·T) is linear
    in the choices; d_i ≥ e_i² / P_i is held by the tangents of the parabola at ±emax·√2^-k (P_i·d_i ≥ 2·e_k·e_i −
    e_k²), so minimising Σ d_i minimises the convex outer approximation of the squares: exact at the tangent
    points, at most 3 % below in between. The shares are rounded to 1/1000, access to 10-minute units.
    Every helper variable is hinted from ``hint`` (the choices so far), so the solver starts from a
    complete feasible answer. Returns the spread, the total T (a variable), and at the hint: Σ e_i²/P_i
    (exactly, rounded up) and T.
    """
    counted = {s.id: s for s in problem.schools if s.enrollment > 0}
    enrollment = sum(s.enrollment for s in counted.values())
    if not enrollment:
        return 0, 0, 0, 0
    share = {sid: round(SPREAD_SCALE * s.enrollment / enrollment) for sid, s in counted.items()}
    units: dict[int, list[tuple[int, int]]] = {sid: [] for sid in counted}
    for i, c in enumerate(problem.candidates):
        if c.shared and school_of[c.request_id] in counted:
            units[school_of[c.request_id]].append((i, round(c.minutes / UNIT_MINUTES)))
    base = {sid: round(s.base_minutes / UNIT_MINUTES) for sid, s in counted.items()}
    most = sum(base.values()) + sum(u for items in units.values() for _, u in items)
    # T_i and T as their own variables: each deviation constraint then has a few terms, not thousands.
    totals, hinted = {}, {}
    for sid, items in units.items():
        totals[sid] = model.new_int_var(0, most, f"t{sid}")
        model.add(totals[sid] == base[sid] + cp_model.LinearExpr.weighted_sum([x[i] for i, _ in items],
                                                                             [u for _, u in items]))
        hinted[sid] = base[sid] + sum(u for i, u in items if hint[i])
        model.add_hint(totals[sid], hinted[sid])
    total = model.new_int_var(0, most, "t")
    model.add(total == cp_model.LinearExpr.sum(list(totals.values())))
    model.add_hint(total, sum(hinted.values()))
    squares, exact = [], 0
    for sid, school in counted.items():
        low, high = -share[sid] * most, SPREAD_SCALE * most
        deviation = model.new_int_var(low, high, f"e{sid}")
        model.add(deviation == SPREAD_SCALE * totals[sid] - share[sid] * total)
        e_hint = SPREAD_SCALE * hinted[sid] - share[sid] * sum(hinted.values())
        model.add_hint(deviation, e_hint)
        exact += -(-(e_hint * e_hint) // school.enrollment)
        reach = max(-low, high, 1)
        square = model.new_int_var(0, reach * reach // school.enrollment + 1, f"q{sid}")
        points = {0}
        for k in range(TANGENTS):
            point = int(reach / TANGENT_RATIO ** k)
            if point < 1:
                break
            points |= {point, -point}
        for point in sorted(points):
            model.add(school.enrollment * square >= 2 * point * deviation - point * point)
        model.add_hint(square, max(0, max(-(-(2 * p * e_hint - p * p) // school.enrollment) for p in points)))
        squares.append(square)
    return cp_model.LinearExpr.sum(squares), total, exact, sum(hinted.values())


def allocate(problem: Problem, stages: tuple[dict, ...] | None = None,
             wall_limit: float = WALL_LIMIT_SECONDS) -> Assignment:
    """The lexicographic optimum (served, then spread, then weak/priority/order), or the best found in time."""
    from ortools.sat.python import cp_model

    if not problem.candidates:
        return Assignment({}, "allocator")
    groups, pairs = conflict_groups(problem)
    school_of = {r.id: r.school_id for r in problem.requests}
    weak = {s.id for s in problem.schools if s.weak}
    weights = {r.id: _tie_weight(r, r.school_id in weak, len(problem.requests)) for r in problem.requests}
    tie_weights = [weights[c.request_id] * 10 + (9 - min(c.rank, 9)) for c in problem.candidates]
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = SEED
    solver.parameters.num_workers = WORKERS
    solver.parameters.log_search_progress = bool(os.environ.get("ALLOCATION_SOLVER_LOG"))
    # Start from first come first served: a feasible answer the solver only has to improve.
    greedy = first_come_first_served(problem).chosen
    hint = [int(greedy.get(c.request_id) == c) for c in problem.candidates]
    reached: list[int] = []
    status_text = "optimal"
    started = time.perf_counter()
    for stage in range(2 + DINKELBACH_STEPS):
        model = cp_model.CpModel()
        x = _base_model(model, problem, groups, pairs, school_of, cp_model)
        served = cp_model.LinearExpr.sum(x)
        if stage == 0:
            model.maximize(served)
        else:
            model.add(served == reached[0])  # held while the next stages look further
            spread, total, at_hint, total_at_hint = _spread(model, problem, x, school_of, cp_model, hint)
            # Stage 2 minimises N = Σ e_i²/P_i alone (the CV's numerator: strong when T hardly moves); stage 3 takes
            # a Dinkelbach step on CV² ∝ N / T², whose gradient at the hint is ∝ dN − 2·(N₀/T₀)·dT (when
            # serving own use instead of sharing would lower N, it lowers T more).
            slope = 0 if stage == 1 else 2 * at_hint // max(total_at_hint, 1)
            step = spread - slope * total
            if stage <= DINKELBACH_STEPS:
                model.minimize(step)
            else:  # the tie-break, holding the last step's value
                model.add(step <= at_hint - slope * total_at_hint)
                model.maximize(cp_model.LinearExpr.weighted_sum(x, tie_weights))
        for var, value in zip(x, hint):
            model.add_hint(var, value)
        left = wall_limit - (time.perf_counter() - started)
        for name, value in (stages or STAGES)[stage].items():
            setattr(solver.parameters, name, value)
        # The wall clock is a safety net on a loaded machine: each stage may take its share of what is left.
        solver.parameters.max_time_in_seconds = max(left * WALL_SHARES[stage], 0.2)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Out of time before any answer: keep the previous stage's (the hint, which met every constraint).
            status_text = "feasible"
            if stage == 0:
                reached.append(sum(hint))
            continue
        if status == cp_model.FEASIBLE:
            status_text = "feasible"
        found = [int(solver.value(var)) for var in x]
        if stage == 0:
            reached.append(int(round(solver.objective_value)))
        elif stage <= DINKELBACH_STEPS and not _lower_cv(problem, found, hint):
            continue  # a linearised step can overshoot: keep the answer with the lower CV itself
        hint = found
    return Assignment(_chosen(problem, hint), "allocator", status_text)


def _chosen(problem: Problem, values: list[int]) -> dict[int, Candidate]:
    return {problem.candidates[i].request_id: problem.candidates[i] for i, value in enumerate(values) if value}


def _lower_cv(problem: Problem, found: list[int], before: list[int]) -> bool:
    new, old = cv_of(problem, _chosen(problem, found).values()), cv_of(problem, _chosen(problem, before).values())
    return old is None or (new is not None and new <= old)


def _base_model(model, problem: Problem, groups, pairs, school_of: dict[int, int], cp_model) -> list:
    """One boolean per candidate, and every rule between them: one slot per request, stock, travel, caps, quotas."""
    x = [model.new_bool_var(f"x{i}") for i in range(len(problem.candidates))]
    by_request: dict[int, list[int]] = {}
    for index, candidate in enumerate(problem.candidates):
        by_request.setdefault(candidate.request_id, []).append(index)
    for indices in by_request.values():
        model.add_at_most_one(x[i] for i in indices)
    for indices, stock in groups:
        if stock == 1:
            model.add_at_most_one(x[i] for i in indices)
        else:
            model.add(cp_model.LinearExpr.sum([x[i] for i in indices]) <= stock)
    for i, j in pairs:
        model.add_bool_or([x[i].Not(), x[j].Not()])
    for resource in problem.resources:
        if resource.weekly_cap is not None:
            model.add(cp_model.LinearExpr.sum([x[i] for i, c in enumerate(problem.candidates)
                                               if c.resource_id == resource.id]) <= max(resource.weekly_cap, 0))
    for quota in problem.quotas:
        picked = [(x[i], c.minutes) for i, c in enumerate(problem.candidates)
                  if school_of[c.request_id] == quota.school_id and c.resource_id in quota.resource_ids]
        if picked:
            model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in picked], [m for _, m in picked])
                      <= max(quota.minutes, 0))
    return x
