"""Where the no-double-booking guarantee is enforced: the database transaction around a write.

- SQLite: the checking transaction begins IMMEDIATE, taking the database's write lock
  before it reads, so check-and-insert is atomic across processes. (Python's sqlite3 in
  its default mode starts a transaction only at the first INSERT: two processes can both
  check, both find the slot free and both insert. tests/test_race_sqlite_mode.py shows it.)
- PostgreSQL: the exclusion constraint of migration 0002 refuses overlapping blocking rows;
  equipment (quantities), approval-required resources and visiting teachers are additionally
  serialised per resource with a row lock, because sums, pending requests, a teacher's travel
  gaps and weekly cap are not in the constraint.
- Whatever the database refuses for concurrency (exclusion 23P01, deadlock 40P01,
  serialization 40001, SQLite's lock timeout) becomes a clean ``resource_overlap`` refusal.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from booking.bookings.errors import BookingRefused
from booking.bookings.rules import Kind, Refusal
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind
from booking.texts import lazy_gettext as _l

CONCURRENCY_SQLSTATES = {"23P01", "40P01", "40001"}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def needs_row_lock(resource: Resource) -> bool:
    """What the exclusion constraint cannot guard alone: sums, pending requests, a teacher's day and week."""
    return resource.is_quantity_based or resource.approval_required or resource.kind == ResourceKind.TEACHER


def begin_booking_write(resource: Resource) -> None:
    """Start the transaction that checks and then writes bookings of ``resource``."""
    db.session.flush()
    connection = db.session.connection()
    if _dialect() == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Otherwise this transaction has already written, so it already holds the write lock.
        return
    if needs_row_lock(resource):
        db.session.execute(select(Resource.id).where(Resource.id == resource.id).with_for_update())


def is_concurrency_conflict(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in CONCURRENCY_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


def concurrent_refusal() -> Refusal:
    return Refusal(Kind.RESOURCE_OVERLAP,
                   _l("Someone else booked this time at the same moment. Check the calendar and try again."))


@contextmanager
def booking_write(resource: Resource):
    """Check and write inside: commits on success; on any failure nothing is kept.

    Raises BookingRefused when the database refused the write for concurrency.
    """
    try:
        begin_booking_write(resource)
        yield
        db.session.commit()
    except DBAPIError as error:
        db.session.rollback()
        if is_concurrency_conflict(error):
            raise BookingRefused([concurrent_refusal()]) from error
        raise
    except BaseException:
        db.session.rollback()
        raise
