"""What is taken and what is free on one resource over a few days: for the week grid and the API.

``availability(actor, resource, start, end) -> Availability`` raises ValidationFailed when the
window is empty or longer than ``MAX_WINDOW``. Busy intervals are the active bookings (pending
ones marked), closed days and blackouts; free periods are the owner school's bell periods the
actor could book right now (the same rules as booking, so "free" never lies).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.bookings import rules
from booking.bookings.planning import period_school_id
from booking.bookings.calendar_queries import calendar_for
from booking.bookings.queries import as_existing, overlapping_bookings, shown_existing
from booking.bookings.suggestions import class_request, free_slots
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.permissions import holder_districts
from booking.resources.models import Resource
from booking.schools.models import BellPeriod
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    kind: str  # "booking" or "closed"
    status: str | None = None  # confirmed / pending for bookings
    booking_id: int | None = None
    quantity: int | None = None
    label: str = ""


@dataclass(frozen=True)
class FreePeriod:
    number: int
    start: datetime
    end: datetime


@dataclass
class Availability:
    resource: Resource
    busy: list[Busy]
    free_periods: list[FreePeriod]


def _check_window(start: datetime | None, end: datetime | None) -> rules.Interval:
    if start is None or end is None:
        raise ValidationFailed({"start" if start is None else "end": _l("Give a start and an end.")})
    if end <= start:
        raise ValidationFailed({"end": _l("The end must be after the start.")})
    if end - start > MAX_WINDOW:
        raise ValidationFailed({"end": _l("Ask for at most %(n)d days at a time.", n=MAX_WINDOW.days)})
    return rules.Interval(start, end)


def _busy(actor, resource: Resource, window: rules.Interval) -> list[Busy]:
    """Bookings as busy time, each as a clash would name it to ``actor`` (``queries.shown_existing``: another
    district's without its holder or its id), and the closed times."""
    districts = holder_districts(actor, resource.owner_school_id)
    bookings = overlapping_bookings([resource.id], window)
    busy = [Busy(b.starts_at, b.ends_at, "booking", b.status.value, shown.id, b.quantity, shown.holder)
            for b, shown in zip(bookings, (shown_existing(e, districts) for e in as_existing(bookings)))]
    calendar = calendar_for(resource, window)
    zone = calendar.zone
    for day, reason in sorted(calendar.closed_days.items()):
        busy.append(Busy(local_to_utc(day, datetime.min.time(), zone),
                         local_to_utc(day + timedelta(days=1), datetime.min.time(), zone), "closed", label=reason))
    busy += [Busy(span.start, span.end, "closed", label=reason)
             for span, reason in (*calendar.closed_spans, *calendar.blackouts)]
    return sorted(busy, key=lambda b: (b.start, b.end))


def period_intervals(school_id: int, window: rules.Interval) -> list[tuple[int, rules.Interval]]:
    """Every bell period of a school that lies inside ``window``, as UTC intervals."""
    zone = district_zone()
    periods = list(db.session.scalars(select(BellPeriod).where(BellPeriod.school_id == school_id)
                                      .order_by(BellPeriod.number)))
    first, last = window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
    found = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        for period in periods:
            interval = rules.Interval(local_to_utc(day, period.start_time, zone), local_to_utc(day, period.end_time, zone))
            if window.start <= interval.start and interval.end <= window.end:
                found.append((period.number, interval))
    return found


def availability(actor, resource: Resource, start: datetime | None, end: datetime | None) -> Availability:
    window = _check_window(start, end)
    # A visiting teacher comes to the class: the periods are the actor's school's bells.
    periods = period_intervals(period_school_id(resource, actor.school_id), window)
    template = class_request(actor, actor.school_id or resource.owner_school_id)
    free = {interval for _, interval in free_slots(actor, [(resource, i) for _, i in periods], template)}
    free_periods = [FreePeriod(number, i.start, i.end) for number, i in periods if i in free]
    return Availability(resource, _busy(actor, resource, window), free_periods)

