"""The no-double-booking guarantee, in-process and deterministic: two bookers check at the same moment.

The check of each booker is held at a barrier until the other has checked too (or for half a
second, when the database makes the other wait). Then both try to write.
- SQLite with BEGIN IMMEDIATE: the second booker cannot even start checking until the first
  committed, so it sees the first booking and is refused.
- SQLite in Python's default transaction mode (no BEGIN IMMEDIATE): both check, both find
  the slot free, both insert: a double booking. This is why the services begin IMMEDIATE.
- PostgreSQL: both check and both insert; the exclusion constraint refuses the second row
  (23P01), which reaches the booker as a clean resource_overlap refusal.
"""
from __future__ import annotations

import threading
import time as clock_time
from functools import partial

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from booking.accounts.models import User
from booking.bookings import guarantee, services
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.resources.models import Resource
from tests import factories
from tests.booking_support import freeze, period3, run_at_once, single


def _race(app, teacher_ids, resource_id, hold: float = 0.5) -> list:
    """Two bookings of the same slot from two threads whose checks overlap; their outcomes."""

    def book(teacher_id: int) -> None:
        teacher = db.session.get(User, teacher_id)
        services.create_booking(teacher, single(db.session.get(Resource, resource_id)))

    return race(app, [partial(book, teacher_id) for teacher_id in teacher_ids], hold)


def race(app, bookings, hold: float = 0.5) -> list:
    """Run each of ``bookings`` (a function that books) in its own thread, their checks held at a
    barrier until all have checked (or ``hold`` seconds); "booked" or the first refusal's kind each."""
    barrier = threading.Barrier(len(bookings))
    real_check = services.check_plan

    def check_then_wait(plan, *args, **kw):
        preview = real_check(plan, *args, **kw)
        try:
            barrier.wait(timeout=hold)
        except threading.BrokenBarrierError:
            pass  # the other booker is held by the database: go on alone
        return preview

    services.check_plan = check_then_wait
    try:
        return run_at_once(app, bookings)
    finally:
        services.check_plan = real_check


@pytest.fixture
def contenders(app):
    freeze()
    lab = factories.resource()
    return [factories.user().id, factories.user().id], lab.id


def _confirmed_count(resource_id: int) -> int:
    db.session.expire_all()
    return db.session.query(Booking).filter_by(resource_id=resource_id, status=BookingStatus.CONFIRMED).count()


def test_overlapping_checks_still_book_the_slot_once(app, contenders):
    teacher_ids, resource_id = contenders
    outcomes = _race(app, teacher_ids, resource_id)
    assert sorted(outcomes) == ["booked", "resource_overlap"]
    assert _confirmed_count(resource_id) == 1


def test_sqlite_default_transactions_double_book(app, contenders, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("about SQLite's transaction mode")
    monkeypatch.setattr(guarantee, "begin_booking_write", lambda resource: None)  # pysqlite's default behaviour
    teacher_ids, resource_id = contenders
    assert _race(app, teacher_ids, resource_id, hold=5) == ["booked", "booked"]
    assert _confirmed_count(resource_id) == 2


def test_the_exclusion_constraint_refuses_what_the_check_missed(app, contenders, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    teacher_ids, resource_id = contenders
    # Without a lock the two checks overlap fully: only the constraint stands between them.
    assert sorted(_race(app, teacher_ids, resource_id, hold=5)) == ["booked", "resource_overlap"]
    assert _confirmed_count(resource_id) == 1
    with pytest.raises(DBAPIError) as caught:  # and raw SQL cannot get past it either
        db.session.execute(text(
            "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity,"
            " title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at, sequence)"
            " SELECT resource_id, booked_by_id, school_id, starts_at + interval '10 minutes', ends_at, 'confirmed',"
            " true, 1, 'x', '', false, '', '', now(), now(), 0 FROM bookings LIMIT 1"))
    db.session.rollback()
    assert caught.value.orig.sqlstate == "23P01"


def _insert_blocking_row(conn, resource_id: int, user_id: int, school_id: int, start, end) -> None:
    conn.execute(
        "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity,"
        " title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at, sequence)"
        " VALUES (%s, %s, %s, %s, %s, 'confirmed', true, 1, 'other', '', false, '', '', now(), now(), 0)",
        (resource_id, user_id, school_id, start.replace(tzinfo=None), end.replace(tzinfo=None)))


def _wait_for_lock_wait(conn, other_pid: int) -> None:
    for _ in range(200):
        waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> %s",
                               (other_pid,)).fetchone()[0]
        if waiting:
            return
        clock_time.sleep(0.02)
    raise AssertionError("the booking never waited for the other transaction")


def test_a_deadlock_becomes_a_clean_refusal(app, contenders, backend, database_url):
    """A series and another writer take each other's dates in opposite order: PostgreSQL aborts one."""
    if backend != "postgresql":
        pytest.skip("deadlocks are PostgreSQL's")
    (teacher_id, other_id), resource_id = contenders
    teacher, other = db.session.get(User, teacher_id), db.session.get(User, other_id)
    week1, week2 = period3(9, 3), period3(9, 10)
    db.session.execute(text("SET deadlock_timeout = '300ms'"))  # this session notices the deadlock first
    db.session.commit()
    plain_url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url) as writer, psycopg.connect(plain_url, autocommit=True) as watcher:
        writer.execute("SET deadlock_timeout = '5s'")
        _insert_blocking_row(writer, resource_id, other.id, other.school_id, *week2)  # uncommitted

        def take_week1_after_the_series_waits() -> None:
            _wait_for_lock_wait(watcher, writer.info.backend_pid)
            _insert_blocking_row(writer, resource_id, other.id, other.school_id, *week1)
            writer.rollback()

        thread = threading.Thread(target=take_week1_after_the_series_waits)
        thread.start()
        resource = db.session.get(Resource, resource_id)
        with pytest.raises(BookingRefused) as refused:
            services.create_booking(teacher, single(resource, rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=2"))
        thread.join()
    assert refused.value.refusals[0].kind == "resource_overlap"
    assert refused.value.__cause__.orig.sqlstate == "40P01"
    assert _confirmed_count(resource_id) == 0
