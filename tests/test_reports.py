"""Report figures from the database, on both backends, against a small district worked out by hand.

The district (one week, Monday 2026-09-07 to Friday 09-11, Thursday closed for the whole district):
- 领头小学 (lead, 100 students) owns the gym, open Monday–Friday 08:00–17:00: 4 open days × 9 h = 36 bookable hours;
- 村小一 (weak, 100 students) and 村小零 (no enrollment recorded) borrow it.
Confirmed hours: lead 1 h (used), village one 2 h (no-show) + 1 h, village zero 1 h. Cancelled, rejected,
pending and expired bookings are there too and must never count.
"""
from dataclasses import dataclass
from datetime import date

import pytest

from sqlalchemy import func, select

from booking.accounts.models import Role, User
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.extensions import db
from booking.reports import access, activity, queries, utilisation
from booking.reports.access import Scope
from booking.reports.bases import Basis
from booking.reports.filters import Viewer, make_filter
from booking.resources.models import Category, ResourceKind
from booking.schools.models import Stage
from tests import factories
from tests.booking_support import local

MONDAY, FRIDAY = date(2026, 9, 7), date(2026, 9, 11)


def add_booking(resource, school, start, end, status=BookingStatus.CONFIRMED, outcome=None, quantity=1,
                students=30, by=None):
    booking = Booking(resource_id=resource.id, school_id=school.id, booked_by_id=(by or school_teacher(school)).id,
                      starts_at=start, ends_at=end, status=status, blocks=False, quantity=quantity, title="体育课",
                      class_name="三年级1班", students=students, outcome=outcome)
    db.session.add(booking)
    db.session.commit()
    return booking


def school_teacher(school):
    """A teacher of ``school`` to book with (the first one, made on first use)."""
    teacher = db.session.scalar(select(User).where(User.school_id == school.id, User.role == Role.TEACHER).limit(1))
    return teacher or factories.user(role=Role.TEACHER, school=school)


@dataclass
class District:
    lead: object
    village: object
    empty: object
    gym: object
    coordinator: object


@factories.batched
def small_district() -> District:
    lead = factories.school(name="领头小学", enrollment=100, is_lead=True)
    village = factories.school(name="村小一", enrollment=100, is_weak=True, lead_school_id=lead.id)
    empty = factories.school(name="村小零", enrollment=0, is_weak=True)
    gym = factories.resource(owner_school=lead, name="体育馆", kind=ResourceKind.FACILITY, category=Category.GYM)
    factories.closure(start_date=date(2026, 9, 10), end_date=date(2026, 9, 10), reason="运动会")
    add_booking(gym, lead, local(9, 7, 9), local(9, 7, 10), outcome=BookingOutcome.USED)
    add_booking(gym, village, local(9, 8, 9), local(9, 8, 11), outcome=BookingOutcome.NO_SHOW)
    add_booking(gym, village, local(9, 9, 14), local(9, 9, 15))
    add_booking(gym, empty, local(9, 7, 14), local(9, 7, 15))
    for status in (BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.PENDING, BookingStatus.EXPIRED):
        add_booking(gym, village, local(9, 11, 9), local(9, 11, 12), status=status)
    return District(lead, village, empty, gym, factories.user(role=Role.COORDINATOR))


def week_filter(district, **kw):
    return make_filter(Viewer.of(district.coordinator), MONDAY, FRIDAY, **kw)


def test_utilisation_counts_confirmed_hours_over_open_hours(app):
    district = small_district()
    figures = utilisation.utilisation(week_filter(district), Viewer.of(district.coordinator))
    [row] = figures.by_resource
    assert row.bookable_hours == 36
    assert row.hours.booked.hours == 5
    assert row.utilisation == pytest.approx(5 / 36)
    assert (row.hours.booked.used_hours, row.hours.delivered.hours, row.hours.no_show.hours) == (1, 3, 2)
    assert row.hours.no_show_rate == pytest.approx(2 / 5)  # of the 5 hours that have ended
    assert row.hours.booked.cross_share == pytest.approx(4 / 5)
    assert figures.by_category[0].key == Category.GYM and figures.total.hours.booked.hours == 5
    assert [r.key for r in figures.by_school] == [district.lead.id]


