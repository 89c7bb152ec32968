"""Maintenance blackouts of a resource: spans in which it cannot be booked.

The booking rules already refuse bookings inside a blackout (kind ``closed``). What a new blackout
does to the bookings already inside it is the admin's explicit choice, never silent: the pages show
them for confirmation and the API answers 409 until ``on_bookings`` says ``cancel`` or ``keep``.
Cancelling uses the booking service, so every cancelled booking keeps the blackout's reason and
its own audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from booking.audit.services import record
from booking.bookings import hits
from booking.bookings.models import Booking, ResourceBlackout
from booking.bookings.queries import overlapping_bookings
from booking.bookings.rules import Interval
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import local_to_utc
from booking.resources.models import Resource
from booking.parsing import parse_clock, parse_day, text_error
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

# Longest blackout (a leap year): anything longer is an archived resource, not maintenance.
MAX_BLACKOUT = timedelta(days=366)
REASON_MAX_LENGTH = 200
# The blackouts page also lists those that ended this recently.
RECENT = timedelta(days=30)
ON_BOOKINGS = hits.ON_BOOKINGS


@dataclass
class BlackoutInput:
    """A blackout as read from a form or a JSON body.

    ``start``/``end`` are aware instants, None when missing or unreadable (``read_errors`` then says
    why, keyed by the input); ``start_field``/``end_field`` name the inputs they came from, so the
    messages land beside them.
    """

    start: datetime | None
    end: datetime | None
    reason: str
    read_errors: dict = field(default_factory=dict)
    start_field: str = "start"
    end_field: str = "end"


def from_local(start_date, start_time, end_date, end_time, reason: str, zone: ZoneInfo) -> BlackoutInput:
    """The form's local dates and wall-clock times as instants: a blank start time is the start of the
    first day, a blank last day is the first day, a blank end time the end of the last day."""
    errors: dict = {}
    first = parse_day(start_date)
    if first is None:
        errors["start_date"] = _l("Enter the first day (YYYY-MM-DD).")
    last = parse_day(end_date) if end_date else first
    if end_date and last is None:
        errors["end_date"] = _l("Enter the last day (YYYY-MM-DD), or leave it blank for one day.")
    opens = _clock_or_error(start_time, time(0), "start_time", errors)
    closes = _clock_or_error(end_time, None, "end_time", errors)
    start = end = None
    if not errors:
        start = local_to_utc(first, opens, zone)
        end = local_to_utc(last, closes, zone) if closes else local_to_utc(last + timedelta(days=1), time(0), zone)
    return BlackoutInput(start, end, reason, errors, start_field="start_date",
                         end_field="end_time" if end_time else "end_date")


def _clock_or_error(value, blank, name: str, errors: dict) -> time | None:
    if not value:
        return blank
    clock = parse_clock(value)
    if clock is None:
        errors[name] = _l("Enter a time such as 08:00, or leave it blank for the whole day.")
    return clock


def check_blackout(data: BlackoutInput, now: datetime) -> dict:
    """Field errors: a reason; a start and an end, the end after the start and still to come; at most a year."""
    errors = dict(data.read_errors)
    problem = text_error((data.reason or "").strip(), REASON_MAX_LENGTH, _l("Enter the reason, e.g. 地板维修."))
    if problem is not None:
        errors.setdefault("reason", problem)
    if data.start is None or data.end is None:
        if not data.read_errors:  # the reader said nothing about why: name what is missing
            missing = data.start_field if data.start is None else data.end_field
            errors[missing] = _l("Enter when the blackout starts and ends.")
        return errors
    if data.end <= data.start:
        errors[data.end_field] = _l("The blackout must end after it starts.")
    elif data.end - data.start > MAX_BLACKOUT:
        errors[data.end_field] = _l("A blackout may last at most one year.")
    elif data.end <= now:
        errors[data.end_field] = _l("This time is already over: a blackout only matters for what is to come.")
    return errors


def validated(data: BlackoutInput, on_bookings: str = "keep") -> Interval:
    """The blackout's span; ValidationFailed naming each bad field."""
    errors = {**check_blackout(data, utcnow()), **hits.choice_errors(on_bookings)}
    if errors:
        raise ValidationFailed(errors)
    return Interval(data.start, data.end)


def affected_bookings(resource: Resource, span: Interval) -> list[Booking]:
    """The active bookings of ``resource`` a blackout over ``span`` falls on, earliest first."""
    return overlapping_bookings([resource.id], span)


@dataclass
class BlackoutAdded(hits.Decided):
    blackout: ResourceBlackout | None = None


def create_blackout(actor, resource: Resource, data: BlackoutInput, on_bookings: str = "keep") -> BlackoutAdded:
    """Add the blackout; with ``on_bookings="cancel"`` cancel the bookings inside it with its reason."""
    span = validated(data, on_bookings)
    affected = affected_bookings(resource, span)
    blackout = ResourceBlackout(resource_id=resource.id, starts_at=span.start, ends_at=span.end,
                                reason=data.reason.strip(), created_by_id=getattr(actor, "id", None))
    db.session.add(blackout)
    record(actor, "blackout.create", blackout, {**_details(blackout), "on_bookings": on_bookings,
                                                "affected_ids": [b.id for b in affected]})
    decided = hits.decide(actor, affected, on_bookings, blackout.reason)
    return BlackoutAdded(decided.cancelled, decided.kept, blackout)


def delete_blackout(actor, blackout: ResourceBlackout) -> None:
    """Bookings cancelled for it stay cancelled: their booker has been told and may book again."""
    record(actor, "blackout.delete", ("ResourceBlackout", blackout.id), _details(blackout))
    db.session.delete(blackout)
    db.session.flush()


def _details(blackout: ResourceBlackout) -> dict:
    return {"resource_id": blackout.resource_id, "start": blackout.starts_at.isoformat(),
            "end": blackout.ends_at.isoformat(), "reason": blackout.reason}


def blackouts_query(resource: Resource, ending_after: datetime):
    """Blackouts of ``resource`` that end after ``ending_after``, soonest first."""
    return (select(ResourceBlackout)
            .where(ResourceBlackout.resource_id == resource.id, ResourceBlackout.ends_at > ending_after)
            .order_by(ResourceBlackout.starts_at, ResourceBlackout.id))


def list_blackouts(resource: Resource) -> tuple[list[ResourceBlackout], list[ResourceBlackout]]:
    """(upcoming, recent): those not yet over, soonest first; those over in the last 30 days, latest first."""
    now = utcnow()
    rows = list(db.session.scalars(blackouts_query(resource, now - RECENT)))
    upcoming = [b for b in rows if b.ends_at > now]
    recent = sorted((b for b in rows if b.ends_at <= now), key=lambda b: b.starts_at, reverse=True)
    return upcoming, recent


def find_blackout(resource: Resource, blackout_id: int) -> ResourceBlackout | None:
    blackout = db.session.get(ResourceBlackout, blackout_id)
    return blackout if blackout is not None and blackout.resource_id == resource.id else None
