"""The mandate planner on small cases whose optimum is known by hand. Pure: no app, no database."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from booking.bookings.rules import BusyTime
from booking.teachers import plan_model, planner
from booking.teachers.plan_model import FixedStop, HostSchool, Need, Period, PlanInput, Teacher

MONDAY = date(2026, 11, 23)
HOME, NEAR, FAR = 1, 2, 3
# 第1节 08:00–08:40 … 第4节 10:30–11:10, 第5节 14:00–14:40
BELLS = (Period(1, time(8, 0), time(8, 40)), Period(2, time(8, 50), time(9, 30)), Period(3, time(9, 40), time(10, 20)),
         Period(4, time(10, 30), time(11, 10)), Period(5, time(14, 0), time(14, 40)))
TRAVEL = {(HOME, NEAR): 20, (HOME, FAR): 50, (NEAR, FAR): 40}
WEEKDAYS = tuple((weekday, time(7, 0), time(17, 0)) for weekday in range(5))


def days(n: int, first: date = MONDAY) -> tuple[date, ...]:
    found, day = [], first
    while len(found) < n:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


def teacher(**changes) -> Teacher:
    base = Teacher(id=10, name="张丽", home_school_id=HOME, subjects=("music",), weekly_cap=8,
                   served_school_ids=(NEAR, FAR), availability=WEEKDAYS)
    return replace(base, **changes)


def school(school_id: int, **changes) -> HostSchool:
    return replace(HostSchool(school_id, f"school {school_id}", BELLS), **changes)


def data(teachers, needs, n_days: int = 5, schools=None, **changes) -> PlanInput:
    return PlanInput(days=days(n_days), teachers=tuple(teachers), schools=tuple(schools or (school(NEAR), school(FAR))),
                     needs=tuple(needs), travel=TRAVEL, **changes)


def demo(school_id: int, required: int = 3, subject: str = "music", have: int = 0) -> Need:
    return Need(school_id, "demonstration", subject, required, have)


def training(school_id: int, required: int = 2, have: int = 0) -> Need:
    return Need(school_id, "training", "", required, have)


def test_three_lessons_at_one_school_take_two_rounds_there_and_back():
    case = data([teacher()], [demo(NEAR)])
    plan = planner.plan(case)
    assert plan.all_met and plan.status == "optimal"
    assert len(plan.lessons) == 3
    assert len({lesson.day for lesson in plan.lessons}) == 2  # two lessons in one round, one in another
    assert plan.travel_minutes == 2 * (20 + 20)  # each round: home → school → home
    assert planner.plan_problems(case, plan.lessons) == []


def test_what_is_delivered_or_planned_already_is_not_planned_again():
    plan = planner.plan(data([teacher()], [demo(NEAR, have=2), demo(FAR, have=3)]))
    assert [(lesson.school_id, lesson.lesson_kind) for lesson in plan.lessons] == [(NEAR, "demonstration")]
    assert plan.travel_minutes == 40


def test_a_training_rides_along_in_a_round_that_is_made_anyway():
    """The music teacher (20 min away) comes for a demonstration; the PE teacher (40 min away) has nothing
    left to show there. The training goes into the music teacher's round: no trip of its own."""
    music = teacher()
    pe = teacher(id=11, name="王强", subjects=("pe",), home_school_id=FAR, served_school_ids=(NEAR,))
    case = data([music, pe], [demo(NEAR, 1), demo(NEAR, 1, "pe", have=1), training(NEAR, 1)])
    plan = planner.plan(case)
    assert plan.all_met
    assert sorted((lesson.teacher_id, lesson.lesson_kind) for lesson in plan.lessons) == [
        (10, "demonstration"), (10, "training")]
    assert len({lesson.day for lesson in plan.lessons}) == 1 and plan.travel_minutes == 40
    assert planner.plan_problems(case, plan.lessons) == []


def test_the_planner_sends_the_teacher_who_is_near_where_nearest_first_sends_the_first_in_line():
    """Two music teachers serve FAR; only the second lives next door (10 min). Nearest first lets the first
    teacher in line take FAR's lessons on day one (100 min a round); the planner sends the neighbour."""
    first = teacher(id=10, served_school_ids=(FAR,))
    neighbour = teacher(id=11, name="刘芳", home_school_id=4, served_school_ids=(FAR,))
    case = replace(data([first, neighbour], [demo(FAR, 2)], n_days=2), travel={**TRAVEL, (3, 4): 10, (1, 4): 60})
    plan, greedy = planner.plan(case), planner.greedy_plan(case)
    assert {lesson.teacher_id for lesson in plan.lessons} == {11} and plan.travel_minutes == 20
    assert greedy.travel_minutes == 100 > plan.travel_minutes


def test_closed_days_are_never_planned_and_the_shortfall_says_there_are_not_enough_free_periods():
    closed = {day: "停电检修" for day in days(5)[:4]}
    case = data([teacher()], [demo(NEAR)], schools=(school(NEAR, closed=closed), school(FAR)))
    plan = planner.plan(case)
    assert {lesson.day for lesson in plan.lessons} == {days(5)[4]}
    assert len(plan.lessons) == 2  # one round a day, two lessons a round
    (shortfall,) = plan.shortfalls
    assert shortfall.reason == plan_model.NO_FREE_PERIOD and shortfall.missing == 1 and shortfall.free_periods == 2
    assert planner.plan_problems(case, plan.lessons) == []


def test_the_home_school_closed_keeps_the_teacher_home_too():
    closed = {day: "运动会" for day in days(5)}
    plan = planner.plan(data([teacher(closed=closed)], [demo(NEAR)]))
    assert plan.lessons == [] and plan.shortfalls[0].reason == plan_model.NO_FREE_PERIOD


