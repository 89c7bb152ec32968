"""Two visit requests for one teacher, each travel-feasible alone but not together, checked at the same
moment: only one wins, on both databases. The exclusion constraint cannot see travel gaps, so the
booking transaction serialises per teacher (PostgreSQL: a row lock on the teacher's resource;
SQLite: BEGIN IMMEDIATE); without it both would be booked."""
from __future__ import annotations

from functools import partial

import pytest

from booking.accounts.models import User
from booking.bookings import guarantee
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.teachers.visits import request_visit
from tests.test_race_guarantee import race
from tests.teacher_support import auto_confirm
from tests.test_visit_requests import visit


def _race(app, requests: list[tuple[int, int]], resource_id: int, hold: float) -> list[str]:
    """Each (user id, period) requests the teacher from its own thread, the checks held together."""

    def request(user_id: int, period: int) -> None:
        data = visit(period)
        data.resource_id = resource_id
        request_visit(db.session.get(User, user_id), data)

    return race(app, [partial(request, user_id, period) for user_id, period in requests], hold)


def _confirmed(resource_id: int) -> int:
    db.session.expire_all()
    return db.session.query(Booking).filter_by(resource_id=resource_id, status=BookingStatus.CONFIRMED).count()


@pytest.fixture
def contenders(district):
    auto_confirm(district.lead.district_id)
    # 第2节 at 王庄 and 第3节 at 石门: 20 minutes between them, the trip takes 40.
    return [(district.teacher_a.id, 2), (district.teacher_b.id, 3)], district.zhang.resource_id


def test_only_one_of_two_requests_that_do_not_fit_together_wins(app, contenders):
    requests, resource_id = contenders
    assert sorted(_race(app, requests, resource_id, hold=0.5)) == ["booked", "travel_time"]
    assert _confirmed(resource_id) == 1


def test_without_serialising_per_teacher_both_would_win(app, contenders, backend, monkeypatch):
    """The reason for the lock: the database's own constraint sees overlaps, not travel gaps."""
    if backend == "sqlite":
        monkeypatch.setattr(guarantee, "begin_booking_write", lambda resource: None)  # pysqlite's default mode
    else:
        monkeypatch.setattr(guarantee, "needs_row_lock", lambda resource: False)
    requests, resource_id = contenders
    assert _race(app, requests, resource_id, hold=5) == ["booked", "booked"]
    assert _confirmed(resource_id) == 2
