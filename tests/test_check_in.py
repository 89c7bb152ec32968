"""Issue 12: check-in within a window around the start, release of bookings nobody checked in for
(a claimed scheduler job, once even with two schedulers), outcomes through the API. Both backends."""
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from booking import clock
from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.bookings.services import create_booking
from booking.digests.jobs import RELEASE, jobs, run_due, run_slot
from booking.extensions import db
from booking.bookings import checkin
from booking.reports.access import Scope, access
from booking.reports.bases import Basis
from booking.reports.filters import Viewer, make_filter
from booking.resources.models import Category, ResourceKind
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import assert_documented, bearer, get_json
from tests.booking_support import local, single
from tests.test_reports import add_booking

START = local(9, 3, 9, 50)  # Thursday 3 September 2026, 第3节 09:50–10:30


@pytest.fixture
def setting(app):
    """A village class booked the lead school's lab; the clock at the start."""
    lead, village = factories.school(name="中心小学"), factories.school(name="北村小学", enrollment=100)
    lab = factories.resource(owner_school=lead, name="物理实验室")
    booker = factories.user(role=Role.TEACHER, school=village)
    booking = add_booking(lab, village, START, START + timedelta(minutes=40), by=booker)
    clock.freeze(START)
    return lab, booking, booker, village


def test_the_booker_checks_in_within_the_window_and_it_counts_as_used(setting):
    lab, booking, booker, _village = setting
    clock.freeze(START + timedelta(minutes=14))
    checkin.check_in(booking, booker)
    assert booking.checked_in_at == START + timedelta(minutes=14) and booking.checked_in_by_id == booker.id
    assert booking.outcome == BookingOutcome.USED
    with pytest.raises(ValidationFailed) as failed:
        checkin.check_in(booking, booker)
    assert "booking" in failed.value.errors


@pytest.mark.parametrize("minutes", [-16, 16])
def test_check_in_outside_the_window_is_refused(setting, minutes):
    lab, booking, booker, _village = setting
    clock.freeze(START + timedelta(minutes=minutes))
    with pytest.raises(ValidationFailed) as failed:
        checkin.check_in(booking, booker)
    assert list(failed.value.errors) == ["booking"] and booking.checked_in_at is None


def test_the_window_is_a_resource_setting_and_equipment_does_not_check_in(setting):
    lab, booking, booker, village = setting
    lab.check_in_after_minutes = 30
    db.session.commit()
    clock.freeze(START + timedelta(minutes=25))
    assert checkin.can_check_in_now(booker, booking)
    kit = factories.resource(owner_school=lab.owner_school, name="显微镜", kind=ResourceKind.EQUIPMENT,
                             category=Category.EQUIPMENT_KIT, stock=5, capacity=None)
    lent = add_booking(kit, village, START, START + timedelta(minutes=40), by=booker)
    assert not kit.checks_in and not checkin.can_check_in_now(booker, lent)
    clock.freeze(START + timedelta(hours=2))
    assert checkin.release_due() == 1  # the lab's booking (its grace ended at +30); never the equipment
    db.session.refresh(lent)
    assert lent.status == BookingStatus.CONFIRMED


def test_someone_else_may_not_check_in(setting):
    from booking.bookings.errors import NotAllowed
    lab, booking, booker, village = setting
    with pytest.raises(NotAllowed):
        checkin.check_in(booking, factories.user(role=Role.TEACHER, school=village))


def _release_slot(minutes_after_start: int) -> datetime:
    return START + timedelta(minutes=minutes_after_start)


