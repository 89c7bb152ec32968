"""The term-quota guarantee under concurrency: racing requests never together push a school over its quota.

- In-process and deterministic: each booker's count is held at a barrier until every other booker has
  counted too (or for half a second, when the database makes the others wait). With the quota's lock
  (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock per quota and school) the second booker cannot count
  before the first committed; without it every booker counts the same free hours and all of them book.
- Through the real HTTP stack: 60 simultaneous requests (gunicorn, 8 worker processes), each an hour on its
  own slot, from 60 teachers of one school, against a quota of 10 hours: exactly 10 are booked.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, time, timedelta
from functools import partial

import pytest

from booking.accounts.models import User
from booking.accounts.services import issue_token
from booking.bookings import guarantee, services
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.i18n import district_zone
from booking.quotas import services as quotas
from booking.quotas import settings as quota_settings
from booking.resources.models import Resource
from tests import factories
from tests.booking_support import freeze, local, run_at_once, single
from tests.gunicorn_server import fire_together, gunicorn_server, post_json

CLIENTS = 60
QUOTA_HOURS = 10


def _quota(lab, hours: int) -> None:
    quota_settings.set_quota(None, lab.owner_school.district_id, {"hours": hours}, resource_id=lab.id)
    db.session.commit()


def _race_counts(app, teacher_ids, resource_id, hold: float) -> list:
    """Each teacher books their own hour; every count is held at a barrier. "booked" or the refusal's kind each."""
    barrier = threading.Barrier(len(teacher_ids))
    real_states = quotas.quota_states

    def count_then_wait(*args, **kw):
        states = real_states(*args, **kw)
        try:
            barrier.wait(timeout=hold)
        except threading.BrokenBarrierError:
            pass  # the others wait for the lock: go on alone
        return states

    def book(index: int, teacher_id: int) -> None:
        start = local(9, 3 + index, 10)
        services.create_booking(db.session.get(User, teacher_id), single(
            db.session.get(Resource, resource_id), start=start, end=start + timedelta(hours=1)))

    quotas.quota_states = count_then_wait
    try:
        return run_at_once(app, [partial(book, i, t) for i, t in enumerate(teacher_ids)])
    finally:
        quotas.quota_states = real_states


@pytest.fixture
def contenders(app):
    freeze()
    factories.term()
    school = factories.school()
    lab = factories.resource(hours=False)
    _quota(lab, 2)
    return [factories.user(school=school).id for _ in range(4)], lab.id


def _kept_minutes(resource_id: int) -> int:
    db.session.expire_all()
    rows = db.session.query(Booking).filter_by(resource_id=resource_id, status=BookingStatus.CONFIRMED).all()
    return sum(int((b.ends_at - b.starts_at).total_seconds() // 60) for b in rows)


def test_racing_counts_never_go_over_the_quota(app, contenders):
    teacher_ids, resource_id = contenders
    outcomes = _race_counts(app, teacher_ids, resource_id, hold=0.5)
    assert Counter(outcomes) == {"booked": 2, "quota": 2}
    assert _kept_minutes(resource_id) == 2 * 60


def test_without_the_quota_lock_postgresql_lets_every_racer_through(app, contenders, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    monkeypatch.setattr(quotas, "lock_quotas", lambda resource, school_id, *quotas: None)
    teacher_ids, resource_id = contenders
    assert _race_counts(app, teacher_ids, resource_id, hold=5) == ["booked"] * 4
    assert _kept_minutes(resource_id) == 4 * 60  # why the lock is there


def test_without_begin_immediate_sqlite_lets_every_racer_through(app, contenders, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("about SQLite's transaction mode")
    monkeypatch.setattr(guarantee, "begin_booking_write", lambda resource: None)
    teacher_ids, resource_id = contenders
    assert _race_counts(app, teacher_ids, resource_id, hold=5) == ["booked"] * 4
    assert _kept_minutes(resource_id) == 4 * 60


# --- through gunicorn -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(database_url):
    with gunicorn_server(database_url, workers=8) as base_url:
        yield base_url


def test_a_quota_refusal_holds_under_60_racing_requests(app, server):
    today = datetime.now(district_zone()).date()  # the server's clock is the real one
    factories.term(start_date=today, end_date=today + timedelta(days=120))
    school = factories.school()
    lab = factories.resource(hours=False)
    _quota(lab, QUOTA_HOURS)
    tokens = [issue_token(factories.user(school=school), "race")[1] for _ in range(CLIENTS)]
    db.session.commit()
    zone = district_zone()
    first = datetime.combine(today + timedelta(days=10), time(8), tzinfo=zone)
    bodies = [{"resource_id": lab.id, "title": f"竞速 {i}", "start": (first + timedelta(hours=i)).isoformat(),
               "end": (first + timedelta(hours=i + 1)).isoformat()} for i in range(CLIENTS)]
    url = f"{server}/api/v1/bookings"
    results = fire_together([partial(post_json, url, body, token) for body, token in zip(bodies, tokens)])
    assert Counter(status for status, _ in results) == {201: QUOTA_HOURS, 409: CLIENTS - QUOTA_HOURS}, results
    assert {body["conflicts"][0]["kind"] for status, body in results if status == 409} == {"quota"}
    assert _kept_minutes(lab.id) == QUOTA_HOURS * 60