def test_equity_of_the_small_district_matches_the_hand_figures(app):
    """Per student: lead 1/100, village 3/100 (the school without students is listed, not divided by)."""
    district = small_district()
    figures = access.access(week_filter(district), Viewer.of(district.coordinator))
    rows = {row.school.name: row for row in figures.schools}
    # Total access (delivered: the no-show is left out): lead 1/100 of its own, village 1/100 borrowed.
    assert rows["领头小学"].per_100(scope=Scope.TOTAL) == 1 and rows["村小一"].per_100(scope=Scope.TOTAL) == 1
    assert rows["村小一"].per_100(scope=Scope.TOTAL, basis=Basis.NO_SHOW) == 2
    assert rows["领头小学"].per_100() == 0 and rows["村小一"].per_100() == 1  # shared access
    assert rows["村小零"].value(scope=Scope.TOTAL) == 1 and rows["村小零"].per_100() is None
    [primary] = figures.groups
    main = primary.main
    assert (primary.stage, primary.threshold, main.shared.figures.schools) == (Stage.PRIMARY, 0.5, 2)
    assert main.total.figures.cv_weighted == pytest.approx(0)
    assert main.shared.figures.cv_weighted == pytest.approx(1)
    assert main.shared.figures.gini == pytest.approx(0.5)
    assert main.shared.passes is False and main.total.passes is True
    assert [row.school.name for row in figures.under_served] == ["领头小学"]
    assert figures.under_served[0].gaps[("hours", Scope.SHARED)] == pytest.approx(0.5)  # (0.5 − 0) / 100 × 100
    student_hours = {i.indicator.key: i for i in primary.indicators}["student_hours"].total.figures
    assert student_hours.level == pytest.approx(30 * 2 / 200)  # 30 students a booking, 2 delivered hours, 200


def test_flows_matrix_and_who_lends(app):
    district = small_district()
    figures = access.flows(week_filter(district), Viewer.of(district.coordinator))
    hours = {pair: h.booked.hours for pair, h in figures.cells.items()}
    assert hours == {(district.lead.id, district.lead.id): 1, (district.village.id, district.lead.id): 3,
                     (district.empty.id, district.lead.id): 1}
    rows = {row.school.name: row for row in figures.rows}
    assert (rows["领头小学"].lent.booked.hours, rows["领头小学"].own_use.booked.hours) == (4, 1)
    assert (rows["村小一"].borrowed.delivered.hours, rows["村小一"].borrowed.no_show.hours) == (1, 2)
    assert figures.cross_share == pytest.approx(2 / 3)  # delivered: 1 h own, 2 h cross


def test_heatmap_and_weekly_trend(app):
    district = small_district()
    figures = activity.activity(week_filter(district))
    # Bell periods of the factories: 第2节 08:50–09:30, 第3节 09:50–10:30, 第5节 14:00–14:40; 40 minutes each.
    cells = {key: round(h.booked.hours * 60) for key, h in figures.cells.items()}
    # 第4节 10:40–11:20, 第6节 14:50–15:30: a booking over several periods counts the part of each.
    assert cells == {(0, 2): 30, (0, 3): 10, (1, 2): 30, (1, 3): 40, (1, 4): 20, (2, 5): 40, (2, 6): 10,
                     (0, 5): 40, (0, 6): 10}
    [week] = figures.weeks
    assert (week.monday, week.hours.booked.hours, week.hours.delivered.cross_hours) == (MONDAY, 5, 2)