def test_the_weekly_cap_is_named_when_it_is_what_stops_the_plan():
    case = data([teacher(weekly_cap=1)], [demo(NEAR)])
    plan = planner.plan(case)
    assert len(plan.lessons) == 1
    (shortfall,) = plan.shortfalls
    assert shortfall.reason == plan_model.WEEKLY_CAP and shortfall.missing == 2


def test_lessons_already_booked_count_against_the_weekly_cap():
    booked = tuple(FixedStop(day, time(14, 0), time(14, 40), FAR) for day in days(3))
    plan = planner.plan(data([teacher(weekly_cap=4, lessons=booked)], [demo(NEAR)]))
    assert len(plan.lessons) == 1 and plan.shortfalls[0].reason == plan_model.WEEKLY_CAP


def test_a_mandate_nobody_teaches_names_that():
    plan = planner.plan(data([teacher()], [demo(NEAR, subject="art")]))
    assert plan.lessons == [] and plan.shortfalls[0].reason == plan_model.NO_TEACHER


def test_a_school_the_teacher_does_not_serve_gets_nobody():
    plan = planner.plan(data([teacher(served_school_ids=(FAR,))], [demo(NEAR, 1)]))
    assert plan.shortfalls[0].reason == plan_model.NO_TEACHER


def test_the_free_days_taken_by_other_schools_are_named():
    """One day, one round a day: FAR or NEAR; the other stays short for want of days, not of the cap."""
    plan = planner.plan(data([teacher()], [demo(NEAR, 1), demo(FAR, 1)], n_days=1))
    assert [lesson.school_id for lesson in plan.lessons] == [NEAR]  # the cheaper trip
    assert plan.shortfalls[0].need.school_id == FAR and plan.shortfalls[0].reason == plan_model.OTHER_SCHOOLS


def test_the_home_timetable_and_the_trip_from_home_keep_the_morning_periods_free():
    """At home until 09:30 on Monday; NEAR is 20 minutes away: 第3节 (09:40) is too soon, 第4节 fits."""
    busy = (BusyTime(0, time(8, 0), time(9, 30), note="本校音乐课"),)
    case = data([teacher(busy=busy)], [demo(NEAR, 1)], n_days=1)
    plan = planner.plan(case)
    (lesson,) = plan.lessons
    assert lesson.period_number == 4 and lesson.start == time(10, 30)
    assert planner.plan_problems(case, plan.lessons) == []


def test_the_trip_in_from_the_start_of_the_available_time_is_checked():
    """Available from 07:50; FAR is 50 minutes away: 第1节 at 08:00 cannot be reached, 第2节 (08:50) can."""
    available = tuple((weekday, time(7, 50), time(17, 0)) for weekday in range(5))
    plan = planner.plan(data([teacher(availability=available, served_school_ids=(FAR,))], [demo(FAR, 1)], n_days=1))
    assert [lesson.period_number for lesson in plan.lessons] == [2]


def test_never_two_places_at_once_beside_a_lesson_already_booked():
    """Booked at FAR 08:50–11:10 on the only day; FAR is 40 minutes from NEAR: 第1节 at NEAR leaves 10 minutes,
    第2–4节 clash, so NEAR gets 第5节 (14:00)."""
    booked = (FixedStop(MONDAY, time(8, 50), time(11, 10), FAR),)
    case = data([teacher(lessons=booked)], [demo(NEAR, 1)], n_days=1)
    plan = planner.plan(case)
    assert [lesson.period_number for lesson in plan.lessons] == [5]
    assert plan.travel_minutes == 40 + 20 - 50  # home → FAR → NEAR → home instead of home → FAR → home
    assert planner.plan_problems(case, plan.lessons) == []
    too_soon = [plan_model.Lesson(10, NEAR, MONDAY, 1, time(8, 0), time(8, 40), "demonstration", "music")]
    assert planner.plan_problems(case, too_soon) == ["张丽's trips do not fit on 2026-11-23"]


def test_the_checker_finds_two_places_at_once_and_closed_schools():
    case = data([teacher()], [demo(NEAR, 1)], schools=(school(NEAR, closed={MONDAY: "假"}), school(FAR)))
    clash = [plan_model.Lesson(10, NEAR, MONDAY, 1, time(8, 0), time(8, 40), "demonstration", "music"),
             plan_model.Lesson(10, FAR, MONDAY, 1, time(8, 0), time(8, 40), "demonstration", "music")]
    problems = planner.plan_problems(case, clash)
    assert any("two places" in p for p in problems) and any("closed school" in p for p in problems)


def test_the_same_input_gives_the_same_plan():
    teachers = [teacher(), teacher(id=11, name="王强", subjects=("pe",)), teacher(id=12, name="陈静", subjects=("art",))]
    needs = [demo(s, 3, subject) for s in (NEAR, FAR) for subject in ("music", "pe", "art")] + \
        [training(NEAR), training(FAR)]
    case = data(teachers, needs, n_days=15)
    first, second = planner.plan(case), planner.plan(case)
    assert first.all_met and first.lessons == second.lessons and first.digest() == second.digest()
    assert planner.plan_problems(case, first.lessons) == []
    assert first.travel_minutes <= planner.greedy_plan(case).travel_minutes


def test_nothing_to_plan_is_an_empty_plan():
    plan = planner.plan(data([teacher()], [demo(NEAR, have=3)]))
    assert plan.lessons == [] and plan.all_met and plan.status == "empty"