def test_a_booking_nobody_checked_in_for_is_released_once_and_its_slot_can_be_booked(setting):
    lab, booking, booker, village = setting
    clock.freeze(_release_slot(20))  # the grace ended at +15
    first = run_slot(jobs()[RELEASE], _release_slot(20), "scheduler-a")
    again = run_slot(jobs()[RELEASE], _release_slot(20), "scheduler-b")  # the same slot: claimed already
    clock.freeze(_release_slot(25))
    later = run_slot(jobs()[RELEASE], _release_slot(25), "scheduler-b")  # the next slot: nothing left
    assert (first.ran, again.ran, later.ran) == (True, False, True)
    assert first.summary.startswith("1 ") and later.summary.startswith("0 ")
    db.session.expire_all()
    released = db.session.get(Booking, booking.id)
    assert (released.status, released.outcome, released.blocks) == (BookingStatus.CANCELLED, BookingOutcome.NO_SHOW,
                                                                    False)
    assert released.released_at == _release_slot(20) and released.sequence == 1  # feeds see a change
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.release")) == 1
    # The slot is free again: another class books the rest of the lesson.
    other = factories.user(role=Role.TEACHER, school=factories.school(name="南村小学"))
    created = create_booking(other, single(lab, start=_release_slot(26), end=START + timedelta(minutes=40)))
    assert created.bookings[0].status == BookingStatus.CONFIRMED
    # And the report counts it as a no-show, never as delivered.
    coordinator = factories.user(role=Role.COORDINATOR)
    clock.freeze(START + timedelta(days=1))
    rows = {row.school.id: row for row in access(make_filter(Viewer.of(coordinator), START.date(), START.date()),
                                                 Viewer.of(coordinator)).schools}
    village_row = rows[village.id]
    assert village_row.value(scope=Scope.TOTAL, basis=Basis.NO_SHOW) == pytest.approx(40 / 60)
    assert village_row.value(scope=Scope.TOTAL, basis=Basis.DELIVERED) == 0


def test_a_checked_in_booking_is_not_released(setting):
    lab, booking, booker, _village = setting
    checkin.check_in(booking, booker)
    db.session.commit()  # the check-in request's unit of work
    clock.freeze(_release_slot(20))
    run_slot(jobs()[RELEASE], _release_slot(20), "scheduler")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_two_schedulers_at_once_release_the_booking_once(setting, app, backend):
    """Two threads, each with its own session and connection, run the due release slot together."""
    lab, booking, booker, _village = setting
    now = _release_slot(21)
    clock.freeze(now)
    barrier, results, errors = threading.Barrier(2), [], []

    def scheduler(name):
        try:
            with app.app_context():
                barrier.wait(10)
                results.extend(run_due(jobs()[RELEASE], name, now))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=scheduler, args=(f"scheduler-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if backend == "sqlite" and errors:
        pytest.skip(f"SQLite serialises writers: {errors[0]}")
    assert not errors, errors
    # One ran it; the other found it claimed (running, or already done and so not due any more).
    assert [result.ran for result in results].count(True) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.release")) == 1
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_a_release_and_a_check_in_racing_end_with_one_of_them(setting):
    """The release read the booking, then the booker checked in: the release's compare-and-set misses."""
    lab, booking, booker, _village = setting
    clock.freeze(START + timedelta(minutes=15))
    [candidate] = checkin.release_candidates(START + timedelta(minutes=15))
    checkin.check_in(booking, booker)
    assert checkin.release(candidate, START + timedelta(minutes=15)) is False
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).outcome == BookingOutcome.USED


def test_outcomes_through_the_api(setting, client):
    lab, booking, booker, _village = setting
    body = get_json(client, f"/api/v1/bookings/{booking.id}/outcome", booker)
    assert_documented(client, body, "/bookings/{booking_id}/outcome")
    assert body["outcome"] is None and body["check_in"]["enabled"] is True
    assert body["check_in"]["opens"] == "2026-09-03T01:35:00Z"
    response = client.post(f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(booker))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "used" and response.get_json()["checked_in_at"] == "2026-09-03T01:50:00Z"
    again = client.post(f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(booker))
    assert again.status_code == 422 and "booking" in again.get_json()["fields"]


@pytest.mark.parametrize("body, field", [({"outcome": "maybe"}, "outcome"), ({}, "outcome"),
                                         ({"outcome": "used", "note": 5}, "note"),
                                         ({"outcome": "used", "colour": "red"}, "colour")])
def test_bad_outcome_input_is_422_with_field_errors(setting, client, body, field):
    lab, booking, booker, _village = setting
    response = client.post(f"/api/v1/bookings/{booking.id}/outcome", json=body, headers=bearer(booker))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert field in response.get_json().get("fields", {}) or field in response.get_data(as_text=True)


