"""`flask --app wsgi seed-demo`: the 新天学区 demo district, idempotent, never over real data."""
from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from booking.accounts.models import Role, User
from booking.bookings import calendar_queries, queries, rules
from booking.bookings.rules import recurrence
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingSeries, BookingStatus
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Category, Resource, ResourceKind
from booking.schools.models import BellPeriod, Closure, District, MakeupDay, School, Stage, Term, TravelTime
from booking.schools.services import current_term
from booking.seed import layout
from booking.seed.bookings import DEMO_TODAY
from booking.seed.demo import DatabaseState, database_state, seed_demo
from booking.seed.people import DEMO_PASSWORD
from booking.seed.slots import SlotPlan
from tests import factories
from tests.conftest import login

TABLES = (District, School, BellPeriod, TravelTime, Term, Closure, Resource, User, BookingSeries, Booking)


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


# --- pure helpers ---------------------------------------------------------------------------------

def test_travel_minutes_stay_within_bounds_and_roughly_obey_the_triangle_inequality():
    rng = random.Random(7)
    points = [(rng.uniform(-15, 30), rng.uniform(-20, 15)) for _ in range(25)]
    for a, b, c in itertools.combinations(points, 3):
        ab, bc, ac = (layout.travel_minutes_between(*pair) for pair in ((a, b), (b, c), (a, c)))
        assert all(10 <= m <= 60 for m in (ab, bc, ac))
        assert ac <= ab + bc + 1  # rounding may cost a minute
    assert layout.travel_minutes_between((0, 0), (0, 0.1)) == 10
    assert layout.travel_minutes_between((0, 0), (100, 0)) == 60


def test_bell_plan_numbers_periods_in_order_without_overlaps():
    plan = layout.BellPlan(first_start=time(8, 0), morning_periods=4, afternoon_start=time(14, 0),
                           afternoon_periods=3, long_break_after=2, long_break=30)
    periods = layout.bell_periods(plan)
    assert [n for n, _s, _e in periods] == list(range(1, 8))
    assert periods[1][2] == time(9, 30) and periods[2][1] == time(10, 0)  # the long break after period 2
    assert periods[4][1] == time(14, 0)
    assert all(end <= next_start for (_n, _s, end), (_m, next_start, _e) in zip(periods, periods[1:]))


def test_school_days_skip_weekends_and_closures():
    days = layout.school_days(date(2026, 9, 28), date(2026, 10, 9), [(date(2026, 10, 1), date(2026, 10, 7))])
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]


def test_slot_plan_refuses_overlapping_spans_but_allows_touching_ones():
    plan = SlotPlan()
    plan.take_weekly("lab", 3, (time(8, 0), time(8, 40)))
    assert plan.weekly_free("lab", 3, (time(8, 40), time(9, 20)))
    assert not plan.free_on("lab", date(2026, 11, 26), (time(8, 30), time(9, 0)))  # a Thursday
    assert plan.free_on("lab", date(2026, 11, 27), (time(8, 30), time(9, 0)))
    with pytest.raises(ValueError):
        plan.take_weekly("lab", 3, (time(8, 20), time(8, 30)))
    plan.lend("kit", date(2026, 11, 26), 4, stock=6)
    assert plan.stock_left("kit", date(2026, 11, 26), 6) == 2
    with pytest.raises(ValueError):
        plan.lend("kit", date(2026, 11, 26), 3, stock=6)


# --- the seeded district ----------------------------------------------------------------------------