def test_bookings_crossing_the_range_edges_are_clipped(app):
    district = small_district()
    add_booking(district.gym, district.village, local(9, 6, 23), local(9, 7, 1))  # 1 h inside, from Monday 00:00
    add_booking(district.gym, district.village, local(9, 11, 22), local(9, 12, 3))  # 2 h inside, to Friday 24:00
    report_filter = week_filter(district)
    assert utilisation.utilisation(report_filter, Viewer.of(district.coordinator)).total.hours.booked.hours == 5 + 3
    weeks = activity.activity(report_filter).weeks
    assert weeks[0].hours.booked.hours == 5 + 3


def test_category_and_stage_filters(app):
    district = small_district()
    labs = week_filter(district, category=Category.LAB)
    assert queries.hours_by_resource(labs) == ({}, {})
    junior = week_filter(district, stage=Stage.JUNIOR)
    assert access.access(junior, Viewer.of(district.coordinator)).schools == []
    assert utilisation.utilisation(junior, Viewer.of(district.coordinator)).by_resource == []


def test_equipment_utilisation_counts_items(app):
    district = small_district()
    kit = factories.resource(owner_school=district.lead, name="显微镜套装", kind=ResourceKind.EQUIPMENT,
                             category=Category.EQUIPMENT_KIT, stock=4, capacity=None)
    add_booking(kit, district.village, local(9, 7, 8), local(9, 7, 17), quantity=2)  # 2 items for a 9-hour day
    figures = utilisation.utilisation(week_filter(district, category=Category.EQUIPMENT_KIT),
                                      Viewer.of(district.coordinator))
    [row] = figures.by_resource
    assert row.hours.booked.hours == 9 and row.bookable_unit_hours == 36 * 4
    assert row.utilisation == pytest.approx(18 / 144)


def test_school_admin_sees_own_school_and_district_aggregates(app):
    district = small_district()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=district.village)
    viewer = Viewer.of(admin)
    report_filter = make_filter(viewer, MONDAY, FRIDAY)
    figures = access.access(report_filter, viewer)
    assert [row.school.name for row in figures.schools] == ["村小一"]
    assert figures.groups[0].main.shared.figures.cv_weighted == pytest.approx(1)  # still the district's
    assert figures.under_served == [] and figures.under_served_count == 1
    usage = utilisation.utilisation(report_filter, viewer)
    assert usage.by_resource == [] and usage.by_school == [] and usage.total.hours.booked.hours == 5
    flows = access.flows(report_filter, viewer)
    assert set(flows.cells) == {(district.village.id, district.lead.id)}
    assert [row.school.name for row in flows.rows] == ["村小一"]


def test_daylight_saving_zone_buckets_by_local_hour(app):
    """In a zone with summer time the 09:00 lessons before and after the change both land in 第2节 (08:50–09:30)."""
    app.config["DISTRICT_TIMEZONE"] = "Europe/Berlin"
    district = small_district()
    from datetime import datetime
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    for day in (23, 26):  # Friday before, Monday after the 25 October change
        add_booking(district.gym, district.village, datetime(2026, 10, day, 9, tzinfo=berlin),
                    datetime(2026, 10, day, 10, tzinfo=berlin))
    report_filter = make_filter(Viewer.of(district.coordinator), date(2026, 10, 19), date(2026, 10, 30))
    cells = activity.activity(report_filter).cells
    assert (round(cells[(4, 2)].booked.hours * 60), round(cells[(0, 2)].booked.hours * 60)) == (30, 30)


def test_the_reports_group_bys_run_with_light_jit_for_their_transaction_only(app, backend):
    """PostgreSQL's JIT inlining and optimisation cost a province's county report more than they gain (1–1.5 s
    of a single run's compile): a report's transaction turns both off, and the next transaction has them back."""
    def settings() -> tuple:
        return tuple(db.session.scalar(select(func.current_setting(name))) for name in
                     ("jit_inline_above_cost", "jit_optimize_above_cost"))

    district = small_district()
    before = settings() if backend == "postgresql" else None
    queries.hours_by_school_source_kind(week_filter(district))
    if backend == "postgresql":
        assert settings() == ("-1", "-1") != before
        db.session.commit()
        assert settings() == before