def test_recording_an_outcome_through_the_api(setting, client):
    lab, booking, booker, _village = setting
    response = client.post(f"/api/v1/bookings/{booking.id}/outcome", json={"outcome": "no_show"},
                           headers=bearer(booker))
    assert response.status_code == 200 and response.get_json()["outcome"] == "no_show"


def test_the_phone_check_in_button(setting, login_as):
    lab, booking, booker, _village = setting
    page = login_as(booker)
    response = page.post(f"/bookings/{booking.id}/check-in", data={"next": "/"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).checked_in_at is not None


def test_the_booker_s_feed_shows_the_released_booking_as_cancelled(setting, client):
    from tests.feeds_support import subscribe
    lab, booking, booker, _village = setting
    path = subscribe(booker, "user")
    assert str(_feed_event(client, path, booking)["STATUS"]) == "CONFIRMED"
    clock.freeze(_release_slot(20))
    run_slot(jobs()[RELEASE], _release_slot(20), "scheduler")
    event = _feed_event(client, path, booking)
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def _feed_event(client, path, booking):
    from tests.feeds_support import parse
    return next(e for e in parse(client.get(path).data).walk("VEVENT")
                if str(e["UID"]).startswith(f"booking-{booking.id}@"))


def test_the_booking_page_offers_check_in_only_in_the_window(setting, login_as):
    lab, booking, booker, _village = setting
    page = login_as(booker)
    clock.freeze(START - timedelta(minutes=20))
    assert f"/bookings/{booking.id}/check-in" not in page.get(f"/bookings/{booking.id}").get_data(as_text=True)
    clock.freeze(START - timedelta(minutes=10))
    assert f"/bookings/{booking.id}/check-in" in page.get(f"/bookings/{booking.id}").get_data(as_text=True)


def test_a_late_check_in_from_the_page_is_422_with_the_reason(setting, login_as):
    lab, booking, booker, _village = setting
    clock.freeze(START + timedelta(minutes=16))
    response = login_as(booker).post(f"/bookings/{booking.id}/check-in", data={"next": "/"})
    assert response.status_code == 422 and "签到已在开始后 15 分钟截止。" in response.get_data(as_text=True)


def test_the_owner_school_sets_a_resource_s_check_in_through_the_api(setting, client):
    lab, booking, booker, _village = setting
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    path = f"/api/v1/resources/{lab.id}/check-in"
    body = get_json(client, path, admin)
    assert_documented(client, body, "/resources/{resource_id}/check-in")
    assert body == {"resource_id": lab.id, "enabled": None, "before_minutes": 15, "after_minutes": 15,
                    "effective": True}
    response = client.put(path, json={"enabled": False, "before_minutes": 5, "after_minutes": 30},
                          headers=bearer(admin))
    assert response.status_code == 200 and response.get_json()["effective"] is False
    db.session.expire_all()
    assert (lab.check_in, lab.check_in_before_minutes, lab.check_in_after_minutes) == (False, 5, 30)
    other_admin = factories.user(role=Role.SCHOOL_ADMIN, school=factories.school())
    assert client.put(path, json={"enabled": True, "before_minutes": 5, "after_minutes": 5},
                      headers=bearer(other_admin)).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"enabled": True, "before_minutes": -1, "after_minutes": 15}, "before_minutes"),
    ({"enabled": True, "before_minutes": 15, "after_minutes": 241}, "after_minutes"),
    ({"enabled": "yes", "before_minutes": 15, "after_minutes": 15}, "enabled"),
    ({"enabled": True, "before_minutes": 15}, "after_minutes"),
    ({"enabled": True, "before_minutes": 1.5, "after_minutes": 15}, "before_minutes"),
])
def test_bad_check_in_settings_are_422_with_field_errors(setting, client, body, field):
    lab, *_rest = setting
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    response = client.put(f"/api/v1/resources/{lab.id}/check-in", json=body, headers=bearer(admin))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert field in response.get_data(as_text=True)
    db.session.expire_all()
    assert (lab.check_in, lab.check_in_before_minutes) == (None, 15)
