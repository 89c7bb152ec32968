"""A teacher cancels a request while an admin approves or rejects it (issue 10, item 2).

Both requests read the booking, then are held at a barrier until both have decided in memory,
then both write. Before every UPDATE of a booking became a compare-and-set on its version
(``bookings.sequence``), the cancel answered 200 and the booking ended confirmed or rejected (on
SQLite some answered 500: a cancelled row still blocking). Now, whatever the order the database
lets them in: no 5xx, a cancel that answered 200 left the booking cancelled, and a decision that
answered 200 while the cancel lost left it decided; the loser hears 409 (changed meanwhile) or
422 (no longer waiting for an answer).
"""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from booking.accounts.models import Role
from booking.bookings import approvals, services
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import BookingInput
from booking.extensions import db
from tests import factories
from tests.api_support import bearer
from tests.booking_support import freeze, local
from tests.race_support import in_threads

ROUNDS = 80
FINAL_STATUS = {"approve": BookingStatus.CONFIRMED, "reject": BookingStatus.REJECTED}


def slots(count: int):
    """``count`` distinct one-hour slots on weekdays from Thursday 3 September 2026."""
    day, found = date(2026, 9, 3), []
    while len(found) < count:
        if day.weekday() < 5:
            found += [(local(day.month, day.day, hour), local(day.month, day.day, hour + 1)) for hour in range(8, 16)]
        day += timedelta(days=1)
    return found[:count]


@pytest.fixture
def hold_writes(monkeypatch):
    """Call it to hold both requests after they decided in memory and before they write (the audit entry is
    their last step before the commit), so each round really interleaves."""
    barrier = threading.Barrier(2)

    def held(real):
        def record(*args, **kwargs):
            try:
                barrier.wait(timeout=0.3)
            except threading.BrokenBarrierError:
                barrier.reset()  # the other request is held by the database: go on alone
            return real(*args, **kwargs)
        return record

    def hold():
        monkeypatch.setattr(services, "record", held(services.record))
        monkeypatch.setattr(approvals, "record", held(approvals.record))

    return hold


def _run_together(app, calls) -> list[int]:
    statuses = [0] * len(calls)

    def run(index):
        with app.app_context():
            try:
                statuses[index] = calls[index](app.test_client()).status_code
            finally:
                db.session.remove()

    in_threads(run, len(calls))
    return statuses


@pytest.mark.slow
def test_a_cancellation_racing_an_approval_or_rejection_is_never_lost(app, hold_writes):
    freeze()
    owner = factories.school(name="领头小学")
    gym = factories.resource(owner_school=owner, name="体育馆", approval_required=True)
    teacher = factories.user(school=factories.school(name="村小"))
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=owner)
    teacher_headers, admin_headers = bearer(teacher), bearer(admin)
    ids = [services.create_booking(teacher, BookingInput(resource_id=gym.id, title="篮球", class_name="五年级",
                                                         students=30, start=start, end=end)).bookings[0].id
           for start, end in slots(ROUNDS)]
    db.session.commit()  # as the teacher's own requests would have
    hold_writes()

    seen = []
    for round_number, booking_id in enumerate(ids):
        answer = "approve" if round_number % 2 == 0 else "reject"
        cancel_status, answer_status = _run_together(app, [
            lambda client, booking_id=booking_id: client.delete(f"/api/v1/bookings/{booking_id}",
                                                                headers=teacher_headers),
            lambda client, booking_id=booking_id, answer=answer: client.post(
                f"/api/v1/bookings/{booking_id}/{answer}", headers=admin_headers, json={"reason": "场地已满"}),
        ])
        db.session.expire_all()
        final = db.session.get(Booking, booking_id).status
        seen.append((answer, cancel_status, answer_status, final))
        assert cancel_status in (200, 409, 422) and answer_status in (200, 409, 422), seen[-1]
        assert 200 in (cancel_status, answer_status), seen[-1]
        if cancel_status == 200:
            assert final == BookingStatus.CANCELLED, seen[-1]
        else:
            assert final == FINAL_STATUS[answer], seen[-1]
        if answer_status == 200 and cancel_status != 200:
            assert final == FINAL_STATUS[answer], seen[-1]
    # The rounds really raced: some losers were refused by the compare-and-set itself.
    assert any(409 in (c, a) for _, c, a, _ in seen), seen


def test_a_change_read_before_someone_elses_write_saves_nothing_and_answers_409(app, client, login_as):
    """The compare-and-set itself, without threads: the row changed between this request's read and its write."""
    freeze()
    gym = factories.resource(name="体育馆", approval_required=True)
    teacher = factories.user()
    start, end = slots(1)[0]
    booking = services.create_booking(teacher, BookingInput(resource_id=gym.id, title="篮球", class_name="五年级",
                                                            students=30, start=start, end=end)).bookings[0]
    db.session.commit()
    real_record = services.record

    def approved_meanwhile(*args, **kwargs):  # another transaction approves it while this one decided to cancel
        with db.engine.begin() as other:
            other.execute(Booking.__table__.update().where(Booking.__table__.c.id == booking.id)
                          .values(status="confirmed", blocks=True, sequence=Booking.__table__.c.sequence + 1))
        return real_record(*args, **kwargs)

    services.record = approved_meanwhile
    try:
        login_as(teacher)
        response = client.post(f"/bookings/{booking.id}/cancel",
                               data={"scope": "occurrence", "reason": "", "confirmed": "1"})
    finally:
        services.record = real_record
    assert response.status_code == 409 and "有人同时修改了" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED  # the approval stands