def test_seed_builds_the_two_areas_with_bells_travel_and_calendar(in_demo):
    schools = {s.code: s for s in db.session.scalars(select(School))}
    leads = [s for s in schools.values() if s.is_lead and s.district.name == "新天学区"]
    assert sorted(s.name for s in leads) == ["新天寄宿制小学", "李寨寄宿制小学"]
    villages = [s for s in schools.values() if s.lead_school_id is not None and s.stage == Stage.PRIMARY
                and s.district.name == "新天学区"]
    assert len(villages) == 22
    for village in villages:
        assert village.lead_school.code == village.code.split("-")[0]
        assert village.is_weak and 30 <= village.enrollment <= 200
        assert village.area == village.lead_school.area
    assert {s.area for s in leads} == {"上片", "下片"}

    pairs = {(t.school_a_id, t.school_b_id): t.minutes for t in db.session.scalars(select(TravelTime))}
    ids = sorted(s.id for s in schools.values())
    assert set(pairs) == set(itertools.combinations(ids, 2))
    assert all(10 <= minutes <= 60 for minutes in pairs.values())
    xt, lz = schools["XT01"], schools["LZ01"]
    assert 25 <= pairs[tuple(sorted((xt.id, lz.id)))] <= 35
    assert pairs[tuple(sorted((xt.id, schools["XT01-01"].id)))] < pairs[tuple(sorted((lz.id, schools["XT01-01"].id)))]

    for school in schools.values():
        bells = [(p.number, p.start_time, p.end_time) for p in school.bell_periods]
        assert bells and [n for n, _s, _e in bells] == list(range(1, len(bells) + 1))
        assert all(end <= start for (_n, _s, end), (_m, start, _e) in zip(bells, bells[1:]))
    assert len(xt.bell_periods) == 8 and all(6 <= len(v.bell_periods) <= 7 for v in villages)
    assert len({tuple((p.start_time, p.end_time) for p in s.bell_periods) for s in villages}) > 5

    term = current_term(DEMO_TODAY)
    assert term.name == "2026—2027学年第一学期" and term.start_date <= DEMO_TODAY <= term.end_date
    national_day = db.session.scalar(select(Closure).where(Closure.reason == "国庆节"))
    assert national_day.school_id is None and national_day.start_date == date(2026, 10, 1)
    assert db.session.scalar(select(func.count()).select_from(Closure).where(Closure.school_id.is_not(None))) >= 1
    makeup = {d.day: d.follows_weekday for d in db.session.scalars(select(MakeupDay).where(MakeupDay.district_id.is_(None)))}
    assert makeup[date(2026, 9, 20)] == 4 and date(2026, 10, 10) in makeup and len(makeup) == 6  # 2026's 补班
    national_day_makeup = db.session.scalar(select(MakeupDay).where(MakeupDay.day == date(2026, 9, 20)))
    assert (national_day_makeup.school_id, national_day_makeup.district_id) == (None, None)  # the county's
    donghe = db.session.scalars(select(MakeupDay).where(MakeupDay.district_id.is_not(None))).all()
    assert [(d.day, d.follows_weekday, d.school_id) for d in donghe] == [(date(2026, 12, 19), 4, None)]


def test_seed_creates_every_kind_of_resource_and_user_who_can_sign_in(in_demo):
    client = in_demo.test_client()
    resources = list(db.session.scalars(select(Resource)))
    assert {r.category for r in resources} == set(Category)
    teachers = [r for r in resources if r.kind == ResourceKind.TEACHER]
    assert {r.subject for r in teachers} == {"music", "pe", "art"}
    assert all(r.category == Category.VISITING_TEACHER and r.owner_school.is_lead for r in teachers)
    kits = {r.name: r.stock for r in resources if r.kind == ResourceKind.EQUIPMENT}
    assert kits["科学实验器材箱"] == 6 and kits["便携式音响"] == 3 and kits["体育器材包"] == 10
    assert any(r.approval_required for r in resources) and any(r.sharing == "own_school" for r in resources)
    assert all(r.opening_hours for r in resources)

    for role in Role:
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id).limit(1))
        assert login(client, user, DEMO_PASSWORD).status_code == 302, role
        client.get("/logout")
    assert db.session.scalar(select(User).where(User.email == "teacher.xt01-03@demo.xq")).school.code == "XT01-03"
    # The area coordinators (包片负责人) administer their own area; the district head the whole district.
    # The county's coordinator (county@) sees both districts; 东河学区's coordinator their district only.
    coordinators = {u.email: (u.area, db.session.get(District, u.district_id).name if u.district_id else None)
                    for u in db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR))}
    assert coordinators == {"coordinator@demo.xq": ("", None), "coordinator.shangpian@demo.xq": ("上片", None),
                            "coordinator.xiapian@demo.xq": ("下片", None), "county@demo.xq": ("", None),
                            "coordinator.donghe@demo.xq": ("", "东河学区")}


def test_seeding_twice_changes_nothing(in_demo):
    before = counts()
    again = seed_demo()
    assert not again.created and again.state == DatabaseState.DEMO
    assert counts() == before
    assert before["School"] == 26 + 7 and before["Booking"] > 1000  # 东河学区's 6 and the county's centre


@pytest.mark.parametrize("existing", ["school", "user", "other_district"])
def test_seed_leaves_a_real_district_alone(app, existing):
    if existing == "school":
        factories.school(code="S001", name="城关小学")
    elif existing == "user":
        factories.user(role=Role.COORDINATOR)
    else:
        factories.district(name="城关学区")
    before = counts()
    result = seed_demo()
    assert result.state == DatabaseState.OTHER and not result.created
    assert counts() == before
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert "changed nothing" in output


