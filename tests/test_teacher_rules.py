"""A visiting teacher's rules in the one booking engine, pure: busy, travel, workload, availability."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.bookings import rules
from booking.bookings.rules import (BusyTime, Calendar, Existing, Interval, Kind, Request, ResourceSnapshot,
                                    TeacherSnapshot, check_occurrences, refusals_at, standing_refusals)
from booking.bookings.rules.teachers import week_window
from booking.teachers.rules import (BusyInput, ProfileInput, check_busy_input, check_profile_input, missing_travel,
                                    timetable_lines)

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, tzinfo=timezone.utc)
HOME, VILLAGE_A, VILLAGE_B, FAR = 1, 2, 3, 4
TRAVEL = {(1, 2): 20, (1, 3): 25, (2, 3): 30, (1, 4): 50, (2, 4): 55}  # (3, 4) was never entered
WEEKDAYS_8_TO_17 = tuple((day, time(8), time(17)) for day in range(5))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """September 2026 in the district: the 3rd is a Thursday."""
    return datetime(2026, 9, day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


def lesson(day: int, hour: int, minute: int = 0, length: int = 40) -> Interval:
    start = at(day, hour, minute)
    return Interval(start, start + (at(1, 0, length) - at(1, 0)))


def teacher(cap: int = 10, busy=(), hours=WEEKDAYS_8_TO_17) -> ResourceSnapshot:
    snapshot = TeacherSnapshot(home_school_id=HOME, weekly_cap=cap, served_school_ids=frozenset({2, 3, 4}),
                               subjects=frozenset({"music"}), busy=tuple(busy), travel=TRAVEL)
    return ResourceSnapshot(id=9, owner_school_id=HOME, opening_hours=hours, is_teacher=True, teacher=snapshot)


def request(school_id: int = VILLAGE_A, resource=None, subject=None, confirmed=True) -> Request:
    return Request(resource=resource or teacher(), booker_role="teacher", booker_school_id=school_id,
                   school_id=school_id, subject=subject, confirmed=confirmed)


def existing(interval: Interval, school_id: int, confirmed: bool = True, booking_id: int = 1) -> Existing:
    return Existing(id=booking_id, interval=interval, confirmed=confirmed, holder="王庄小学 三年级", school_id=school_id)


def kinds(req: Request, interval: Interval, others=()) -> list[Kind]:
    return [r.kind for r in refusals_at(req, interval, list(others), Calendar(zone=ZONE), NOW)]


def test_a_free_teacher_with_enough_time_to_travel_is_accepted():
    assert kinds(request(), lesson(3, 9, 50)) == []


def test_teaching_elsewhere_at_that_time_is_teacher_busy():
    assert kinds(request(), lesson(3, 9, 50), [existing(lesson(3, 9, 40), VILLAGE_B)]) == [Kind.TEACHER_BUSY]


def test_the_gap_after_a_lesson_at_another_school_must_hold_the_trip():
    before = existing(lesson(3, 9, 0), VILLAGE_B)  # ends 09:40; B → A takes 30 minutes
    assert kinds(request(), lesson(3, 10, 0), [before]) == [Kind.TRAVEL_TIME]
    assert kinds(request(), lesson(3, 10, 10), [before]) == []


def test_the_gap_before_the_next_lesson_must_hold_the_trip_too():
    after = existing(lesson(3, 10, 30), VILLAGE_B)
    assert kinds(request(), lesson(3, 9, 30), [after]) == [Kind.TRAVEL_TIME]  # ends 10:10, 20 < 30
    assert kinds(request(), lesson(3, 9, 0), [after]) == []  # ends 09:40, 50 ≥ 30


def test_the_first_lesson_of_the_day_counts_the_trip_from_home():
    # Available from 08:00; the home school → far school takes 50 minutes.
    assert kinds(request(FAR), lesson(3, 8, 30)) == [Kind.TRAVEL_TIME]
    assert kinds(request(FAR), lesson(3, 8, 50)) == []
    assert kinds(request(HOME), lesson(3, 8, 0)) == []  # at home: no trip


def test_a_missing_travel_time_is_refused_as_travel_time():
    before = existing(lesson(3, 8, 0), VILLAGE_B)
    assert kinds(request(FAR), lesson(3, 13, 0), [before]) == [Kind.TRAVEL_TIME]


def test_a_pending_request_does_not_hold_against_another_request():
    pending = existing(lesson(3, 9, 0), VILLAGE_B, confirmed=False)
    assert kinds(request(confirmed=False), lesson(3, 10, 0), [pending]) == []
    assert kinds(request(confirmed=True), lesson(3, 10, 0), [pending]) == [Kind.TRAVEL_TIME]


def test_home_school_commitments_block_and_count_as_stops_at_home():
    busy = [BusyTime(3, time(8), time(9, 30), note="本校音乐课")]  # Thursdays
    assert kinds(request(resource=teacher(busy=busy)), lesson(3, 9, 0)) == [Kind.TEACHER_BUSY]
    assert kinds(request(resource=teacher(busy=busy)), lesson(3, 9, 40)) == [Kind.TRAVEL_TIME]  # 10 < 20 from home
    assert kinds(request(resource=teacher(busy=busy)), lesson(3, 9, 50)) == []
    assert kinds(request(resource=teacher(busy=busy)), lesson(10, 9, 0)) == [Kind.TEACHER_BUSY]  # every Thursday
    dated = [BusyTime(3, time(8), time(9, 30), first_day=date(2026, 9, 7))]
    assert kinds(request(resource=teacher(busy=dated)), lesson(3, 9, 0)) == []
    assert kinds(request(resource=teacher(busy=dated)), lesson(10, 9, 0)) == [Kind.TEACHER_BUSY]


def test_the_weekly_cap_counts_the_lessons_of_the_local_week():
    week = [existing(lesson(day, 14), HOME, booking_id=day) for day in (1, 2)]  # Tuesday, Wednesday
    assert kinds(request(resource=teacher(cap=2)), lesson(3, 9, 50), week) == [Kind.OVER_WORKLOAD]
    assert kinds(request(resource=teacher(cap=3)), lesson(3, 9, 50), week) == []
    next_week = [existing(lesson(day, 14), HOME, booking_id=day) for day in (7, 8)]
    assert kinds(request(resource=teacher(cap=2)), lesson(3, 9, 50), next_week) == []


def test_outside_the_available_times_is_outside_availability():
    mornings = tuple((day, time(8), time(12)) for day in range(5))
    assert kinds(request(resource=teacher(hours=mornings)), lesson(3, 14)) == [Kind.OUTSIDE_AVAILABILITY]
    assert kinds(request(resource=teacher(hours=mornings)), lesson(5, 9)) == [Kind.OUTSIDE_AVAILABILITY]  # Saturday


def test_a_series_counts_its_own_dates_against_the_cap():
    dates = [lesson(1, 9, 50), lesson(3, 9, 50), lesson(4, 9, 50)]
    checks = check_occurrences(request(resource=teacher(cap=2)), dates, [], Calendar(zone=ZONE), NOW)
    assert [c.state for c in checks] == ["free", "free", "conflict"]
    assert checks[2].refusals[0].kind == Kind.OVER_WORKLOAD


def test_standing_refusals_for_a_school_not_served_and_a_subject_not_taught():
    assert [r.kind for r in standing_refusals(request(school_id=7))] == [Kind.NOT_SHARED]
    assert [r.kind for r in standing_refusals(request(subject="art"))] == [Kind.NOT_SHARED]
    assert standing_refusals(request(subject="music")) == []


def test_a_room_keeps_its_own_kinds():
    room = ResourceSnapshot(id=1, owner_school_id=HOME, opening_hours=WEEKDAYS_8_TO_17)
    req = Request(resource=room, booker_role="teacher", booker_school_id=2, school_id=2)
    assert kinds(req, lesson(3, 9, 50), [existing(lesson(3, 9, 40), 3)]) == [Kind.RESOURCE_OVERLAP]
    assert kinds(req, lesson(3, 18)) == [Kind.OUTSIDE_HOURS]


def test_week_window_runs_monday_to_monday_in_district_time():
    window = week_window(at(3, 9), ZONE)
    assert window.start == at(1, 0) - (at(2, 0) - at(1, 0)) and window.minutes == 7 * 24 * 60  # Mon 31 Aug


# --- profile and timetable input ----------------------------------------------------------------

def profile(**kw) -> ProfileInput:
    values = dict(user_id="5", home_school_id="1", weekly_cap="8", subjects=["music"], served_school_ids=["2", "3"],
                  availability="1-5 08:00-17:00")
    values.update(kw)
    return ProfileInput(**values)


def test_a_complete_profile_passes():
    errors, checked = check_profile_input(profile())
    assert errors == {} and checked.weekly_cap == 8 and checked.served_school_ids == [2, 3]
    assert [(w.weekday, w.opens) for w in checked.availability][:1] == [(0, time(8))]


@pytest.mark.parametrize("cap", ["0", "-2", "", "abc", "61"])
def test_a_workload_cap_of_zero_or_less_is_refused(cap):
    errors, checked = check_profile_input(profile(weekly_cap=cap))
    assert checked is None and list(errors) == ["weekly_cap"]


def test_profile_fields_are_named_when_wrong():
    errors, _ = check_profile_input(profile(subjects=["cooking"], served_school_ids=[], availability="Mon 8-5"))
    assert set(errors) == {"subjects", "served_school_ids", "availability"}


def test_missing_travel_lists_every_pair_the_teacher_may_drive():
    assert missing_travel(1, [2, 3, 4], TRAVEL) == [(3, 4)]
    assert missing_travel(1, [2], TRAVEL) == []


def test_busy_input_and_an_imported_timetable():
    errors, checked = check_busy_input(BusyInput("3", "08:00", "09:30", note="本校音乐课"))
    assert errors == {} and checked.weekday == 3
    errors, _ = check_busy_input(BusyInput("9", "10:00", "09:00", first_date="2026-10-01", last_date="2026-09-01"))
    assert set(errors) == {"weekday", "ends", "last_date"}
    found_errors: dict = {}
    lines = timetable_lines("1-2 08:00-08:40,08:50-09:30 本校音乐课\n\n4 14:00-14:40", found_errors)
    assert found_errors == {} and len(lines) == 5 and lines[0][1] == "本校音乐课"
    assert rules.Kind.TRAVEL_TIME == "travel_time"
