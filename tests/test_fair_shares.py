"""Priority booking windows and term quotas through the booking services (issue #14 items 1 and 2)."""
from datetime import date, time

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import preview_booking
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.quotas import services as quotas
from booking.quotas import settings as quota_settings
from booking.validation import ValidationFailed
from tests import factories
from tests.booking_support import ZONE, freeze, local, single


@pytest.fixture
def district_setup(app):
    freeze()  # Tuesday 1 September 2026, the first day of term
    lead = factories.school(name="新天寄宿制小学", is_lead=True, enrollment=900)
    weak = factories.school(name="村小", is_weak=True, lead_school_id=lead.id, enrollment=150)
    other = factories.school(name="另一所小学", enrollment=400)
    lab = factories.resource(name="物理实验室", owner_school=lead)
    term = factories.term()
    coordinator = factories.user(role=Role.COORDINATOR)
    return dict(lead=lead, weak=weak, other=other, lab=lab, term=term, coordinator=coordinator,
                lead_teacher=factories.user(school=lead), weak_teacher=factories.user(school=weak),
                other_teacher=factories.user(school=other))


def local_day(instant):
    return instant.astimezone(ZONE).date()


def hour(month, day, at=10, **kw):
    return dict(start=local(month, day, at), end=local(month, day, at + 1), **kw)


def book(teacher, resource, **kw):
    """Book and commit, as the request's unit of work does (a refusal rolls back the whole transaction)."""
    created = create_booking(teacher, single(resource, **kw))
    db.session.commit()
    return created


def set_window(s, values, **scope):
    row = quota_settings.set_window(s["coordinator"], s["lead"].district_id, values, **scope)
    db.session.commit()
    return row


def set_quota(s, values, **scope):
    row = quota_settings.set_quota(s["coordinator"], s["lead"].district_id, values, **scope)
    db.session.commit()
    return row


def refusal_kinds(call) -> list[str]:
    with pytest.raises(BookingRefused) as refused:
        call()
    return [r.kind.value for r in refused.value.refusals]


# --- windows -----------------------------------------------------------------------------------

def test_a_weak_schools_teacher_books_20_days_ahead_while_the_lead_school_is_told_when_it_opens(district_setup):
    s = district_setup
    set_window(s, {"weak_days": 28, "other_days": 14, "owner_days": 14})
    created = book(s["weak_teacher"], s["lab"], **hour(9, 21))
    assert created.bookings[0].status == BookingStatus.CONFIRMED
    with pytest.raises(BookingRefused) as refused:
        create_booking(s["lead_teacher"], single(s["lab"], **hour(9, 22)))
    [refusal] = refused.value.refusals
    assert refusal.kind == "not_open_yet" and "2026年9月8日" in str(refusal.message)
    assert db.session.query(Booking).count() == 1


def test_alternatives_and_free_slots_stay_inside_the_window(district_setup):
    s = district_setup
    set_window(s, {"weak_days": 28, "other_days": 14})
    book(s["other_teacher"], s["lab"], **hour(9, 15))  # Tuesday 15th: the last day open to other schools
    with pytest.raises(BookingRefused) as refused:
        create_booking(s["lead_teacher"], single(s["lab"], **hour(9, 15)))
    assert refused.value.suggestions
    assert all(local_day(suggestion.start) <= date(2026, 9, 15) for suggestion in refused.value.suggestions)


def test_the_resource_overrides_its_category_which_overrides_the_district(district_setup):
    s = district_setup
    set_window(s, {"weak_days": 28, "other_days": 14})
    set_window(s, {"other_days": 7}, category="lab")
    assert quotas.window_days_for(s["lab"], s["other"]) == 7
    assert quotas.window_days_for(s["lab"], s["weak"]) == 28
    set_window(s, {"other_days": 21, "owner_days": 60}, resource_id=s["lab"].id)
    assert quotas.window_days_for(s["lab"], s["other"]) == 21
    assert quotas.window_days_for(s["lab"], s["lead"]) == 60
    gym = factories.resource(name="体育馆", category="gym", owner_school=s["other"])
    assert quotas.window_days_for(gym, s["other"]) == 14  # the district's, for its own school's group
    set_window(s, {}, category="lab")  # all empty: removed
    assert quotas.window_days_for(s["lab"], s["weak"]) == 28
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("window.set") == 3 and actions.count("window.delete") == 1


def test_coordinators_book_outside_the_windows_and_moves_are_checked(district_setup):
    s = district_setup
    set_window(s, {"weak_days": 28, "other_days": 14})
    book(s["coordinator"], s["lab"], school_id=s["other"].id, **hour(10, 20))
    created = book(s["other_teacher"], s["lab"], **hour(9, 10))
    assert refusal_kinds(lambda: change_booking(s["other_teacher"], created.bookings[0],
                                                BookingChanges(day=date(2026, 9, 25)))) == ["not_open_yet"]


def test_window_settings_are_checked(district_setup):
    s = district_setup
    with pytest.raises(ValidationFailed) as failed:
        set_window(s, {"weak_days": -1, "other_days": "x"},
                          category="nonsense")
    assert set(failed.value.errors) == {"weak_days", "other_days", "category"}


# --- quotas ------------------------------------------------------------------------------------

