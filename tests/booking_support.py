"""Shared set-up for the booking tests: a frozen clock, local times, and statement counting."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from booking import clock
from booking.bookings.models import Booking
from booking.bookings.planning import BookingInput
from booking.bookings.services import create_booking
from booking.extensions import db
from tests import factories

ZONE = ZoneInfo("Asia/Shanghai")
# Tuesday 1 September 2026, 07:00 in the district: the first day of term.
NOW = datetime(2026, 9, 1, 7, 0, tzinfo=ZONE)


def freeze() -> None:
    clock.freeze(NOW)


# Fixtures for the booking test modules (import them by name into a module to use them).
@pytest.fixture
def teacher(app):
    """A teacher of a school of their own, with the clock frozen at NOW."""
    freeze()
    return factories.user()


@pytest.fixture
def lab(teacher):
    """A shared physics lab at another school, open weekdays 08:00–17:00."""
    return factories.resource(name="物理实验室")


@pytest.fixture
@factories.batched
def day_of_twenty(app):
    """20 bookings on Thursday 3 September: four rooms of one school, five lessons each."""
    freeze()
    school = factories.school(name="王庄小学")
    rooms = [factories.resource(owner_school=school, name=f"教室{n}") for n in range(4)]
    booked = []
    for room in rooms:
        for hour in (8, 9, 10, 13, 14):
            teacher = factories.user()
            booked += create_booking(teacher, single(room, start=local(9, 3, hour), end=local(9, 3, hour, 40))).bookings
    db.session.commit()
    return school, sorted(booked, key=lambda b: (b.starts_at, b.id))  # as the hit lists show them


def statuses(bookings) -> set:
    """The statuses of ``bookings`` as the database has them now."""
    db.session.expire_all()
    return {db.session.get(Booking, b.id).status for b in bookings}


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """An aware UTC instant from district wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


def period3(month: int, day: int) -> tuple[datetime, datetime]:
    """第3节 of the factories' default bell schedule: 09:50–10:30."""
    return local(month, day, 9, 50), local(month, day, 10, 30)


def single(resource, month=9, day=3, **kw) -> BookingInput:
    start, end = period3(month, day)
    values = dict(resource_id=resource.id, title="科学实验", class_name="三年级2班", students=30, start=start, end=end)
    values.update(kw)
    return BookingInput(**values)


@contextmanager
def count_statements():
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]


@contextmanager
def announcements(signals, shape):
    """Every announcement of ``signals`` (booking.events) while inside, as ``shape(name, actor, bookings,
    details)`` makes it."""
    log, receivers = [], []
    for signal in signals:
        def receiver(actor, bookings, _name=signal.name, **details):
            log.append(shape(_name, actor, bookings, details))
        signal.connect(receiver)
        receivers.append((signal, receiver))
    try:
        yield log
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


def run_at_once(app, attempts) -> list:
    """Run each attempt (a function that books) in its own thread and app context, committing as a request
    would: "booked", or the kind of its first refusal, for each."""
    from tests.race_support import committed_or_refused, in_threads

    outcomes: list = [None] * len(attempts)

    def run(index: int) -> None:
        outcomes[index] = committed_or_refused(app, attempts[index])

    in_threads(run, len(attempts))
    return outcomes
