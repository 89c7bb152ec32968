"""Closures and the bookings they fall on: the list before saving, then cancel or keep, in one unit of work.

A closure (``booking.schools.calendar`` checks and writes it) of the whole county hits every active
booking in its closed times, a district's those of its schools; one school's closure hits the bookings of
that school's resources and the visiting teachers' lessons held at it (the rules refuse both). The choice
is the admin's
(``booking.bookings.hits``); each hit booking is announced as ``events.closure_hit`` with the action
taken. Kept bookings stay listed (``kept_on_closures``, ``closure_flags``) while they are active.
"""
from __future__ import annotations

from dataclasses import dataclass

from booking import events
from booking.bookings import hits
from booking.bookings.models import Booking
from booking.bookings.calendar_queries import bookings_in_closure, closed_times_by_school
from booking.bookings.rules.closed import closure_intervals
from booking.bookings.rules.types import Interval
from booking.i18n import district_zone
from booking.permissions import can_manage_closure, is_lesson
from booking.schools.calendar import ClosureInput, ClosureSpan, validated_closure, write_closure
from booking.extensions import db
from booking.schools.models import Closure, District
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


def validated(data: ClosureInput, on_bookings: str = "keep", actor=None) -> ClosureSpan:
    """The closure's checked values and a known choice; ValidationFailed naming each bad field. With an
    ``actor``, one who may not manage the closure it would be is told so at ``school_id``."""
    try:
        span = validated_closure(data)
    except ValidationFailed as failed:
        raise ValidationFailed({**failed.errors, **hits.choice_errors(on_bookings)}) from None
    errors = hits.choice_errors(on_bookings)
    if actor is not None and not can_manage_closure(actor, span.school_id, span.district_id):
        errors["school_id"] = _refusal(span)
    if errors:
        raise ValidationFailed(errors)
    return span


def _refusal(span: ClosureSpan):
    if span.school_id is not None:
        return _l("You can only close the schools you manage.")
    if span.district_id is not None:
        return _l("Only the coordinators of %(district)s close all its schools.",
                  district=db.session.get(District, span.district_id).name)
    return _l("Only county coordinators close every school of the county.")


def closure_hits(span: ClosureSpan | Closure) -> list[Booking]:
    """The active bookings and visiting teachers' lessons still to come that the closure falls on."""
    return bookings_in_closure(span.school_id, span.district_id, closure_intervals(span, district_zone()))


@dataclass
class ClosureSaved(hits.Decided):
    closure: Closure | None = None


def decide_hits(actor, closure: Closure, affected: list[Booking], on_bookings: str) -> hits.Decided:
    """Cancel or keep the bookings ``closure`` falls on, announcing ``closure_hit`` for each."""
    decided = hits.decide(actor, affected, on_bookings, closure.reason)
    events.announce(events.closure_hit, actor, decided.cancelled, closure=closure, action="cancelled")
    events.announce(events.closure_hit, actor, decided.kept, closure=closure, action="kept")
    return decided


def _save(closure: Closure, data: ClosureInput, actor, action: str, on_bookings: str) -> ClosureSaved:
    span = validated(data, on_bookings, actor)
    affected = closure_hits(span)
    write_closure(closure, span, actor, action, {"on_bookings": on_bookings, "affected_ids": [b.id for b in affected]})
    decided = decide_hits(actor, closure, affected, on_bookings)
    return ClosureSaved(decided.cancelled, decided.kept, closure)


def create_closure(data: ClosureInput, actor, on_bookings: str = "keep") -> ClosureSaved:
    """Add the closure; with ``on_bookings="cancel"`` cancel what it falls on, else keep (and flag) it."""
    return _save(Closure(), data, actor, "closure.create", on_bookings)


def update_closure(closure: Closure, data: ClosureInput, actor, on_bookings: str = "keep") -> ClosureSaved:
    return _save(closure, data, actor, "closure.update", on_bookings)


def kept_on_closures(closures: list[Closure]) -> list[tuple[Closure, list[Booking]]]:
    """The active bookings still to come on each of ``closures`` (kept when it was added, or made
    before it was edited): what a coordinator must look at. One query per closure."""
    found = []
    for closure in closures:
        affected = closure_hits(closure)
        if affected:
            found.append((closure, affected))
    return found


def closure_flags(bookings: list[Booking]) -> dict[int, str]:
    """For each active booking of ``bookings`` that falls on a closure (of its resource's school, or for a
    visiting teacher's lesson of the school it is at), the closure's reason: one query."""
    active = [b for b in bookings if b.is_active]
    if not active:
        return {}
    zone = district_zone()
    first = min(b.starts_at for b in active).astimezone(zone).date()
    last = max(b.ends_at for b in active).astimezone(zone).date()
    schools = {b.resource.owner_school_id for b in active} | {b.school_id for b in active}
    closed = closed_times_by_school(schools, first, last)
    flags = {}
    for booking in active:
        interval = Interval(booking.starts_at, booking.ends_at)
        places = [booking.resource.owner_school_id] + ([booking.school_id] if is_lesson(booking) else [])
        reason = next((r for r in (closed[s].reason_at(interval, zone) for s in places) if r), None)
        if reason:
            flags[booking.id] = reason
    return flags
