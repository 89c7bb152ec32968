"""Priority booking windows and term quotas as pure rules: no app, no database."""
from dataclasses import replace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from booking.bookings.rules import (Calendar, Interval, Kind, QuotaState, Request, ResourceSnapshot, WindowSetting,
                                    check_occurrences, hours_text, opens_on, quota_limit_minutes, quota_refusals,
                                    refusals_at, resolve_window, window_days)

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, 0, 0, tzinfo=timezone.utc)  # Tuesday 1 September, 08:00 in the district
LAB = ResourceSnapshot(id=1, owner_school_id=10)
REQUEST = Request(resource=LAB, booker_role="teacher", booker_school_id=20, school_id=20)


def hour_on(month: int, day: int, hour: int = 10) -> Interval:
    start = datetime(2026, month, day, hour, tzinfo=ZONE)
    return Interval(start.astimezone(timezone.utc), start.replace(hour=hour + 1).astimezone(timezone.utc))


def test_each_field_comes_from_the_most_specific_level_that_sets_it():
    resource_level = WindowSetting(weak_days=35)
    category_level = WindowSetting(other_days=10)
    district_level = WindowSetting(28, 14, 60)
    assert resolve_window([resource_level, category_level, district_level]) == WindowSetting(35, 10, 60)
    assert resolve_window([None, None, district_level]) == district_level
    assert resolve_window([]) == WindowSetting()


def test_weak_schools_other_schools_and_the_owner_get_their_own_window():
    setting = WindowSetting(weak_days=28, other_days=14, owner_days=60)
    assert window_days(setting, school_is_weak=True, school_is_owner=False) == 28
    assert window_days(setting, school_is_weak=False, school_is_owner=False) == 14
    assert window_days(setting, school_is_weak=False, school_is_owner=True) == 60
    # An owner without a setting of its own books as its group does; no window at all is None.
    assert window_days(WindowSetting(28, 14), school_is_weak=False, school_is_owner=True) == 14
    assert window_days(WindowSetting(), school_is_weak=True, school_is_owner=False) is None


def test_a_date_past_the_window_is_refused_naming_the_day_it_opens():
    twenty_days_ahead = hour_on(9, 21)
    weak = replace(REQUEST, window_days=28)
    lead = replace(REQUEST, window_days=14)
    assert refusals_at(weak, twenty_days_ahead, [], Calendar(ZONE), NOW) == []
    [refusal] = refusals_at(lead, twenty_days_ahead, [], Calendar(ZONE), NOW)
    assert refusal.kind == Kind.NOT_OPEN_YET == "not_open_yet"
    assert opens_on(date(2026, 9, 21), 14) == date(2026, 9, 7)
    assert "2026年9月7日" in str(refusal.message) and "2026年9月21日" in str(refusal.message)  # written the one way


def test_the_last_day_of_the_window_is_open_and_no_window_means_no_refusal():
    assert refusals_at(replace(REQUEST, window_days=14), hour_on(9, 15), [], Calendar(ZONE), NOW) == []
    assert [r.kind for r in refusals_at(replace(REQUEST, window_days=14), hour_on(9, 16), [], Calendar(ZONE), NOW)] \
        == [Kind.NOT_OPEN_YET]
    assert refusals_at(REQUEST, hour_on(12, 16), [], Calendar(ZONE), NOW) == []


def test_a_series_reaches_past_the_window_only_on_its_later_dates():
    dates = [hour_on(9, day) for day in (3, 10, 17, 24)]
    checks = check_occurrences(replace(REQUEST, window_days=14), dates, [], Calendar(ZONE), NOW)
    assert [c.state for c in checks] == ["free", "free", "conflict", "conflict"]


def test_a_quota_is_fixed_hours_or_hours_per_hundred_students_plus_exceptions():
    assert quota_limit_minutes(20, None, 450) == 20 * 60
    assert quota_limit_minutes(20, 4, 450) == 20 * 60  # fixed hours win when both are set
    assert quota_limit_minutes(None, 4, 450) == 18 * 60
    assert quota_limit_minutes(None, 4, 450, extra_hours=2.5) == int(20.5 * 60)
    assert quota_limit_minutes(None, None, 450) is None
    assert quota_limit_minutes(0, None, 450) == 0
    assert (hours_text(720), hours_text(750), hours_text(45)) == ("12", "12.5", "0.75")


TERM = dict(term_name="2026秋季学期", first_day=date(2026, 9, 1), last_day=date(2027, 1, 20))


def test_a_booking_that_would_go_over_the_quota_is_refused():
    state = QuotaState(quota_id=1, scope="物理实验室", limit_minutes=20 * 60, used_minutes=19 * 60, **TERM)
    assert quota_refusals([state], [hour_on(9, 3)], ZONE) == []  # exactly to the limit
    [refusal] = quota_refusals([state], [hour_on(9, 3), hour_on(9, 10)], ZONE)
    assert refusal.kind == Kind.QUOTA == "quota"
    assert "19" in str(refusal.message) and "20" in str(refusal.message)


def test_every_occurrence_in_the_term_counts_and_dates_outside_it_do_not():
    state = QuotaState(quota_id=1, scope="实验室", limit_minutes=3 * 60, used_minutes=0, **TERM)
    weekly = [hour_on(9, day) for day in (3, 10, 17)]
    assert quota_refusals([state], weekly, ZONE) == []
    assert [r.kind for r in quota_refusals([state], weekly + [hour_on(9, 24)], ZONE)] == [Kind.QUOTA]
    summer = QuotaState(quota_id=1, scope="实验室", limit_minutes=0, used_minutes=0, term_name="春季",
                        first_day=date(2027, 2, 20), last_day=date(2027, 7, 1))
    assert quota_refusals([summer], weekly, ZONE) == []


def test_the_owner_schools_own_use_is_named_as_such():
    state = QuotaState(quota_id=1, scope="体育馆", limit_minutes=60, used_minutes=60, own_use=True, **TERM)
    [refusal] = quota_refusals([state], [hour_on(9, 3, 14)], ZONE)
    assert refusal.kind == Kind.QUOTA and "体育馆" in str(refusal.message)
