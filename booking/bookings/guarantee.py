"""Where the no-double-booking guarantee is enforced: the database transaction around a write.

- SQLite: the checking transaction begins IMMEDIATE, taking the database's write lock
  before it reads, so check-and-insert is atomic across processes. (Python's sqlite3 in
  its default mode starts a transaction only at the first INSERT: two processes can both
  check, both find the slot free and both insert. tests/test_race_sqlite_mode.py shows it.)
- PostgreSQL: the exclusion constraint of migration 0002 refuses overlapping blocking rows. Every
  booking write takes a shared lock on the resource's row, so it waits for an edit of the resource
  (which locks the row exclusively) and the other way round. Equipment (quantities), approval-required
  resources and visiting teachers are additionally serialised per resource, because sums, pending
  requests, a teacher's travel gaps and weekly cap are not in the constraint: by a transaction-level
  advisory lock on the resource, taken after the shared row lock (never an upgrade of it, so two such
  bookings wait for each other instead of deadlocking).
- Either way the resource is read in the statement that locks it (or, on SQLite, after BEGIN IMMEDIATE):
  the rules check against the shape (stock, kind, hours, sharing, approval) a concurrent edit has
  committed, never a stale one. A new booking locks before it reads anything else, so the resource is
  read once (``begin_booking_write`` with the resource's id); a transaction that holds the lock already
  takes and reads nothing again.
- Whatever the database refuses for concurrency (exclusion 23P01, deadlock 40P01,
  serialization 40001, SQLite's lock timeout) becomes a clean ``resource_overlap`` refusal.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.util import identity_key

from booking.bookings.errors import BookingRefused
from booking.bookings.rules import Kind, Refusal
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind, resource_for_rules
from booking.schools.models import School
from booking.texts import lazy_gettext as _l

CONCURRENCY_SQLSTATES = {"23P01", "40P01", "40001"}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def needs_row_lock(resource: Resource) -> bool:
    """What the exclusion constraint cannot guard alone: sums, pending requests, a teacher's day and week
    (their bookings are serialised per resource)."""
    return resource.is_quantity_based or resource.approval_required or resource.kind == ResourceKind.TEACHER


# The locks a transaction holds on a resource (``_held_locks``): its row shared, shared with the advisory lock
# that serialises the bookings the constraint cannot guard alone, or its row exclusively (an edit of it).
SHARED, SERIAL, EXCLUSIVE = "shared", "serial", "exclusive"
# The advisory locks' key space of resources: (RESOURCE_LOCKS, id) in the two-key form, apart from the quotas'.
RESOURCE_LOCKS = -1


def _lock_and_read(resource_id: int, shared: bool) -> Resource | None:
    """Lock the resource's row (PostgreSQL; SQLite ignores the FOR clause) and read it as committed now, with
    what the rules read of it (its hours, its school): ONE statement instead of a lock and lazy re-reads.

    The school is not the lock's to refresh (an edit of a school takes no resource lock): when the session
    holds it already, it is kept as read, with what the request has read of it (the booking form, its bells)."""
    read = db.session.identity_map.get(identity_key(Resource, resource_id))
    school = db.session.identity_map.get(identity_key(School, read.owner_school_id)) if read is not None else None
    row = db.session.execute(
        select(Resource).options(*resource_for_rules(school=school is None)).where(Resource.id == resource_id)
        .with_for_update(read=shared, of=Resource).execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()
    if row is not None and school is not None:
        row.owner_school  # noqa: B018  (tied again to the school the session holds, while ``school`` keeps it there)
    return row


def _serialise(resource_id: int) -> None:
    db.session.execute(select(func.pg_advisory_xact_lock(RESOURCE_LOCKS, resource_id)))


def _held_locks() -> dict[int, str]:
    """The booking locks the current transaction holds: resource id → SHARED, SERIAL or EXCLUSIVE."""
    session = db.session()
    info, transaction = session.info, session.get_transaction()
    if transaction is None:
        return {}
    if info.get("booking_locks_of") is not transaction:
        info["booking_locks_of"], info["booking_locks"] = transaction, {}
    return info["booking_locks"]


def held_booking_lock(resource: Resource) -> bool | None:
    """None when this transaction holds no booking lock on ``resource``; else whether it holds its row exclusively."""
    held = _held_locks().get(resource.id)
    return None if held is None else held == EXCLUSIVE


def begin_booking_write(resource: Resource | int | None, edits_resource: bool = False) -> Resource | None:
    """Start the transaction that checks and then writes bookings of ``resource`` (and, with
    ``edits_resource``, the resource itself: nobody books it until this transaction ends). The
    transaction is the unit of work's (booking.unit_of_work): the lock is held until it commits.

    ``resource`` may be the id of a resource not read yet: it is read as it is locked, and returned (keep it:
    the session holds it for the rest of the transaction only while someone does); None when nothing was
    read: no resource has the id (nothing is locked), or this transaction holds the lock already."""
    if resource is None:
        return None  # no resource asked for: nothing to lock (the plan refuses the request)
    resource_id = resource if isinstance(resource, int) else resource.id
    db.session.flush()
    connection = db.session.connection()
    locks = _held_locks()
    held = locks.get(resource_id)
    if held == EXCLUSIVE or (held is not None and not edits_resource):
        return None  # read under this very lock already
    if _dialect() == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Otherwise this transaction has already written, so it already holds the write lock.
        edits_resource = True
    row = _lock_and_read(resource_id, shared=not edits_resource)
    if row is not None:
        locks[resource_id] = EXCLUSIVE if edits_resource else SHARED
        if not edits_resource and needs_row_lock(row):
            _serialise(resource_id)
            locks[resource_id] = SERIAL
    return row


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
        yield begin()
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
def booking_write(resource: Resource | int | None):
    """Check and write inside; on any failure the whole transaction is rolled back, nothing is kept. Gives the
    resource as read under the lock when it had not been read in the transaction (``begin_booking_write``).

    Raises BookingRefused when the database refused the write for concurrency.
    """
    with _checked_write(lambda: begin_booking_write(resource)) as read:
        yield read


@contextmanager
def resource_edit_write(resource: Resource):
    """``booking_write`` for a change of the resource itself and of the bookings it breaks: holds
    every booking of ``resource`` off until it commits or rolls back."""
    with _checked_write(lambda: begin_booking_write(resource, edits_resource=True)):
        yield