def test_going_over_the_term_quota_is_refused_with_its_own_kind(district_setup):
    s = district_setup
    set_quota(s, {"hours": 3}, resource_id=s["lab"].id)
    for day in (3, 4, 7):
        book(s["weak_teacher"], s["lab"], **hour(9, day))
    assert refusal_kinds(lambda: create_booking(s["weak_teacher"], single(s["lab"], **hour(9, 8)))) == ["quota"]
    book(s["other_teacher"], s["lab"], **hour(9, 8))  # each school has its own hours
    [usage] = quotas.usage_on(s["lab"], s["weak"], date(2026, 9, 1))
    assert (usage.used_hours, usage.limit_hours, usage.own_use) == ("3", "3", False)


def test_a_series_counts_every_occurrence_and_cancelled_bookings_free_their_hours(district_setup):
    s = district_setup
    set_quota(s, {"hours": 4}, category="lab")
    weekly = single(s["lab"], rrule="FREQ=WEEKLY;COUNT=5", **hour(9, 3))
    assert refusal_kinds(lambda: create_booking(s["weak_teacher"], weekly)) == ["quota"]
    preview = preview_booking(s["weak_teacher"], weekly)
    assert [r.kind.value for r in preview.standing] == ["quota"] and preview.bookable == []
    four = book(s["weak_teacher"], s["lab"], rrule="FREQ=WEEKLY;COUNT=4", **hour(9, 3))
    assert len(four.bookings) == 4
    cancel_booking(s["weak_teacher"], four.bookings[-1])
    book(s["weak_teacher"], s["lab"], **hour(9, 30))


def test_pending_requests_count_and_rejected_ones_do_not(district_setup):
    s = district_setup
    s["lab"].approval_required = True
    db.session.commit()
    set_quota(s, {"hours": 1}, resource_id=s["lab"].id)
    pending = book(s["weak_teacher"], s["lab"], **hour(9, 3)).bookings[0]
    assert pending.status == BookingStatus.PENDING
    assert refusal_kinds(lambda: create_booking(s["weak_teacher"], single(s["lab"], **hour(9, 4)))) == ["quota"]
    pending.set_status(BookingStatus.REJECTED)
    db.session.commit()
    book(s["weak_teacher"], s["lab"], **hour(9, 4))


def test_hours_per_100_students_and_the_owners_own_use_apart(district_setup):
    s = district_setup
    # 2 hours per 100 students: 村小 (150 students) 3 hours; the owner school's own use at most 1 hour.
    set_quota(s, {"hours_per_100": 2, "owner_hours": 1},
                     resource_id=s["lab"].id)
    for day in (3, 4, 7):
        book(s["weak_teacher"], s["lab"], **hour(9, day))
    assert refusal_kinds(lambda: create_booking(s["weak_teacher"], single(s["lab"], **hour(9, 8)))) == ["quota"]
    book(s["lead_teacher"], s["lab"], **hour(9, 9))
    assert refusal_kinds(lambda: create_booking(s["lead_teacher"], single(s["lab"], **hour(9, 10)))) == ["quota"]
    [usage] = quotas.usage_on(s["lab"], s["lead"], date(2026, 9, 1))
    assert usage.own_use and (usage.used_hours, usage.limit_hours) == ("1", "1")


def test_a_coordinators_exception_adds_hours_for_one_school_and_term_and_is_audited(district_setup):
    s = district_setup
    quota = set_quota(s, {"hours": 1}, resource_id=s["lab"].id)
    book(s["weak_teacher"], s["lab"], **hour(9, 3))
    assert refusal_kinds(lambda: create_booking(s["weak_teacher"], single(s["lab"], **hour(9, 4)))) == ["quota"]
    quota_settings.grant_exception(s["coordinator"], quota, s["weak"].id, s["term"].id, 2, "市级实验竞赛备赛")
    db.session.commit()
    book(s["weak_teacher"], s["lab"], **hour(9, 4))
    book(s["weak_teacher"], s["lab"], **hour(9, 7))
    entry = db.session.query(AuditEntry).filter_by(action="quota.exception").one()
    assert entry.details["reason"] == "市级实验竞赛备赛" and entry.details["extra_hours"] == 2
    with pytest.raises(ValidationFailed) as failed:
        quota_settings.grant_exception(s["coordinator"], quota, s["weak"].id, s["term"].id, 0, " ")
    assert set(failed.value.errors) == {"extra_hours", "reason"}
    with pytest.raises(ValidationFailed):  # only coordinators grant
        quota_settings.grant_exception(factories.user(role=Role.SCHOOL_ADMIN, school=s["weak"]), quota, s["weak"].id,
                               s["term"].id, 1, "自己批")


def test_a_move_counts_its_new_length_not_twice(district_setup):
    s = district_setup
    set_quota(s, {"hours": 2}, resource_id=s["lab"].id)
    first = book(s["weak_teacher"], s["lab"], **hour(9, 3)).bookings[0]
    book(s["weak_teacher"], s["lab"], **hour(9, 4))
    change_booking(s["weak_teacher"], first, BookingChanges(day=date(2026, 9, 7)))  # same hour, another day
    assert refusal_kinds(lambda: change_booking(s["weak_teacher"], first, BookingChanges(
        start_time=time(9), end_time=time(11)))) == ["quota"]
