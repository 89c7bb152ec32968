"""The booking rules as a pure function: no app, no database."""
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.bookings.rules import (Calendar, Existing, Interval, Kind, Request, ResourceSnapshot, check_occurrences,
                                    local_days, merged_windows, peak_usage, refusals_at, standing_refusals)

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, 0, 0, tzinfo=timezone.utc)  # Tuesday 08:00 in the district
WEEKDAYS_8_TO_17 = tuple((d, time(8), time(17)) for d in range(5))
ROOM = ResourceSnapshot(id=1, owner_school_id=10, capacity=40, opening_hours=WEEKDAYS_8_TO_17)
KIT = ResourceSnapshot(id=2, owner_school_id=10, quantity_based=True, stock=10)
TEACHER_REQUEST = Request(resource=ROOM, booker_role="teacher", booker_school_id=20, school_id=20, students=30)
CALENDAR = Calendar(zone=ZONE)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given as district wall-clock time in September 2026."""
    return datetime(2026, 9, day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


def slot(day: int, start: tuple, end: tuple) -> Interval:
    return Interval(local(day, *start), local(day, *end))


def kinds(request=TEACHER_REQUEST, interval=None, existing=(), calendar=CALENDAR, now=NOW) -> list[str]:
    interval = interval or slot(3, (9, 50), (10, 30))
    return [r.kind.value for r in standing_refusals(request) + refusals_at(request, interval, list(existing), calendar, now)]


def booked(interval: Interval, confirmed=True, quantity=1, booking_id=7) -> Existing:
    return Existing(booking_id, interval, confirmed, quantity, "测试小学 三年级2班 (科学)")


def test_a_free_slot_has_no_refusals():
    assert kinds() == []


def test_touching_intervals_do_not_clash():
    assert kinds(interval=slot(3, (8, 45), (9, 30)), existing=[booked(slot(3, (8, 0), (8, 45)))]) == []
    assert kinds(interval=slot(3, (8, 0), (8, 45)), existing=[booked(slot(3, (8, 45), (9, 30)))]) == []


@pytest.mark.parametrize("existing_slot", [((9, 0), (10, 0)), ((10, 0), (11, 0)), ((9, 50), (10, 30)), ((10, 0), (10, 10)),
                                           ((8, 0), (12, 0))])
def test_any_overlap_clashes(existing_slot):
    assert kinds(existing=[booked(slot(3, *existing_slot))]) == ["resource_overlap"]


def test_overlap_refusal_names_the_holder_and_times():
    refusal = refusals_at(TEACHER_REQUEST, slot(3, (9, 50), (10, 30)), [booked(slot(3, (9, 0), (10, 0)))], CALENDAR, NOW)[0]
    assert refusal.booking_id == 7 and refusal.start == local(3, 9)
    assert str(refusal.message) == "Already booked from 09:00 to 10:00 by 测试小学 三年级2班 (科学)."


def test_pending_requests_do_not_block_requests_but_block_bookings():
    pending = booked(slot(3, (9, 50), (10, 30)), confirmed=False)
    as_request = replace(TEACHER_REQUEST, confirmed=False)
    assert kinds(request=as_request, existing=[pending]) == []
    assert kinds(existing=[pending]) == ["resource_overlap"]
    assert kinds(request=as_request, existing=[booked(slot(3, (9, 50), (10, 30)))]) == ["resource_overlap"]


def test_quantity_counts_the_peak_not_the_total():
    kit_request = replace(TEACHER_REQUEST, resource=KIT, quantity=5)
    back_to_back = [booked(slot(3, (9, 0), (10, 0)), quantity=5, booking_id=1),
                    booked(slot(3, (10, 0), (11, 0)), quantity=5, booking_id=2)]
    assert kinds(kit_request, slot(3, (9, 0), (11, 0)), back_to_back) == []
    stacked = back_to_back + [booked(slot(3, (9, 30), (10, 30)), quantity=1, booking_id=3)]
    assert kinds(kit_request, slot(3, (9, 0), (11, 0)), stacked) == ["quantity"]


def test_quantity_message_says_how_many_are_free():
    kit_request = replace(TEACHER_REQUEST, resource=KIT, quantity=4)
    refusal = refusals_at(kit_request, slot(3, (9, 0), (10, 0)), [booked(slot(3, (9, 0), (10, 0)), quantity=8)],
                          CALENDAR, NOW)
    assert str(refusal[0].message) == "Only 2 of 10 are free at that time; you asked for 4."


def test_quantity_above_stock_is_refused_even_when_nothing_is_booked():
    assert kinds(replace(TEACHER_REQUEST, resource=KIT, quantity=11), slot(3, (9, 0), (10, 0))) == ["quantity"]


def test_peak_usage_ignores_bookings_outside_the_window():
    window = slot(3, (9, 0), (10, 0))
    assert peak_usage([(slot(3, (8, 0), (9, 0)), 9), (slot(3, (10, 0), (11, 0)), 9), (window, 2)], window) == 2


def test_capacity():
    assert kinds(request=replace(TEACHER_REQUEST, students=41)) == ["capacity"]
    assert kinds(request=replace(TEACHER_REQUEST, students=40)) == []
    assert kinds(request=replace(TEACHER_REQUEST, students=None)) == []


def test_closed_on_a_holiday_with_its_name():
    calendar = Calendar(zone=ZONE, closed_days={date(2026, 9, 3): "运动会"})
    refusals = refusals_at(TEACHER_REQUEST, slot(3, (9, 50), (10, 30)), [], calendar, NOW)
    assert [r.kind for r in refusals] == [Kind.CLOSED] and "运动会" in str(refusals[0].message)


def test_closed_by_a_maintenance_blackout():
    calendar = Calendar(zone=ZONE, blackouts=((slot(3, (10, 0), (12, 0)), "维修"),))
    assert kinds(calendar=calendar) == ["closed"]
    assert kinds(interval=slot(3, (8, 0), (10, 0)), calendar=calendar) == []


def test_outside_opening_hours_in_local_wall_clock_time():
    assert kinds(interval=slot(3, (7, 30), (8, 30))) == ["outside_hours"]
    assert kinds(interval=slot(3, (16, 30), (17, 30))) == ["outside_hours"]
    assert kinds(interval=slot(3, (8, 0), (17, 0))) == []
    assert kinds(interval=slot(5, (9, 0), (10, 0))) == ["outside_hours"]  # Saturday: not open


def test_opening_windows_that_touch_count_as_one():
    hours = ((0, time(8), time(12)), (0, time(12), time(17)), (0, time(18), time(20)))
    assert merged_windows(hours, 0) == [(time(8), time(17)), (time(18), time(20))]
    room = replace(ROOM, opening_hours=hours)
    assert kinds(replace(TEACHER_REQUEST, resource=room), slot(7, (11, 0), (13, 0))) == []
    assert kinds(replace(TEACHER_REQUEST, resource=room), slot(7, (16, 0), (19, 0))) == ["outside_hours"]


def test_no_opening_hours_means_always_open_even_past_midnight():
    room = replace(ROOM, opening_hours=())
    assert kinds(replace(TEACHER_REQUEST, resource=room), Interval(local(3, 22), local(4, 1))) == []


def test_booking_until_midnight_fits_a_window_closing_at_midnight():
    room = replace(ROOM, opening_hours=((3, time(18), time.max),))
    assert kinds(replace(TEACHER_REQUEST, resource=room), Interval(local(3, 20), local(4, 0))) == []


def test_duration_limits():
    room = replace(ROOM, min_duration=40, max_duration=90)
    request = replace(TEACHER_REQUEST, resource=room)
    assert kinds(request, slot(3, (9, 0), (9, 30))) == ["duration"]
    assert kinds(request, slot(3, (9, 0), (11, 0))) == ["duration"]
    assert kinds(request, slot(3, (9, 0), (10, 30))) == []


def test_horizon_past_and_too_far_ahead():
    late = NOW + timedelta(hours=2)  # 10:00 local
    assert kinds(interval=Interval(late - timedelta(minutes=1), late + timedelta(minutes=40)), now=late) == ["horizon"]
    room = replace(ROOM, max_advance_days=14)
    request = replace(TEACHER_REQUEST, resource=room)
    assert kinds(request, slot(15, (9, 0), (10, 0))) == []  # 14 days after 1 September
    assert kinds(request, slot(16, (9, 0), (10, 0))) == ["horizon"]


def test_own_school_only_resources_refuse_other_schools_but_not_coordinators():
    own = replace(ROOM, own_school_only=True)
    assert kinds(replace(TEACHER_REQUEST, resource=own)) == ["not_shared"]
    assert kinds(replace(TEACHER_REQUEST, resource=own, booker_school_id=10, school_id=10)) == []
    assert kinds(replace(TEACHER_REQUEST, resource=own, booker_role="coordinator", booker_school_id=None)) == []


def test_teachers_book_for_their_own_school_only():
    assert kinds(replace(TEACHER_REQUEST, school_id=30)) == ["not_shared"]
    assert kinds(replace(TEACHER_REQUEST, booker_role="coordinator", booker_school_id=None, school_id=30)) == []


def test_archived_resource_is_not_bookable():
    assert kinds(replace(TEACHER_REQUEST, resource=replace(ROOM, active=False))) == ["not_shared"]


def test_every_refusal_is_reported_at_once():
    room = replace(ROOM, max_duration=30)
    found = kinds(replace(TEACHER_REQUEST, resource=room, students=99), slot(3, (7, 0), (9, 0)),
                  [booked(slot(3, (8, 0), (8, 40)))])
    assert sorted(found) == ["capacity", "duration", "outside_hours", "resource_overlap"]


def test_check_occurrences_states():
    calendar = Calendar(zone=ZONE, closed_days={date(2026, 9, 10): "教师节"})
    intervals = [slot(d, (9, 50), (10, 30)) for d in (3, 10, 17)]
    checks = check_occurrences(TEACHER_REQUEST, intervals, [booked(slot(17, (9, 0), (10, 0)))], calendar, NOW)
    assert [c.state for c in checks] == ["free", "closed", "conflict"]


def test_local_days_of_an_interval():
    assert local_days(slot(3, (9, 0), (10, 0)), ZONE) == [date(2026, 9, 3)]
    assert local_days(Interval(local(3, 22), local(5, 0)), ZONE) == [date(2026, 9, 3), date(2026, 9, 4)]
