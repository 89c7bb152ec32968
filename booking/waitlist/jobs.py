"""The scheduler's waitlist job (``waitlist_work``, run by booking/digests/jobs.py): offers not taken in
time lapse to the next in line, entries whose start passed expire, and a sweep serves what freed without
an announcement. Inside the job's transaction (its claim); each resource's line under its lock.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from booking.audit.services import record
from booking.bookings.planning import plan_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.resources.models import Resource
from booking.validation import ValidationFailed
from booking.waitlist import line, ordering
from booking.waitlist.models import EntryStatus, WaitlistEntry
from booking.waitlist.ordering import Span
from booking.waitlist.serving import serve


def lapse_offers(now: datetime | None = None) -> tuple[int, int]:
    """Offers not taken in time lapse, and their time goes to the next in line; waiting entries whose
    start has passed expire. Inside the caller's transaction (the job's claim). Returns (lapsed, expired)."""
    now = now or utcnow()
    due = db.session.execute(select(WaitlistEntry.id, WaitlistEntry.resource_id).where(or_(
        (WaitlistEntry.status == EntryStatus.OFFERED) & (WaitlistEntry.offer_expires_at <= now),
        (WaitlistEntry.status == EntryStatus.WAITING) & (WaitlistEntry.starts_at <= now),
    )).order_by(WaitlistEntry.resource_id, WaitlistEntry.id)).all()
    lapsed = expired = 0
    for resource_id in sorted({row.resource_id for row in due}):
        resource = db.session.get(Resource, resource_id)
        line.lock_line(resource)
        freed = []
        entries = db.session.scalars(select(WaitlistEntry).where(
            WaitlistEntry.id.in_([row.id for row in due if row.resource_id == resource_id]))
            .order_by(WaitlistEntry.id).execution_options(populate_existing=True))
        for entry in entries:  # read again under the lock: someone may have accepted or left meanwhile
            if entry.status == EntryStatus.OFFERED and ordering.offer_lapsed(entry.offer_expires_at, now):
                freed.append(line.offer_span(entry))
                line.close(entry, EntryStatus.LAPSED, now)
                record(None, "waitlist.lapse", entry, {})
                lapsed += 1
            elif entry.status == EntryStatus.WAITING and entry.starts_at <= now:
                line.close(entry, EntryStatus.EXPIRED, now)
                expired += 1
        db.session.flush()
        serve(resource, [span for span in freed if span.end > now], now)
    return lapsed, expired


def serve_waiting(now: datetime | None = None) -> int:
    """The sweep behind the events: each resource's line served against its own wishes, so a time that
    came free without an announcement (a closure or blackout removed, longer opening hours) or while a
    teacher was joining is still given to the first in line. Returns how many entries were served."""
    now = now or utcnow()
    resource_ids = sorted(set(db.session.scalars(select(WaitlistEntry.resource_id).where(
        WaitlistEntry.status == EntryStatus.WAITING, WaitlistEntry.starts_at > now))))
    served = 0
    for resource_id in resource_ids:
        resource = db.session.get(Resource, resource_id)
        if not _looks_servable(resource, now):
            continue  # every wish still held: no lock taken, so bookings of the resource never wait for the sweep
        line.lock_line(resource)
        wishes = [Span(e.starts_at, e.ends_at) for e in _waiting(resource, now)]
        served += len(serve(resource, wishes, now))
    return served


def _waiting(resource: Resource, now: datetime) -> list[WaitlistEntry]:
    return list(db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.resource_id == resource.id, WaitlistEntry.status == EntryStatus.WAITING,
        WaitlistEntry.starts_at > now).order_by(WaitlistEntry.id).execution_options(populate_existing=True)))


def _looks_servable(resource: Resource, now: datetime) -> bool:
    """Whether some waiting wish of ``resource`` is no longer held, read without the lock (serve checks again)."""
    for entry in _waiting(resource, now):
        try:
            refused = line.kinds(line.refusals(plan_booking(entry.user, line.booking_input(entry))))
        except ValidationFailed:
            continue
        if not refused & ordering.HELD:
            return True
    return False


def waitlist_work(now: datetime | None = None) -> str:
    now = now or utcnow()
    lapsed, expired = lapse_offers(now)
    served = serve_waiting(now)
    return f"{lapsed} waitlist offers lapsed, {expired} entries expired, {served} entries served"
