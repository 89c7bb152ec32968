"""Booking, cancelling and seeing bookings. Each changing function records an audit entry and flushes;
the caller's unit of work (booking.unit_of_work) commits.

The functions the browser pages and the API call:

- ``create_booking(actor, BookingInput) -> Created``: raises ``ValidationFailed`` (bad input,
  nothing saved) or ``BookingRefused`` (rules or database said no, with suggestions).
- ``cancel_booking(actor, booking, scope, reason) -> list[Booking]``: raises ``NotAllowed``
  (not theirs) or ``ValidationFailed`` (already over or inactive, unknown scope).
- ``visible_booking(actor, id)``: the booking, or None when it does not exist or is hidden.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from flask import abort
from sqlalchemy import select

from booking import events
from booking.audit.services import record
from booking.bookings.errors import BookingRefused, NeedsConfirmation, NotAllowed
from booking.bookings.guarantee import booking_write
from booking.bookings.models import Booking, BookingSeries, BookingStatus, SeriesStatus
from booking.bookings.planning import BookingInput, Plan, check_plan, plan_booking
from booking.bookings.rules.recurrence import normalised_rule
from booking.bookings.rules import Interval, OccurrenceCheck
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import can_change_booking, visible_bookings_clause
from booking.quotas.services import quota_refusals
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


class Scope(StrEnum):
    """How much of a series a cancel or change applies to."""

    OCCURRENCE = "occurrence"
    FOLLOWING = "following"
    SERIES = "series"


SCOPES = tuple(scope.value for scope in Scope)


@dataclass
class Created:
    bookings: list[Booking]
    series: BookingSeries | None = None
    skipped: list[OccurrenceCheck] = field(default_factory=list)  # closed or clashing dates not booked


def _new_series(actor, plan: Plan) -> BookingSeries:
    first = plan.recurrence.occurrences[0]
    data = plan.data
    return BookingSeries(
        resource_id=plan.resource.id, booked_by_id=actor.id, school_id=plan.request.school_id,
        term_id=plan.term.id if plan.term else None, rrule=plan.recurrence.rule_text, dtstart=first.start,
        duration_minutes=first.minutes, until=plan.recurrence.until, period_number=data.period_number,
        title=data.title.strip(), class_name=(data.class_name or "").strip(), students=data.students,
        quantity=data.quantity,
    )


def _new_booking(actor, plan: Plan, interval: Interval, series: BookingSeries | None) -> Booking:
    data = plan.data
    status = plan.status
    return Booking(
        resource_id=plan.resource.id, series=series, booked_by_id=actor.id, school_id=plan.request.school_id,
        starts_at=interval.start, ends_at=interval.end, status=status,
        blocks=status == BookingStatus.CONFIRMED and not plan.resource.is_quantity_based,
        quantity=data.quantity, title=data.title.strip(), class_name=(data.class_name or "").strip(),
        students=data.students, original_start=interval.start if series is not None else None,
        lesson_subject=plan.lesson_subject, lesson_kind=plan.lesson_kind,
    )


def _save(actor, plan: Plan, free: list[OccurrenceCheck]) -> Created:
    series = _new_series(actor, plan) if plan.recurrence else None
    rows = [_new_booking(actor, plan, check.interval, series) for check in free]
    if series is not None:
        db.session.add(series)
    db.session.add_all(rows)
    db.session.flush()
    details = {"resource_id": plan.resource.id, "status": plan.status.value, "ids": [b.id for b in rows],
               "start": rows[0].starts_at.isoformat()}
    record(actor, "series.create" if series else "booking.create", series or rows[0], details)
    return Created(rows, series)


def create_booking(actor, data: BookingInput) -> Created:
    """Book ``data`` for ``actor``: all dates or none (unless ``skip_conflicts``; closed dates are skipped).

    Pending (a request) when the resource needs approval and the actor cannot approve it.
    Raises ValidationFailed or BookingRefused (with ``suggestions`` filled in); NeedsConfirmation (a
    ValidationFailed) while dates between terms wait for ``outside_term_ok``. The resource is locked as it
    is first read (booking.bookings.guarantee), so the plan is made from it as committed now.
    """
    plan = None
    try:
        with booking_write(data.resource_id if isinstance(data.resource_id, int) else None) as _locked:
            plan = plan_booking(actor, data)  # finds the resource the lock read (``_locked`` keeps it in the session)
            preview = check_plan(plan)
            unconfirmed = [r for check in preview.checks for r in check.refusals if r.confirmable]
            if unconfirmed and not preview.standing:
                raise NeedsConfirmation(unconfirmed)
            free = preview.bookable
            if not free or (preview.in_state("conflict") and not data.skip_conflicts):
                # The alternatives are searched before the rollback expires what the request has read.
                raise _with_alternatives(actor, plan, BookingRefused(preview.refusals()))
            # Every date to be booked counts against the school's term quotas, checked under their lock.
            over_quota = quota_refusals(plan.resource, plan.request.school_id, [check.interval for check in free],
                                        quota_ids=plan.fair_shares.quota_ids)
            if over_quota:
                raise BookingRefused(over_quota)  # another time would count the same hours: no alternatives
            created = _save(actor, plan, free)
    except BookingRefused as refused:
        if plan is not None and not refused.suggestions and refused.__cause__ is not None:
            _with_alternatives(actor, plan, refused)  # the database refused it for concurrency: after the rollback
        raise
    created.skipped = [c for c in preview.checks if c.state != "free"]
    return created


def _with_alternatives(actor, plan: Plan, refused: BookingRefused) -> BookingRefused:
    from booking.bookings.suggestions import suggest_alternatives

    refused.suggestions = suggest_alternatives(actor, plan)
    return refused


# --- who may see and change --------------------------------------------------------------

def visible_bookings_query(actor):
    """Bookings ``actor`` may see, as a query to narrow further: those of resources they may see,
    plus their own and those of the schools they manage. District coordinators see all."""
    return select(Booking).join(Booking.resource).where(visible_bookings_clause(actor))


def visible_booking(actor, booking_id: int) -> Booking | None:
    """The booking if ``actor`` may see it (the same predicate as every list), else None."""
    return db.session.scalar(visible_bookings_query(actor).where(Booking.id == booking_id))


def visible_booking_or_404(actor, booking_id: int) -> Booking:
    """``visible_booking`` for a view: a booking ``actor`` may not see answers 404, as a missing one does."""
    booking = visible_booking(actor, booking_id)
    if booking is None:
        abort(404)
    return booking


# --- scopes of a series ------------------------------------------------------------------

def check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValidationFailed({"scope": _l("Choose occurrence, following or series.")})


def in_scope(booking: Booking, scope: str) -> list[Booking]:
    """The active, not yet started rows a change of ``booking`` with ``scope`` applies to."""
    if scope == "occurrence" or booking.series is None:
        return [booking]
    now = utcnow()
    pivot = booking.original_start if scope == "following" else None
    return [row for row in booking.series.occurrences
            if row.is_active and row.starts_at > now and (pivot is None or row.original_start >= pivot)]


def end_series_before(series: BookingSeries, pivot) -> None:
    """Stop ``series`` before the instance at ``pivot``: cancelled outright if nothing came before."""
    if pivot <= series.dtstart:
        series.status = SeriesStatus.CANCELLED
    else:
        series.until = pivot - timedelta(seconds=1)
        series.rrule = normalised_rule(series.rrule, series.until)


def require_changeable(actor, booking: Booking) -> None:
    if not can_change_booking(actor, booking):
        raise NotAllowed()
    if not booking.is_active:
        raise ValidationFailed({"booking": _l("This booking is no longer active.")})
    if booking.ends_at <= utcnow():
        raise ValidationFailed({"booking": _l("This booking is already over.")})


def cancel_booking(actor, booking: Booking, scope: str = "occurrence", reason: str = "") -> list[Booking]:
    """Cancel one date, this and the following dates, or the rest of the series. Never deletes."""
    check_scope(scope)
    require_changeable(actor, booking)
    reason = (reason or "").strip()[:500]
    targets = in_scope(booking, scope)
    for row in targets:
        row.set_status(BookingStatus.CANCELLED)
        row.cancel_reason = reason
        row.is_exception = row.is_exception or (scope == "occurrence" and row.series_id is not None)
    if scope != "occurrence" and booking.series is not None and targets:
        end_series_before(booking.series, min(row.original_start for row in targets))
    record(actor, "booking.cancel", booking, {"scope": scope, "ids": [row.id for row in targets], "reason": reason})
    db.session.flush()
    events.announce(events.booking_cancelled, actor, targets, reason=reason)
    events.free_slots_of(actor, targets)
    return targets