def test_an_empty_demo_district_row_is_filled_and_the_cli_prints_the_logins_then_says_it_is_there(app):
    # One test for both: each seeds the whole demo, the suite's dearest step.
    factories.district(name="新天学区")
    db.session.commit()
    assert database_state()[0] == DatabaseState.EMPTY
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "coordinator@demo.xq" in first.output and "admin.xt01@demo.xq" in first.output
    assert "teacher.xt01-03@demo.xq" in first.output and DEMO_PASSWORD in first.output
    assert counts()["District"] == 3  # 新天学区 filled, 东河学区 and 县直 beside it
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already there" in second.output


# --- the seeded bookings obey the booking engine's own rules ---------------------------------------

def is_closed(day: date, *school_ids: int) -> bool:
    closures = select(Closure).where(Closure.start_date <= day, Closure.end_date >= day)
    return any(c.school_id is None or c.school_id in school_ids for c in db.session.scalars(closures))


def _request_for(booking: Booking) -> rules.Request:
    return rules.Request(resource=queries.resource_snapshot(booking.resource), booker_role=booking.booked_by.role.value,
                         booker_school_id=booking.booked_by.school_id, school_id=booking.school_id,
                         students=booking.students, quantity=booking.quantity,
                         confirmed=booking.status == BookingStatus.CONFIRMED)


def test_seeded_bookings_pass_the_booking_rules(in_demo):
    zone = district_zone()
    active = list(db.session.scalars(select(Booking).where(Booking.status.in_(ACTIVE_STATUSES))))
    term_span = rules.Interval(min(b.starts_at for b in active), max(b.ends_at for b in active))
    calendars = {}
    by_resource = defaultdict(list)
    for booking in active:
        interval = rules.Interval(booking.starts_at, booking.ends_at)
        request = _request_for(booking)
        if booking.resource_id not in calendars:  # one calendar per resource for the whole term
            calendars[booking.resource_id] = calendar_queries.calendar_for(booking.resource, term_span)
        calendar = calendars[booking.resource_id]
        assert rules.standing_refusals(request) == [], booking
        assert rules.hours_refusal(request.resource, interval, zone) is None, booking
        assert rules.duration_refusal(request.resource, interval) is None, booking
        assert rules.closed_refusals(interval, calendar) == [], booking
        assert booking.blocks == (booking.status == BookingStatus.CONFIRMED and not booking.resource.is_quantity_based)
        by_resource[booking.resource].append(booking)
    for resource, bookings in by_resource.items():
        if resource.is_quantity_based:
            loans = [(rules.Interval(b.starts_at, b.ends_at), b.quantity) for b in bookings]
            for interval, _quantity in loans:
                assert rules.peak_usage(loans, interval) <= resource.stock, resource
        else:
            ordered = sorted(bookings, key=lambda b: b.starts_at)
            for first, second in zip(ordered, ordered[1:]):
                assert first.ends_at <= second.starts_at, (first, second)


def test_series_rows_follow_their_rule_and_history_spans_past_and_future(in_demo):
    zone = district_zone()
    for series in db.session.scalars(select(BookingSeries)):
        first = rules.Interval(series.dtstart, series.dtstart + timedelta(minutes=series.duration_minutes))
        expected = {i.start for i in recurrence.expand(series.rrule, first, zone).occurrences}
        present = {b.original_start for b in series.occurrences}
        assert present <= expected
        for skipped in expected - present:  # only closed days are skipped
            assert is_closed(skipped.astimezone(zone).date(), series.school_id, series.resource.owner_school_id)
        if series.period_number is not None:  # the booking form reads it as the owner school's period
            bell = next(p for p in series.resource.owner_school.bell_periods if p.number == series.period_number)
            assert series.dtstart.astimezone(zone).time() == bell.start_time
    statuses = {status: list(db.session.scalars(select(Booking).where(Booking.status == status)))
                for status in BookingStatus}
    assert all(statuses[status] for status in BookingStatus)
    assert all(b.starts_at.astimezone(zone).date() > DEMO_TODAY for b in statuses[BookingStatus.PENDING])
    assert all(b.starts_at.astimezone(zone).date() < DEMO_TODAY for b in statuses[BookingStatus.EXPIRED])
    confirmed = statuses[BookingStatus.CONFIRMED]
    assert any(b.starts_at.astimezone(zone).date() < DEMO_TODAY for b in confirmed)
    assert any(b.starts_at.astimezone(zone).date() > DEMO_TODAY for b in confirmed)
    assert all(b.decided_by is not None for b in confirmed if b.resource.approval_required)
    village_lab_use = [b for b in confirmed if b.resource.owner_school.is_lead and not b.school.is_lead
                       and b.resource.category == Category.LAB]
    assert village_lab_use and all(b.series is not None for b in village_lab_use)
