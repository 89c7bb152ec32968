"""The CP-SAT model of a term allocation round (booking/allocation/solver.py runs its stages). Pure: no
database, no request; ``cp_model`` (OR-Tools) is handed in by the solver, which imports it on use.

- ``conflict_groups``: which candidates exclude each other (a resource's stock at one instant, a visiting
  teacher's travel between schools).
- ``base_model``: one boolean per candidate and every rule between them (one slot per request, stock,
  travel, weekly caps, quotas).
- ``spread``: the piecewise-linear stand-in for the weighted variance's numerator (stage 3's objective).
- ``tie_weight``: stage 4's preference: weak schools, then priorities, then earlier submissions.
"""
from __future__ import annotations

from itertools import combinations

from booking.allocation.solver_types import Problem, RequestIn, ResourceIn

PRIORITY_LEVELS = 5  # a requester's priority: 1 (most wanted) … 5


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
                if not resource.reachable(a, b):
                    pairs.append((i, j))
    return groups, pairs


def tie_weight(request: RequestIn, weak: bool, requests: int) -> int:
    """Weak schools first, then the requester's priority, then who came first; all positive."""
    priority = max(1, min(PRIORITY_LEVELS, request.priority))
    order_part = requests - min(request.order, requests)  # earlier submissions weigh more
    return ((2 if weak else 1) * (PRIORITY_LEVELS + 1) + (PRIORITY_LEVELS - priority)) * (requests + 1) + order_part


SPREAD_SCALE = 1000  # enrollment shares in 1/1000
UNIT_MINUTES = 10  # the spread counts access in 10-minute units (a 40-minute period is 4)
TANGENT_RATIO = 2 ** 0.5  # tangent points of the square at ±emax·ratio^-k: within 3 % of it in between
TANGENTS = 36


def spread(model, problem: Problem, x, school_of: dict[int, int], cp_model, hint: list[int]):
    """A piecewise-linear stand-in for Σ_i P_i·(X_i − X̄)², the weighted variance's numerator (see solver).

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


def base_model(model, problem: Problem, groups, pairs, school_of: dict[int, int], cp_model) -> list:
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
