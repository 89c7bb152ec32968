"""The allocation solver on small cases whose optimum is known by hand (pure: no app, no database)."""
from __future__ import annotations

import pytest

from booking.allocation.access import cv_of
from booking.allocation.greedy import first_come_first_served, random_order
from booking.allocation.solver import allocate
from booking.allocation.solver_types import Candidate, Problem, Quota, RequestIn, ResourceIn, SchoolIn

P3 = (9 * 60 + 50, 10 * 60 + 30)  # 第3节 09:50–10:30
P4 = (10 * 60 + 40, 11 * 60 + 20)


def cand(request_id, resource_id=1, weekday=0, period=3, minutes=600, shared=True, school_id=0, rank=0, clock=P3):
    return Candidate(request_id, resource_id, weekday, period, clock[0], clock[1], minutes, shared, school_id, rank)


def test_serves_as_many_as_possible_where_first_come_takes_the_only_slot_of_another():
    # Request 1 came first and accepts Monday or Tuesday; request 2 only Monday. FCFS gives 1 Monday, 2 nothing.
    problem = Problem(
        schools=(SchoolIn(1, 100), SchoolIn(2, 100)),
        requests=(RequestIn(1, 1, order=0), RequestIn(2, 2, order=1)),
        candidates=(cand(1, weekday=0), cand(1, weekday=1, rank=1), cand(2, weekday=0)))
    fcfs = first_come_first_served(problem)
    assert fcfs.served == 1 and fcfs.chosen[1].weekday == 0
    best = allocate(problem)
    assert best.served == 2 and best.status == "optimal"
    assert best.chosen[1].weekday == 1 and best.chosen[2].weekday == 0
    assert cv_of(problem, best.chosen.values()) == pytest.approx(0.0)


def test_one_slot_goes_to_the_school_with_less_shared_access_per_student():
    # School 1 already has 10 h for 100 students, school 2 none: giving the slot to 2 evens them out.
    problem = Problem(
        schools=(SchoolIn(1, 100, base_minutes=600), SchoolIn(2, 100)),
        requests=(RequestIn(1, 1, order=0), RequestIn(2, 2, order=1)),
        candidates=(cand(1), cand(2)))
    best = allocate(problem)
    assert set(best.chosen) == {2}
    assert cv_of(problem, best.chosen.values()) == pytest.approx(0.0)
    fcfs = first_come_first_served(problem)
    assert set(fcfs.chosen) == {1} and cv_of(problem, fcfs.chosen.values()) == pytest.approx(1.0)  # 20 h against 0 h


def test_on_an_exact_tie_the_weak_school_comes_first_then_priority():
    schools = (SchoolIn(1, 200), SchoolIn(2, 200, weak=True))
    problem = Problem(schools, (RequestIn(1, 1, order=0), RequestIn(2, 2, order=1)), (cand(1), cand(2)))
    assert set(allocate(problem).chosen) == {2}
    # Two requests of the same weak school for one slot: the requester's priority 1 beats 4.
    problem = Problem((SchoolIn(2, 200, weak=True),), (RequestIn(1, 2, priority=4), RequestIn(2, 2, priority=1)),
                      (cand(1), cand(2)))
    assert set(allocate(problem).chosen) == {2}


def test_enrollment_weights_the_spread():
    # 300 students at school 1 (requests 1–3), 100 at school 2 (requests 4–6), one resource; requests 1
    # and 6 want the same Tuesday slot, the others a slot of their own: five can be served.
    problem = Problem(
        schools=(SchoolIn(1, 300), SchoolIn(2, 100)),
        requests=tuple(RequestIn(i, 1 if i <= 3 else 2, order=i) for i in range(1, 7)),
        candidates=tuple(cand(i, weekday=i % 5, period=i, clock=(480 + 60 * (i % 5), 520 + 60 * (i % 5)))
                         for i in range(1, 7)),
        resources=(ResourceIn(1),))
    best = allocate(problem)
    served_by = {1: 0, 2: 0}
    for request_id in best.chosen:
        served_by[1 if request_id <= 3 else 2] += 1
    assert best.served == 5  # requests 1 and 6 share Tuesday's slot
    assert served_by == {1: 3, 2: 2} or served_by == {1: 2, 2: 3}
    # Σ|P·T_i − P_i·T| is smaller with school 1 taking 3 (|400·1800−300·3000| + |400·1200−100·3000| = 360000)
    # than 2 (|400·1200−300·3000|+|400·1800−100·3000| = 840000): so 1 keeps its three.
    assert served_by == {1: 3, 2: 2}


def test_a_visiting_teacher_needs_the_travel_time_between_schools():
    teacher = ResourceIn(7, teacher=True, travel={(1, 2): 30})
    # Period 3 at school 1 ends 10:30, period 4 at school 2 starts 10:40: 10 minutes, travel is 30.
    problem = Problem(
        schools=(SchoolIn(1, 100), SchoolIn(2, 100)),
        requests=(RequestIn(1, 1), RequestIn(2, 2), RequestIn(3, 2, order=2)),
        candidates=(cand(1, 7, school_id=1), cand(2, 7, period=4, school_id=2, clock=P4),
                    cand(3, 7, weekday=2, school_id=2)),
        resources=(teacher,))
    best = allocate(problem)
    assert best.served == 2 and 3 in best.chosen
    assert len(set(best.chosen) & {1, 2}) == 1
    fcfs = first_come_first_served(problem)
    assert set(fcfs.chosen) == {1, 3}


def test_a_weekly_cap_and_a_quota_bound_the_choice():
    problem = Problem(
        schools=(SchoolIn(1, 100),),
        requests=tuple(RequestIn(i, 1) for i in range(1, 4)),
        candidates=tuple(cand(i, 7, weekday=i) for i in range(1, 4)),
        resources=(ResourceIn(7, teacher=True, weekly_cap=2),))
    assert allocate(problem).served == 2
    quota = Quota(1, frozenset({7}), 600)
    problem = Problem(problem.schools, problem.requests, problem.candidates, (ResourceIn(7),), (quota,))
    assert allocate(problem).served == 1 and first_come_first_served(problem).served == 1


def test_stock_lets_several_classes_share_a_kit_and_overlaps_count_across_bells():
    kit = ResourceIn(5, stock=2)
    problem = Problem(
        schools=(SchoolIn(1, 100),),
        requests=tuple(RequestIn(i, 1) for i in range(1, 4)),
        candidates=(cand(1, 5), cand(2, 5), cand(3, 5, clock=(10 * 60 + 10, 10 * 60 + 50))),
        resources=(kit,))
    assert allocate(problem).served == 2  # 10:10–10:50 overlaps 09:50–10:30: three at once is one too many


def test_the_same_input_gives_the_same_answer_and_nothing_to_choose_is_empty():
    problem = Problem(
        schools=tuple(SchoolIn(s, 50 + 10 * s, weak=s % 2 == 0) for s in range(1, 6)),
        requests=tuple(RequestIn(i, 1 + i % 5, priority=1 + i % 5, order=i) for i in range(40)),
        candidates=tuple(cand(i, 1 + i % 3, weekday=(i * d) % 5, period=d, minutes=400 + 40 * d,
                              clock=(480 + 50 * d, 520 + 50 * d), rank=d)
                         for i in range(40) for d in range(3)))
    first, second = allocate(problem), allocate(problem)
    assert {k: (c.resource_id, c.weekday) for k, c in first.chosen.items()} == \
        {k: (c.resource_id, c.weekday) for k, c in second.chosen.items()}
    assert first.served >= random_order(problem).served
    assert allocate(Problem((), (RequestIn(1, 1),), ())).served == 0
