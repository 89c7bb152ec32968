"""Where the no-double-booking guarantee is enforced: the database transaction around a write.

- SQLite: the checking transaction begins IMMEDIATE, taking the database's write lock
  before it reads, so check-and-insert is atomic across processes. (Python's sqlite3 in
  its default mode starts a transaction only at the first INSERT: two processes can both
  check, both find the slot free and both insert. tests/test_race_sqlite_mode.py shows it.)
- PostgreSQL: the exclusion constraint of migration 0002 refuses overlapping blocking rows;
  equipment (quantities), approval-required resources and visiting teachers are additionally
  serialised per resource with a row lock, because sums, pending requests, a teacher's travel
  gaps and weekly cap are not in the constraint. Every other booking write takes a shared lock on
  the row, so it waits for an edit of the resource (which locks it exclusively) and the other way round.
- Either way the resource is re-read once the lock is held: the rules check against the shape
  (stock, kind, hours, sharing, approval) a concurrent edit has committed, never a stale one.
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
from booking.resources.models import Resource, ResourceKind, resource_for_rules
from booking.texts import lazy_gettext as _l

CONCURRENCY_SQLSTATES = {"23P01", "40P01", "40001"}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def needs_row_lock(resource: Resource) -> bool:
    """What the exclusion constraint cannot guard alone: sums, pending requests, a teacher's day and week."""
    return resource.is_quantity_based or resource.approval_required or resource.kind == ResourceKind.TEACHER


def _lock_row(resource: Resource, shared: bool) -> None:
    db.session.execute(select(Resource.id).where(Resource.id == resource.id).with_for_update(read=shared))


def _lock_and_read(resource: Resource, shared: bool) -> None:
    """Lock ``resource``'s row (PostgreSQL; SQLite ignores the FOR clause) and read it as committed now, with
    what the rules read of it (its hours, its school): ONE statement instead of a lock and lazy re-reads."""
    db.session.execute(
        select(Resource).options(*resource_for_rules()).where(Resource.id == resource.id)
        .with_for_update(read=shared, of=Resource).execution_options(populate_existing=True)
    ).unique().all()


def _held_locks() -> dict[int, bool]:
    """The booking locks the current transaction holds: resource id → exclusive."""
    session = db.session()
    info, transaction = session.info, session.get_transaction()
    if transaction is None:
        return {}
    if info.get("booking_locks_of") is not transaction:
        info["booking_locks_of"], info["booking_locks"] = transaction, {}
    return info["booking_locks"]


def held_booking_lock(resource: Resource) -> bool | None:
    """None when this transaction holds no booking lock on ``resource``; else whether it is exclusive."""
    return _held_locks().get(resource.id)


def begin_booking_write(resource: Resource, edits_resource: bool = False) -> None:
    """Start the transaction that checks and then writes bookings of ``resource`` (and, with
    ``edits_resource``, the resource itself: nobody books it until this transaction ends). The
    transaction is the unit of work's (booking.unit_of_work): the lock is held until it commits."""
    db.session.flush()
    connection = db.session.connection()
    if _dialect() == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Otherwise this transaction has already written, so it already holds the write lock.
        _lock_and_read(resource, shared=False)
        _held_locks()[resource.id] = True
        return
    exclusive = edits_resource or needs_row_lock(resource)
    _lock_and_read(resource, shared=not exclusive)
    if not exclusive and needs_row_lock(resource):  # an edit committed meanwhile made it need the row lock
        _lock_row(resource, shared=False)
        exclusive = True
    _held_locks()[resource.id] = exclusive or bool(held_booking_lock(resource))


def is_concurrency_conflict(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in CONCURRENCY_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


def concurrent_refusal() -> Refusal:
    return Refusal(Kind.RESOURCE_OVERLAP,
                   _l("Someone else booked this time at the same moment. Check the calendar and try again."))


@contextmanager
def _checked_write(begin):
    """Lock, check and write inside; the writes are flushed here (where PostgreSQL's exclusion constraint
    has its say) and committed by the unit of work's boundary, which holds the lock until then."""
    try:
        begin()
        yield
        db.session.flush()
    except DBAPIError as error:
        db.session.rollback()
        if is_concurrency_conflict(error):
            raise BookingRefused([concurrent_refusal()]) from error
        raise
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def booking_write(resource: Resource):
    """Check and write inside; on any failure the whole transaction is rolled back, nothing is kept.

    Raises BookingRefused when the database refused the write for concurrency.
    """
    with _checked_write(lambda: begin_booking_write(resource)):
        yield


@contextmanager
def resource_edit_write(resource: Resource):
    """``booking_write`` for a change of the resource itself and of the bookings it breaks: holds
    every booking of ``resource`` off until it commits or rolls back."""
    with _checked_write(lambda: begin_booking_write(resource, edits_resource=True)):
        yield
