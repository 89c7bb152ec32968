"""A teacher's places in line: joining, leaving, accepting an offer, and reading the line.

The functions the pages and the API call (each flushes; the caller commits):

- ``join_waitlist(actor, BookingInput) -> WaitlistEntry``: a place in line for a time that others hold.
  Raises ValidationFailed (bad input; the time is free: book it; a series), BookingRefused (refused for
  other reasons than the time being held: waiting would not help).
- ``leave_waitlist(actor, entry)``: out of the line; an offer they held passes to the next in line.
- ``accept_offer(actor, entry) -> Created``: books the offered time through ``create_booking``.
- ``my_entries``, ``open_offers``, ``position``, ``visible_entry``: what the pages show.

Serving the line when a slot frees is ``serving``; the scheduler's job is ``jobs``.

Every change of the line happens under the resource's exclusive lock (``line.lock_line``:
``begin_booking_write`` with ``edits_resource``: SQLite's write lock, PostgreSQL's row lock FOR UPDATE), the
same lock every booking of the resource waits for. So two slots freeing at once, an offer lapsing and a
teacher joining or leaving are served one after the other, each seeing what the other committed; and a
booking made for the first in line is checked by every booking rule, as the waiting teacher, before it is made.
"""
from __future__ import annotations

from sqlalchemy import select

from booking import events
from booking.audit.services import record
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking
from booking.bookings.planning import BookingInput, plan_booking
from booking.bookings.services import Created, create_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import can_change_waitlist_entry, can_see_resource, visible_waitlist_clause
from booking.resources.models import ResourceKind
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed
from booking.waitlist import line, ordering
from booking.waitlist.models import ACTIVE_ENTRY_STATUSES, EntryStatus, WaitlistEntry
from booking.waitlist.ordering import Span
from booking.waitlist.serving import serve


def join_waitlist(actor, data: BookingInput) -> WaitlistEntry:
    """Wait for ``data``'s time (one date). Checked under the lock: it must be held by others, and only that."""
    if data.rrule:
        raise ValidationFailed({"recurrence": _l("You can wait for one date at a time, not for a repeating booking.")})
    plan = plan_booking(actor, data)  # ValidationFailed names every bad field
    if plan.resource.kind == ResourceKind.TEACHER:
        raise ValidationFailed({"resource_id": _l("A visiting teacher's lesson cannot be waited for: ask for another "
                                                  "time.")})
    line.lock_line(plan.resource)
    refusals = line.refusals(plan)
    if not refusals:
        raise ValidationFailed({"start": _l("This time is free: book it instead of waiting.")})
    if not ordering.may_join(line.kinds(refusals)):
        raise BookingRefused([r for r in refusals if r.kind.value not in ordering.HELD])
    holders = {r.booking_id for r in refusals if r.booking_id is not None}
    if holders and not db.session.scalar(select(Booking.id).where(Booking.id.in_(holders),
                                                                  Booking.booked_by_id != actor.id).limit(1)):
        raise ValidationFailed({"start": _l("You hold this time yourself.")})
    wish = plan.occurrences[0]
    already = db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.resource_id == plan.resource.id, WaitlistEntry.user_id == actor.id,
        WaitlistEntry.starts_at == wish.start, WaitlistEntry.ends_at == wish.end,
        WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES)))
    if already is not None:
        raise ValidationFailed({"start": _l("You are already waiting for this time.")})
    entry = WaitlistEntry(resource_id=plan.resource.id, user_id=actor.id, school_id=plan.request.school_id,
                          starts_at=wish.start, ends_at=wish.end, title=data.title.strip(),
                          class_name=(data.class_name or "").strip(), students=data.students, quantity=data.quantity,
                          status=EntryStatus.WAITING)
    db.session.add(entry)
    db.session.flush()
    record(actor, "waitlist.join", entry, {"resource_id": entry.resource_id, "start": wish.start.isoformat()})
    return entry


def _require_active(actor, entry: WaitlistEntry) -> None:
    if not can_change_waitlist_entry(actor, entry):
        raise NotAllowed()
    if not entry.is_active:
        raise ValidationFailed({"entry": _l("This place in the waitlist is no longer active.")})


def leave_waitlist(actor, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave the line. An offer the entry held goes to the next in line, under the same lock."""
    if not can_change_waitlist_entry(actor, entry):
        raise NotAllowed()
    line.lock_line(entry.resource)
    db.session.refresh(entry)
    _require_active(actor, entry)
    held = line.offer_span(entry) if entry.status == EntryStatus.OFFERED else None
    now = utcnow()
    line.close(entry, EntryStatus.LEFT, now)
    db.session.flush()
    record(actor, "waitlist.leave", entry, {})
    if held is not None:
        serve(entry.resource, [held], now)
    return entry


def accept_offer(actor, entry: WaitlistEntry) -> Created:
    """Book the offered time as the waiting teacher (a request where the resource needs approval).
    Raises ValidationFailed (no offer, or it lapsed), NotAllowed, BookingRefused (the rules say no now)."""
    if entry.user_id != actor.id:
        raise NotAllowed()
    line.lock_line(entry.resource)
    db.session.refresh(entry)
    now = utcnow()
    if entry.status != EntryStatus.OFFERED or ordering.offer_lapsed(entry.offer_expires_at, now):
        raise ValidationFailed({"entry": _l("There is no open offer for this place: it was taken, left or it lapsed.")})
    span = line.offer_span(entry)
    created = create_booking(actor, line.booking_input(entry, span.start, span.end))
    line.booked(entry, created, now)
    record(actor, "waitlist.accept", entry, {"booking_id": entry.booking_id})
    events.announce(events.waitlist_booked, actor, created.bookings, entry=entry)
    return created


# --- reading ---------------------------------------------------------------------------------------

def my_entries(actor, active_only: bool = True) -> list[WaitlistEntry]:
    """``actor``'s places in line (the active ones, soonest first), with their offers."""
    query = select(WaitlistEntry).where(visible_waitlist_clause(actor))
    if active_only:
        query = query.where(WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES), WaitlistEntry.starts_at > utcnow())
    return list(db.session.scalars(query.order_by(WaitlistEntry.starts_at, WaitlistEntry.id).limit(200)))


def open_offers(actor) -> list[WaitlistEntry]:
    """``actor``'s offers still open now, the soonest to lapse first."""
    return list(db.session.scalars(select(WaitlistEntry).where(
        visible_waitlist_clause(actor), WaitlistEntry.status == EntryStatus.OFFERED,
        WaitlistEntry.offer_expires_at > utcnow()).order_by(WaitlistEntry.offer_expires_at).limit(20)))


def position(entry: WaitlistEntry) -> int | None:
    """1 for the first in line among the active entries overlapping its wish; None when not waiting."""
    if not entry.is_active:
        return None
    others = list(db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.resource_id == entry.resource_id, WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES),
        WaitlistEntry.starts_at < entry.ends_at, WaitlistEntry.ends_at > entry.starts_at)))
    weak = line.weak_school_ids(others)
    places = [ordering.Place(e.id, e.id, e.school_id in weak, Span(e.starts_at, e.ends_at)) for e in others]
    queue = [p.id for p in ordering.in_line(places, entry.resource.waitlist_weak_first)]
    return queue.index(entry.id) + 1


def visible_entry(actor, entry_id: int) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.id == entry_id, visible_waitlist_clause(actor)))


def entry_resource_visible(actor, entry: WaitlistEntry) -> bool:
    return can_see_resource(actor, entry.resource)
