"""Requests for resources that need approval: the queue, approving, rejecting, expiring.

The owner school's admins and the coordinators decide. Approving re-checks the request
against the confirmed bookings inside the booking transaction (and, on PostgreSQL, the
exclusion constraint checks it once more), then rejects the other pending requests the
approval made impossible, with a reason. A request nobody answered expires once its
start arrives: ``expire_stale_requests(now)`` marks them (the nightly job calls it; the
queue calls it before listing), and the candidate query ignores them meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from booking import events
from booking.audit.services import record
from booking.bookings import rules
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.guarantee import booking_write
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import can_approve, request_for_booking
from booking.bookings.calendar_queries import calendar_for
from booking.bookings.queries import as_existing, candidate_bookings, span_of
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone
from booking.permissions import is_district_coordinator, managed_school_ids
from booking.resources.models import Resource
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

APPROVAL_SCOPES = ("occurrence", "series")
DISPLACED_REASON = _l("Another request for this time was approved.")


@dataclass
class Decision:
    decided: list[Booking]
    displaced: list[Booking]  # other requests rejected because the approval took their slot


def expire_stale_requests(now) -> int:
    """Mark every request still pending at its start as expired; returns how many."""
    stale = select(Booking.id).where(Booking.status == BookingStatus.PENDING, Booking.starts_at <= now)
    ids = list(db.session.scalars(stale))
    if ids:
        db.session.execute(
            update(Booking).where(Booking.id.in_(ids), Booking.status == BookingStatus.PENDING)
            .values(status=BookingStatus.EXPIRED, blocks=False, updated_at=now, sequence=Booking.sequence + 1)
            .execution_options(synchronize_session=False)
        )
        record(None, "booking.expire", ("Booking", None), {"ids": ids})
        db.session.flush()
    return len(ids)


def approval_queue(actor) -> list[Booking]:
    """Requests ``actor`` may answer, soonest first (expiring stale ones first)."""
    expire_stale_requests(utcnow())
    query = (select(Booking).join(Booking.resource)
             .where(Booking.status == BookingStatus.PENDING).order_by(Booking.starts_at, Booking.id))
    if not is_district_coordinator(actor):
        query = query.where(Resource.owner_school_id.in_(managed_school_ids(actor)))
    return [b for b in db.session.scalars(query) if can_approve(actor, b.resource)]


def waiting_request_count(actor) -> int:
    """How many requests ``actor`` may answer are still waiting (the header badge; a count, no expiry)."""
    query = select(func.count()).select_from(Booking).where(Booking.status == BookingStatus.PENDING,
                                                             Booking.starts_at > utcnow())
    if not is_district_coordinator(actor):  # the county's count needs no join: ix_bookings_pending_start alone
        query = query.where(Booking.resource_id.in_(
            select(Resource.id).where(Resource.owner_school_id.in_(managed_school_ids(actor)))))
    return db.session.scalar(query) or 0


def _pending_in_scope(actor, booking: Booking, scope: str) -> list[Booking]:
    if scope not in APPROVAL_SCOPES:
        raise ValidationFailed({"scope": _l("Choose occurrence or series.")})
    if not can_approve(actor, booking.resource):
        raise NotAllowed()
    if booking.status != BookingStatus.PENDING or booking.starts_at <= utcnow():
        raise ValidationFailed({"booking": _l("This request is no longer waiting for an answer.")})
    if scope == "occurrence" or booking.series is None:
        return [booking]
    now = utcnow()
    return [row for row in booking.series.occurrences if row.status == BookingStatus.PENDING and row.starts_at > now]


def _decide(actor, rows: list[Booking], status: BookingStatus, reason: str) -> None:
    now = utcnow()
    for row in rows:
        row.set_status(status)
        row.decided_by_id, row.decided_at, row.decision_reason = actor.id if actor else None, now, reason


def _displaced(candidates: list[Booking], confirmed: list[rules.Existing]) -> list[Booking]:
    """Pending requests that no longer fit beside the confirmed bookings."""
    zone = district_zone()
    return [row for row in candidates if row.status == BookingStatus.PENDING and rules.overlap_refusals(
        request_for_booking(row, confirmed=False), rules.Interval(row.starts_at, row.ends_at), confirmed, zone)]


def approve_booking(actor, booking: Booking, scope: str = "occurrence", reason: str = "") -> Decision:
    """Confirm a request (one date, or every pending date of its series). All or nothing.

    Raises NotAllowed, ValidationFailed (not pending) or BookingRefused (no longer fits).
    """
    targets = _pending_in_scope(actor, booking, scope)
    reason = (reason or "").strip()[:500]
    with booking_write(booking.resource):
        intervals = [rules.Interval(t.starts_at, t.ends_at) for t in targets]
        span = span_of(intervals)
        candidates = candidate_bookings(booking.resource, intervals, [t.id for t in targets])
        confirmed = as_existing(c for c in candidates if c.status == BookingStatus.CONFIRMED)
        request = request_for_booking(booking, confirmed=True)
        checks = rules.check_occurrences(request, intervals, confirmed, calendar_for(booking.resource, span), utcnow())
        refusals = rules.standing_refusals(request) + [r for check in checks for r in check.refusals]
        if refusals:
            raise BookingRefused(refusals)
        _decide(actor, targets, BookingStatus.CONFIRMED, reason)
        db.session.flush()  # PostgreSQL's exclusion constraint has its say here
        displaced = _displaced(candidates, confirmed + as_existing(targets))
        _decide(actor, displaced, BookingStatus.REJECTED, str(DISPLACED_REASON))
        record(actor, "booking.approve", booking, {"ids": [t.id for t in targets], "rejected": [d.id for d in displaced]})
        if displaced:  # each displaced request's history says who took its slot
            record(actor, "booking.displace", displaced[0], {"ids": [d.id for d in displaced], "by": booking.id})
    events.announce(events.booking_approved, actor, targets, reason=reason)
    events.announce(events.booking_displaced, actor, displaced, reason=str(DISPLACED_REASON))
    return Decision(targets, displaced)


def reject_booking(actor, booking: Booking, reason: str, scope: str = "occurrence") -> Decision:
    """Refuse a request with a reason the requester will read. Raises NotAllowed or ValidationFailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _l("Say why the request is rejected.")})
    targets = _pending_in_scope(actor, booking, scope)
    _decide(actor, targets, BookingStatus.REJECTED, reason[:500])
    record(actor, "booking.reject", booking, {"ids": [t.id for t in targets], "reason": reason[:500]})
    db.session.flush()
    events.announce(events.booking_rejected, actor, targets, reason=reason[:500])
    events.free_slots_of(actor, targets)
    return Decision(targets, [])
