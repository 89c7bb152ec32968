"""Check-in, and the release of bookings nobody checked in for.

Rules (tested in tests/test_check_in.py):
- a resource checks in when ``Resource.checks_in`` (its setting; by default rooms and visiting
  teachers do, equipment does not);
- who: the booker, the visiting teacher booked, an administrator of the owner school (or a
  coordinator);
- when: from ``check_in_before_minutes`` before the start to ``check_in_after_minutes`` after it
  (the grace); checking in records the booking as used;
- release: a confirmed booking not checked in (and with no outcome recorded) by the end of its
  grace is cancelled, so its slot is free on the grid, bookable again and shown as cancelled in
  the feeds, and recorded as a no-show with ``released_at``. The scheduler's claimed job
  ``release-no-shows`` does it (``release_due``), a few minutes after each grace ends.

Every write is a compare-and-set on (status, sequence, checked_in_at, outcome) as read: a
check-in and a release racing each other, or two schedulers releasing the same booking, end
with exactly one of them done.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from booking import events
from booking.audit.services import record
from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import can_check_in, can_manage_school
from booking.resources.models import Resource
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

# Bookings whose grace ended longer ago than this are left alone: a scheduler that was down for
# days (or the first run after an upgrade) must not release the history nobody checked in for.
RELEASE_LOOKBACK = timedelta(hours=6)
MAX_GRACE = timedelta(minutes=240)  # the largest check_in_after_minutes allowed


def window(booking: Booking) -> tuple[datetime, datetime]:
    """[opens, closes] of the booking's check-in."""
    resource = booking.resource
    return (booking.starts_at - timedelta(minutes=resource.check_in_before_minutes),
            booking.starts_at + timedelta(minutes=resource.check_in_after_minutes))



def can_check_in_now(actor, booking: Booking) -> bool:
    """Whether a page should offer the button."""
    if not booking.resource.checks_in or booking.status != BookingStatus.CONFIRMED:
        return False
    if booking.checked_in_at is not None or booking.outcome is not None or not can_check_in(actor, booking):
        return False
    opens, closes = window(booking)
    return opens <= utcnow() <= closes


def _errors(booking: Booking, now: datetime) -> dict:
    if not booking.resource.checks_in:
        return {"booking": _l("This resource does not use check-in.")}
    if booking.status != BookingStatus.CONFIRMED:
        return {"booking": _l("Only a confirmed booking can be checked in.")}
    if booking.checked_in_at is not None:
        return {"booking": _l("This booking was already checked in.")}
    if booking.outcome is not None:
        return {"booking": _l("This booking's outcome was already recorded.")}
    opens, closes = window(booking)
    if now < opens:
        return {"booking": _l("Check-in opens %(n)d minutes before the start.",
                              n=booking.resource.check_in_before_minutes)}
    if now > closes:
        return {"booking": _l("Check-in closed %(n)d minutes after the start.",
                              n=booking.resource.check_in_after_minutes)}
    return {}


def check_in(booking: Booking, actor) -> Booking:
    """Check ``booking`` in as ``actor`` now (recorded as used); audited."""
    if not can_check_in(actor, booking):
        raise NotAllowed()
    now = utcnow()
    errors = _errors(booking, now)
    if errors:
        raise ValidationFailed(errors)
    matched = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED,
               Booking.sequence == booking.sequence, Booking.checked_in_at.is_(None), Booking.outcome.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.id, outcome=BookingOutcome.USED, outcome_recorded_at=now,
                outcome_recorded_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if matched != 1:
        db.session.rollback()
        raise ValidationFailed({"booking": _l("This booking changed a moment ago (checked in, released or edited). "
                                              "Reload the page to see it.")})
    record(actor, "booking.check_in", booking, {"checked_in_at": now.isoformat()})
    db.session.flush()
    db.session.refresh(booking)
    return booking


MAX_WINDOW_MINUTES = 240  # the resources table's check constraints


def _minutes_error(value) -> object | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WINDOW_MINUTES:
        return _l("Enter whole minutes from 0 to %(n)d.", n=MAX_WINDOW_MINUTES)
    return None


def set_check_in(actor, resource: Resource, enabled: bool | None, before_minutes: int, after_minutes: int) -> Resource:
    """A resource's check-in setting: on, off or None (the kind's default) and its window; audited.
    The owner school's administrators and coordinators only."""
    if not can_manage_school(actor, resource.owner_school_id):
        raise NotAllowed()
    errors = {field: error for field, error in (("before_minutes", _minutes_error(before_minutes)),
                                                ("after_minutes", _minutes_error(after_minutes))) if error}
    if enabled is not None and not isinstance(enabled, bool):
        errors["enabled"] = _l("Choose on, off or the default.")
    if errors:
        raise ValidationFailed(errors)
    resource.check_in, resource.check_in_before_minutes, resource.check_in_after_minutes = (
        enabled, before_minutes, after_minutes)
    record(actor, "resource.check_in", resource, {"enabled": enabled, "before": before_minutes,
                                                  "after": after_minutes})
    db.session.flush()
    return resource


def release_candidates(now: datetime) -> list[Booking]:
    """Confirmed bookings not checked in, no outcome, of resources that check in, whose grace has ended
    (within RELEASE_LOOKBACK). The SQL narrows by start; the grace, per resource, is checked here."""
    query = (select(Booking).join(Resource, Resource.id == Booking.resource_id)
             .options(joinedload(Booking.resource))
             .where(Booking.status == BookingStatus.CONFIRMED, Booking.checked_in_at.is_(None),
                    Booking.outcome.is_(None), Booking.starts_at <= now,
                    Booking.starts_at > now - RELEASE_LOOKBACK - MAX_GRACE)
             .order_by(Booking.starts_at, Booking.id))
    return [booking for booking in db.session.scalars(query)
            if booking.resource.checks_in and now - RELEASE_LOOKBACK < window(booking)[1] <= now]


def release(booking: Booking, now: datetime) -> bool:
    """Release one booking: cancelled, no-show, released_at; False when it changed since it was read.
    No cancel reason is stored: pages say "released" in the reader's language from ``released_at``."""
    matched = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED,
               Booking.sequence == booking.sequence, Booking.checked_in_at.is_(None), Booking.outcome.is_(None))
        .values(status=BookingStatus.CANCELLED, blocks=False, outcome=BookingOutcome.NO_SHOW, released_at=now,
                outcome_recorded_at=now, updated_at=now,
                sequence=Booking.sequence + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if matched == 1:
        record(None, "booking.release", booking, {"released_at": now.isoformat()})
        events.announce(events.booking_released, None, [booking])
        events.free_slots_of(None, [booking])
    return matched == 1


def release_due(now: datetime | None = None) -> int:
    """Release every booking whose grace has ended; inside the caller's transaction (the job's claim)."""
    now = now or utcnow()
    return sum(release(booking, now) for booking in release_candidates(now))
