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
   tangent lines (a convex piecewise-linear outer approximation, see ``cpsat_model.spread``), so CP-SAT minimises a
   linear objective. Tried and dropped: the L1 surrogate Σ P_i·|X_i − X̄| (exact and simpler, but it
   gladly hands a whole weekly slot to a 60-pupil school, which the CV punishes), and the squared
   deviation without step 2 (with T free it prefers *less* sharing: own use lowers the variance);
4. with all three fixed, prefer weak schools' requests, then the requesters' own priorities, then
   earlier submissions, then each requester's preferred slot (the tie-break).

Deterministic: one worker, a fixed seed, and a *deterministic* time limit per stage (CP-SAT's own
work measure, the same on every machine and load), with a wall-clock limit only as a safety net.
The input and answer types are ``solver_types``, the model ``cpsat_model``; the greedy comparisons on the
same candidates (first come first served, random order) are ``greedy``, the equity measures ``access``.
"""
from __future__ import annotations

import os
import time

from booking.allocation import cpsat_model
from booking.allocation.access import cv_of
from booking.allocation.greedy import first_come_first_served
from booking.allocation.solver_types import SEED, Assignment, Candidate, Problem

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


def allocate(problem: Problem, stages: tuple[dict, ...] | None = None,
             wall_limit: float = WALL_LIMIT_SECONDS) -> Assignment:
    """The lexicographic optimum (served, then spread, then weak/priority/order), or the best found in time."""
    from ortools.sat.python import cp_model

    if not problem.candidates:
        return Assignment({}, "allocator")
    groups, pairs = cpsat_model.conflict_groups(problem)
    school_of = {r.id: r.school_id for r in problem.requests}
    weak = {s.id for s in problem.schools if s.weak}
    weights = {r.id: cpsat_model.tie_weight(r, r.school_id in weak, len(problem.requests)) for r in problem.requests}
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
        x = cpsat_model.base_model(model, problem, groups, pairs, school_of, cp_model)
        served = cp_model.LinearExpr.sum(x)
        if stage == 0:
            model.maximize(served)
        else:
            model.add(served == reached[0])  # held while the next stages look further
            spread, total, at_hint, total_at_hint = cpsat_model.spread(model, problem, x, school_of, cp_model, hint)
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
