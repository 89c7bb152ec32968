"""When a school is closed, from its closures (pure: no app, no database)."""
from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from booking.bookings.rules.closed import closed_times, closure_intervals
from booking.bookings.rules import Calendar, Interval, closed_refusals
from tests.booking_support import local

ZONE = ZoneInfo("Asia/Shanghai")


@dataclass
class Row:
    school_id: int | None
    start_date: date
    end_date: date
    reason: str
    start_time: time | None = None
    end_time: time | None = None


def test_a_time_range_closes_that_range_of_each_day_and_whole_days_close_the_days():
    morning = Row(1, date(2026, 9, 3), date(2026, 9, 4), "开放日", time(8), time(12))
    assert closure_intervals(morning, ZONE) == [Interval(local(9, 3, 8), local(9, 3, 12)),
                                                Interval(local(9, 4, 8), local(9, 4, 12))]
    holiday = Row(None, date(2026, 10, 1), date(2026, 10, 7), "国庆节")
    assert closure_intervals(holiday, ZONE) == [Interval(local(10, 1, 0), local(10, 8, 0))]
    assert closure_intervals(holiday, ZONE, date(2026, 10, 5), date(2026, 10, 20)) == [
        Interval(local(10, 5, 0), local(10, 8, 0))]


def test_district_closures_close_every_school_and_win_on_a_shared_day():
    rows = [Row(2, date(2026, 10, 1), date(2026, 10, 1), "运动会"),
            Row(None, date(2026, 10, 1), date(2026, 10, 2), "国庆节"),
            Row(1, date(2026, 9, 3), date(2026, 9, 3), "开放日", time(8), time(12))]
    closed = closed_times(rows, {1, 2}, date(2026, 9, 1), date(2026, 10, 31), ZONE)
    assert closed[2].days == {date(2026, 10, 1): "国庆节", date(2026, 10, 2): "国庆节"}
    assert closed[1].spans == ((Interval(local(9, 3, 8), local(9, 3, 12)), "开放日"),) and closed[2].spans == ()
    assert closed[1].reason_at(Interval(local(9, 3, 11), local(9, 3, 13)), ZONE) == "开放日"
    assert closed[1].reason_at(Interval(local(9, 3, 12), local(9, 3, 13)), ZONE) is None


def test_the_host_schools_closure_refuses_a_lesson_there_and_only_there():
    closed = closed_times([Row(5, date(2026, 9, 3), date(2026, 9, 3), "运动会")], {5}, date(2026, 9, 1),
                          date(2026, 9, 30), ZONE)
    calendar = Calendar(zone=ZONE, host_closed=closed)
    lesson = Interval(local(9, 3, 9, 50), local(9, 3, 10, 30))
    [refusal] = closed_refusals(lesson, calendar, 5, "王庄小学")
    assert refusal.kind == "closed" and "王庄小学" in str(refusal.message)
    assert closed_refusals(lesson, calendar, 6, "石门小学") == [] and closed_refusals(lesson, calendar) == []
