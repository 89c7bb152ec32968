"""What every change of the line shares: the resource's lock, an entry read as a booking request, closing
an entry, the time an entry's offer holds, and which of the entries' schools are weak.

``lock_line`` is always called through this module (``line.lock_line``), so a test can hold every change
of the line at one place.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from booking.bookings.guarantee import begin_booking_write
from booking.bookings.planning import BookingInput, Plan, check_plan
from booking.bookings.rules import Refusal
from booking.bookings.services import Created
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School
from booking.waitlist.models import EntryStatus, WaitlistEntry
from booking.waitlist.ordering import Span


def lock_line(resource: Resource) -> None:
    """The resource's exclusive lock, held until the unit of work commits; then the line is read afresh."""
    begin_booking_write(resource, edits_resource=True)


def booking_input(entry_or_data, start: datetime | None = None, end: datetime | None = None) -> BookingInput:
    e = entry_or_data
    return BookingInput(resource_id=e.resource_id, title=e.title, class_name=e.class_name, students=e.students,
                        quantity=e.quantity, school_id=e.school_id, start=start or e.starts_at, end=end or e.ends_at)


def refusals(plan: Plan) -> list[Refusal]:
    preview = check_plan(plan)
    return [] if preview.bookable else preview.refusals()


def kinds(found: list[Refusal]) -> frozenset[str]:
    return frozenset(r.kind.value for r in found)


def close(entry: WaitlistEntry, status: EntryStatus, now: datetime) -> None:
    entry.status, entry.closed_at = status, now


def booked(entry: WaitlistEntry, created: Created, now: datetime) -> None:
    entry.booking_id = created.bookings[0].id
    close(entry, EntryStatus.BOOKED, now)
    db.session.flush()


def offer_span(entry: WaitlistEntry) -> Span:
    return Span(entry.offer_starts_at or entry.starts_at, entry.offer_ends_at or entry.ends_at)


def weak_school_ids(entries: list[WaitlistEntry]) -> set[int]:
    ids = {e.school_id for e in entries}
    return set(db.session.scalars(select(School.id).where(School.id.in_(ids), School.is_weak.is_(True)))) if ids else set()
