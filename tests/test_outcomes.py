"""Recording whether a booking was used: who may, when, once, and the correction by an administrator."""
from datetime import datetime, timezone

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from booking import clock
from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.errors import NotAllowed
from booking.bookings.models import BookingOutcome, BookingStatus
from booking.extensions import db
from booking.bookings.outcomes import record_outcome
from booking.validation import ValidationFailed
from tests import factories
from tests.booking_support import local
from tests.test_reports import add_booking, school_teacher

AFTER = datetime(2026, 9, 8, 12, tzinfo=timezone.utc)


@pytest.fixture
def lesson(app):
    """Village school's class in the lead school's gym, Monday 2026-09-07 09:00–10:00; the clock is a day later."""
    lead = factories.school(name="领头小学")
    village = factories.school(name="村小一")
    gym = factories.resource(owner_school=lead)
    clock.freeze(AFTER)
    return add_booking(gym, village, local(9, 7, 9), local(9, 7, 10))


def test_booker_records_used_once(lesson):
    booker = lesson.booked_by
    record_outcome(lesson, "used", "  全班参加 ", booker)
    assert (lesson.outcome, lesson.outcome_note, lesson.outcome_recorded_by_id) == (BookingOutcome.USED, "全班参加",
                                                                                    booker.id)
    assert lesson.outcome_recorded_at == AFTER
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "booking.outcome"))
    assert entry.entity_id == str(lesson.id) and entry.details["outcome"] == "used"
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "no_show", "", booker)
    assert "outcome" in failed.value.errors
    db.session.refresh(lesson)
    assert lesson.outcome == BookingOutcome.USED  # nothing half-written


def test_owner_admin_corrects_with_a_reason(lesson):
    record_outcome(lesson, "used", "", lesson.booked_by)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lesson.resource.owner_school)
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "no_show", "", admin)
    assert list(failed.value.errors) == ["note"]
    record_outcome(lesson, "no_show", "班级未到场，登记有误", admin)
    assert lesson.outcome == BookingOutcome.NO_SHOW
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "booking.outcome.correct"))
    assert entry.details == {"outcome": "no_show", "note": "班级未到场，登记有误", "previous": "used"}


def test_coordinator_may_record(lesson):
    record_outcome(lesson, BookingOutcome.NO_SHOW, "", factories.user(role=Role.COORDINATOR))
    assert lesson.outcome == BookingOutcome.NO_SHOW


@pytest.mark.parametrize("who", ["other_teacher", "booking_school_admin"])
def test_others_may_not_record(lesson, who):
    school = lesson.school if who == "booking_school_admin" else lesson.resource.owner_school
    role = Role.SCHOOL_ADMIN if who == "booking_school_admin" else Role.TEACHER
    with pytest.raises(NotAllowed):
        record_outcome(lesson, "used", "", factories.user(role=role, school=school))


def test_not_before_the_booking_started(lesson):
    clock.freeze(local(9, 7, 8, 59))
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "used", "", lesson.booked_by)
    assert list(failed.value.errors) == ["booking"]
    clock.freeze(local(9, 7, 9))
    record_outcome(lesson, "used", "", lesson.booked_by)  # from the first minute on
    assert lesson.outcome == BookingOutcome.USED


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.PENDING, BookingStatus.REJECTED])
def test_only_confirmed_bookings(lesson, status):
    lesson.status = status
    db.session.commit()
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "used", "", lesson.booked_by)
    assert list(failed.value.errors) == ["booking"]


def test_bad_values_name_their_field(lesson):
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "maybe", "x" * 501, lesson.booked_by)
    assert set(failed.value.errors) == {"outcome", "note"}
    assert lesson.outcome is None


def test_a_recording_made_meanwhile_wins(lesson):
    """Two people press the button at once: the second UPDATE matches no row and is refused."""
    db.session.execute(db.text("UPDATE bookings SET outcome = 'no_show' WHERE id = :id"), {"id": lesson.id})
    db.session.commit()
    set_committed_value(lesson, "outcome", None)  # what the second person's request had read
    with pytest.raises(ValidationFailed) as failed:
        record_outcome(lesson, "used", "", lesson.booked_by)
    assert "outcome" in failed.value.errors
    db.session.refresh(lesson)
    assert lesson.outcome == BookingOutcome.NO_SHOW


def test_post_route_records_and_goes_back(lesson, login_as):
    client = login_as(lesson.booked_by)
    response = client.post(f"/bookings/{lesson.id}/outcome", data={"outcome": "used", "next": "/reports/bookings"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/bookings")
    db.session.refresh(lesson)
    assert lesson.outcome == BookingOutcome.USED
    again = client.post(f"/bookings/{lesson.id}/outcome", data={"outcome": "no_show"}, follow_redirects=True)
    assert "已经登记" in again.get_data(as_text=True)


def test_post_route_refuses_strangers_and_unknown_bookings(lesson, login_as):
    client = login_as(factories.user(role=Role.TEACHER, school=lesson.resource.owner_school))
    assert client.post(f"/bookings/{lesson.id}/outcome", data={"outcome": "used"}).status_code == 403
    assert client.post("/bookings/999999/outcome", data={"outcome": "used"}).status_code == 404
    db.session.refresh(lesson)
    assert lesson.outcome is None


def test_post_route_needs_the_csrf_token(lesson, csrf_app):
    client = csrf_app.test_client()
    booker = school_teacher(lesson.school)
    client.post("/login", data={"email": booker.email, "password": "secret-pass"})
    response = client.post(f"/bookings/{lesson.id}/outcome", data={"outcome": "used"})
    assert response.status_code in (302, 400)
    db.session.refresh(lesson)
    assert lesson.outcome is None
