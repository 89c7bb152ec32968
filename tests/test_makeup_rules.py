"""Make-up teaching days (调休上课 / 补班) and the breaks between terms, as pure rules: no app, no database."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.bookings.rules.recurrence import RecurrenceError, expand, weekly_rule, with_makeup_days
from booking.bookings.rules import (BusyTime, Calendar, Interval, Kind, OccurrenceCheck, Request, ResourceSnapshot,
                                    TeacherSnapshot, TermSpan, check_occurrences, refusals_at)
from booking.reports.timeframe import ReportRange, open_weekdays

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, tzinfo=timezone.utc)
WEEKDAYS = tuple((d, time(8), time(17)) for d in range(5))
FRIDAY_AFTERNOON_ONLY = tuple((d, time(8), time(12)) for d in range(4)) + ((4, time(13), time(17)),)
ROOM = ResourceSnapshot(id=1, owner_school_id=10, opening_hours=WEEKDAYS)
SUNDAY_MAKEUP = date(2026, 9, 20)  # 国庆节补班, taught as a Friday
SATURDAY_MAKEUP = date(2026, 10, 10)
MAKEUP = {SUNDAY_MAKEUP: 4, SATURDAY_MAKEUP: 2}
AUTUMN = TermSpan(date(2026, 9, 1), date(2027, 1, 22), "2026秋")
SPRING = TermSpan(date(2027, 2, 22), date(2027, 7, 9), "2027春")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(timezone.utc)


def slot(day: date, hour: int, minutes: int = 40) -> Interval:
    start = at(day, hour)
    return Interval(start, at(day, hour, minutes))


def request(resource=ROOM, ok=False) -> Request:
    return Request(resource=resource, booker_role="teacher", booker_school_id=10, school_id=10, outside_term_ok=ok)


def kinds(interval, calendar, req=None) -> list[Kind]:
    return [r.kind for r in refusals_at(req or request(), interval, [], calendar, NOW)]


# --- make-up days: the weekday they follow --------------------------------------------------------

def test_a_weekend_makeup_day_opens_with_the_hours_of_the_weekday_it_follows():
    assert kinds(slot(SUNDAY_MAKEUP, 9), Calendar(zone=ZONE)) == [Kind.OUTSIDE_HOURS]  # a plain Sunday
    assert kinds(slot(SUNDAY_MAKEUP, 9), Calendar(zone=ZONE, makeup_days=MAKEUP)) == []


def test_the_followed_weekdays_windows_apply_not_the_dates_own():
    room = ResourceSnapshot(id=1, owner_school_id=10, opening_hours=FRIDAY_AFTERNOON_ONLY)
    wednesday_like = date(2026, 9, 23)  # a Wednesday made to follow Friday
    calendar = Calendar(zone=ZONE, makeup_days={wednesday_like: 4})
    assert kinds(slot(wednesday_like, 9), calendar, request(room)) == [Kind.OUTSIDE_HOURS]
    assert kinds(slot(wednesday_like, 14), calendar, request(room)) == []


def test_a_closure_on_a_makeup_day_still_closes_it():
    calendar = Calendar(zone=ZONE, makeup_days=MAKEUP, closed_days={SUNDAY_MAKEUP: "停电"})
    assert kinds(slot(SUNDAY_MAKEUP, 9), calendar) == [Kind.CLOSED]


def test_calendar_weekday_of():
    calendar = Calendar(zone=ZONE, makeup_days=MAKEUP)
    assert calendar.weekday_of(SUNDAY_MAKEUP) == 4 and calendar.weekday_of(date(2026, 9, 21)) == 0


def test_a_visiting_teacher_keeps_the_home_timetable_of_the_followed_weekday():
    busy = (BusyTime(4, time(8), time(9, 30), note="本校周五音乐课"),)
    snapshot = TeacherSnapshot(home_school_id=10, weekly_cap=10, served_school_ids=frozenset({10}),
                               subjects=frozenset({"music"}), busy=busy)
    teacher = ResourceSnapshot(id=9, owner_school_id=10, opening_hours=WEEKDAYS, is_teacher=True, teacher=snapshot)
    calendar = Calendar(zone=ZONE, makeup_days=MAKEUP)
    assert kinds(slot(SUNDAY_MAKEUP, 9), calendar, request(teacher)) == [Kind.TEACHER_BUSY]
    assert kinds(slot(SUNDAY_MAKEUP, 10), calendar, request(teacher)) == []
    assert kinds(slot(SUNDAY_MAKEUP, 10), Calendar(zone=ZONE), request(teacher)) == [Kind.OUTSIDE_AVAILABILITY]


# --- weekly series ----------------------------------------------------------------------------------

def series(weekdays, until=date(2026, 10, 16), first=date(2026, 9, 4), interval=1):
    return expand(weekly_rule(weekdays, until, interval), slot(first, 9), ZONE)


def dates(recurrence) -> list[date]:
    return [o.start.astimezone(ZONE).date() for o in recurrence.occurrences]


def test_a_friday_series_also_meets_on_the_makeup_sunday_that_follows_friday():
    plain = series([4])
    adjusted = with_makeup_days(plain, ZONE, MAKEUP)
    assert SUNDAY_MAKEUP not in dates(plain)
    assert dates(adjusted) == sorted(dates(plain) + [SUNDAY_MAKEUP])
    assert adjusted.occurrences[dates(adjusted).index(SUNDAY_MAKEUP)] == slot(SUNDAY_MAKEUP, 9)


def test_a_series_not_on_the_followed_weekday_gains_nothing():
    assert dates(with_makeup_days(series([0]), ZONE, MAKEUP)) == dates(series([0]))


def test_a_date_taught_as_another_weekday_is_dropped():
    wednesday_like = date(2026, 9, 23)
    adjusted = with_makeup_days(series([2], first=date(2026, 9, 2)), ZONE, {wednesday_like: 4})
    assert wednesday_like not in dates(adjusted) and date(2026, 9, 30) in dates(adjusted)


def test_every_two_weeks_gains_a_makeup_day_only_in_its_own_weeks():
    # From Friday 4 Sep every 2 weeks: 4, 18 Sep, 2, 16 Oct. Sunday 20 Sep lies in the week of 14 Sep: a series week.
    assert SUNDAY_MAKEUP in dates(with_makeup_days(series([4], interval=2), ZONE, MAKEUP))
    assert SUNDAY_MAKEUP not in dates(with_makeup_days(series([4], interval=2, first=date(2026, 9, 11)), ZONE, MAKEUP))


def test_makeup_days_outside_the_span_are_not_added():
    assert dates(with_makeup_days(series([2], until=date(2026, 10, 9)), ZONE, MAKEUP)) == dates(
        series([2], until=date(2026, 10, 9)))
    assert SATURDAY_MAKEUP in dates(with_makeup_days(series([2]), ZONE, MAKEUP))


def test_a_series_left_without_dates_is_refused():
    only = expand(weekly_rule([6], date(2026, 9, 20)), slot(SUNDAY_MAKEUP, 9), ZONE)
    with pytest.raises(RecurrenceError):
        with_makeup_days(only, ZONE, MAKEUP)


# --- outside every term ------------------------------------------------------------------------------

WINTER = date(2027, 2, 1)
TERMS = Calendar(zone=ZONE, terms=(AUTUMN, SPRING))


def resource(policy: str) -> ResourceSnapshot:
    return ResourceSnapshot(id=1, owner_school_id=10, outside_term=policy)


def test_a_date_in_the_winter_break_needs_confirmation_by_default():
    refusals = refusals_at(request(ResourceSnapshot(id=1, owner_school_id=10)), slot(WINTER, 9), [], TERMS, NOW)
    assert [(r.kind, r.confirmable) for r in refusals] == [(Kind.OUTSIDE_TERM, True)]
    assert "2026秋" in str(refusals[0].message) and "2027春" in str(refusals[0].message)
    assert OccurrenceCheck(slot(WINTER, 9), refusals).state == "conflict"
    assert kinds(slot(WINTER, 9), TERMS, request(resource("confirm"), ok=True)) == []


def test_a_resource_that_refuses_the_break_refuses_even_when_confirmed_and_a_series_skips_it():
    refusals = refusals_at(request(resource("refuse"), ok=True), slot(WINTER, 9), [], TERMS, NOW)
    assert [(r.kind, r.confirmable) for r in refusals] == [(Kind.OUTSIDE_TERM, False)]
    assert OccurrenceCheck(slot(WINTER, 9), refusals).state == "closed"


def test_a_resource_that_allows_the_break_says_nothing():
    assert kinds(slot(WINTER, 9), TERMS, request(resource("allow"))) == []


@pytest.mark.parametrize("day", [date(2026, 9, 1), date(2027, 1, 22), date(2027, 2, 22), date(2026, 9, 2),
                                 date(2027, 8, 1)])
def test_term_days_and_days_beyond_the_known_terms_are_not_judged(day):
    assert kinds(slot(day, 9), TERMS, request(resource("refuse"))) == []


def test_without_terms_the_rule_does_not_apply():
    assert kinds(slot(WINTER, 9), Calendar(zone=ZONE), request(resource("refuse"))) == []


def test_each_date_of_a_series_is_judged_on_its_own():
    checks = check_occurrences(request(resource("confirm")), [slot(date(2027, 1, 22), 9), slot(WINTER, 9)], [], TERMS,
                               NOW)
    assert [c.state for c in checks] == ["free", "conflict"] and checks[1].needs_confirmation


def test_the_reports_count_a_makeup_day_as_the_weekday_it_follows():
    week = ReportRange(date(2026, 9, 14), date(2026, 9, 20), ZONE)
    assert open_weekdays(week, [])[6] == 1 and open_weekdays(week, [])[4] == 1
    counted = open_weekdays(week, [], MAKEUP)
    assert counted[6] == 0 and counted[4] == 2
    assert open_weekdays(week, [SUNDAY_MAKEUP], MAKEUP)[4] == 1  # closed after all


def test_a_holiday_past_the_priority_window_is_skipped_not_a_clash():
    """Found: 元旦 (closed) beyond the school's window was badged 冲突 in a series preview, while the summary
    counted no closed day. A closed day is closed whatever else would refuse it."""
    from booking.bookings.rules import Refusal

    refusals = [Refusal(Kind.CLOSED, "元旦"), Refusal(Kind.NOT_OPEN_YET, "opens on 6 January")]
    assert OccurrenceCheck(slot(WINTER, 9), refusals).state == "closed"
    assert OccurrenceCheck(slot(WINTER, 9), refusals[1:]).state == "conflict"
