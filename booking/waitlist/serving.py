"""Giving a freed time to the line: the first in line gets it booked or offered, and an open offer holds
its time against everyone else until it is taken or lapses.

- ``serve(resource, freed, now)``: the line served for the freed spans; the caller holds ``line.lock_line``.
- ``on_slot_freed``: the receiver of ``events.slot_freed`` (connected in ``booking.waitlist.init_app``).
- ``offer_holds``: registered in ``booking.bookings.planning.EXTRA_HOLDS``: an open offer holds its time
  against every booking but the offered teacher's.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, true

from booking import events
from booking.audit.services import record
from booking.bookings.guarantee import held_booking_lock
from booking.bookings.planning import Plan, plan_booking
from booking.bookings.queries import Holds, hold_columns, span_of
from booking.bookings.rules import Existing, Interval
from booking.bookings.services import create_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import to_local
from booking.resources.models import Resource, ResourceKind
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed
from booking.waitlist import line, ordering
from booking.waitlist.models import ACTIVE_ENTRY_STATUSES, EntryStatus, WaitlistEntry
from booking.waitlist.ordering import Action, Span

DEFAULT_OFFER_MINUTES = 30


def offer_minutes() -> int:
    return current_app.config.get("WAITLIST_OFFER_MINUTES", DEFAULT_OFFER_MINUTES)


def _line(resource: Resource, freed: list[Span], now: datetime) -> list[WaitlistEntry]:
    """The active entries of ``resource`` whose wish touches the freed time, read afresh under the lock."""
    first, last = min(s.start for s in freed), max(s.end for s in freed)
    query = (select(WaitlistEntry).where(
        WaitlistEntry.resource_id == resource.id, WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES),
        WaitlistEntry.starts_at < last, WaitlistEntry.ends_at > first)
        .order_by(WaitlistEntry.id).execution_options(populate_existing=True))
    return list(db.session.scalars(query))


def serve(resource: Resource, freed: list[Span], now: datetime | None = None) -> list[WaitlistEntry]:
    """Give the freed time to the line, first in line first. The caller holds ``lock_line(resource)``.
    Returns the entries served (booked, offered or expired)."""
    now = now or utcnow()
    if not freed:
        return []
    entries = [e for e in _line(resource, freed, now) if ordering.touched(Span(e.starts_at, e.ends_at), freed)]
    if not entries:
        return []
    weak = line.weak_school_ids(entries)
    by_id = {e.id: e for e in entries}
    places = [ordering.Place(e.id, e.id, e.school_id in weak, Span(e.starts_at, e.ends_at)) for e in entries]
    offers = [line.offer_span(e) for e in entries
              if e.status == EntryStatus.OFFERED and not ordering.offer_lapsed(e.offer_expires_at, now)]
    served = []
    for place in ordering.in_line(places, resource.waitlist_weak_first):
        entry = by_id[place.id]
        if entry.status != EntryStatus.WAITING:
            continue
        if entry.starts_at <= now:
            line.close(entry, EntryStatus.EXPIRED, now)
            served.append(entry)
            continue
        if ordering.blocked_by_offers(place.wish, offers):
            continue
        decision = _decide(entry, place.wish, freed, now)
        if decision.action == Action.WAIT:
            continue
        served.append(entry)
        if decision.action == Action.EXPIRE:
            line.close(entry, EntryStatus.EXPIRED, now)
        elif decision.action == Action.BOOK:
            created = create_booking(entry.user, line.booking_input(entry))
            line.booked(entry, created, now)
            record(None, "waitlist.booked", entry, {"booking_id": entry.booking_id})
            events.announce(events.waitlist_booked, None, created.bookings, entry=entry)
        else:
            _offer(entry, decision.span, now)
            offers.append(decision.span)
    db.session.flush()
    return served


def _decide(entry: WaitlistEntry, wish: Span, freed: list[Span], now: datetime) -> ordering.Decision:
    if not entry.user.active:
        return ordering.Decision(Action.EXPIRE)
    try:
        plan = plan_booking(entry.user, line.booking_input(entry))
    except ValidationFailed:
        return ordering.Decision(Action.WAIT)  # e.g. more students than the resource now seats: leave it be
    whole = line.kinds(line.refusals(plan))
    part = ordering.freed_part(wish, freed)
    part_kinds: frozenset[str] = frozenset()
    if whole & ordering.HELD and part is not None and part != wish and part.start > now:
        part_kinds = line.kinds(line.refusals(plan_booking(entry.user, line.booking_input(entry, part.start, part.end))))
    return ordering.decide(wish, now, whole, plan.request.confirmed, part, part_kinds)


def _offer(entry: WaitlistEntry, span: Span, now: datetime) -> None:
    entry.status, entry.offered_at = EntryStatus.OFFERED, now
    entry.offer_starts_at, entry.offer_ends_at = span.start, span.end
    # An offer lapses after the configured minutes, and never later than the start of what it offers.
    entry.offer_expires_at = min(now + timedelta(minutes=offer_minutes()), span.start)
    db.session.flush()
    record(None, "waitlist.offer", entry, {"start": span.start.isoformat(), "end": span.end.isoformat(),
                                           "expires": entry.offer_expires_at.isoformat()})
    events.waitlist_offered.send(None, bookings=[], entry=entry)


def on_slot_freed(actor, bookings=(), slots=(), **details) -> None:
    """``events.slot_freed``: serve each resource's line for the times that freed, in the same transaction."""
    by_resource: dict[int, tuple[Resource, list[Span]]] = {}
    for resource, start, end in slots:
        by_resource.setdefault(resource.id, (resource, []))[1].append(Span(start, end))
    for resource, spans in by_resource.values():
        if resource.kind == ResourceKind.TEACHER:
            continue  # nobody waits for a visiting teacher (join_waitlist refuses it)
        # The lock before the line is read: a teacher joining at this moment holds the exclusive lock and still
        # saw the time held, so the line is read once their place is committed. A change that already holds the
        # shared lock (a move) keeps it, and makes it exclusive only when someone waits: two moves upgrading at
        # once would deadlock (PostgreSQL then refuses one: a 409 to retry). Otherwise the lock is taken
        # exclusive at once, so two cancellations never deadlock.
        if held_booking_lock(resource) is False and not _any_waiting(resource, spans):
            continue
        line.lock_line(resource)
        serve(resource, spans)


def _any_waiting(resource: Resource, spans: list[Span]) -> bool:
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    return db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.resource_id == resource.id, WaitlistEntry.status == EntryStatus.WAITING,
        WaitlistEntry.starts_at < last, WaitlistEntry.ends_at > first).limit(1)) is not None


# --- open offers hold their time -----------------------------------------------------------------

def offer_holds(plan: Plan) -> Holds | None:
    """The open offers on ``plan``'s resource and times, as holds against everyone but the teacher offered:
    until it is taken or lapses, an offered time is nobody else's to book (the booking rules see it so).
    Read in the statement that reads the resource's bookings (booking.bookings.queries.existing_near)."""
    if not plan.occurrences:
        return None
    span = span_of(plan.occurrences)
    start, end = (func.coalesce(WaitlistEntry.offer_starts_at, WaitlistEntry.starts_at),
                  func.coalesce(WaitlistEntry.offer_ends_at, WaitlistEntry.ends_at))
    query = select(*hold_columns(
        OFFER_HOLD, resource_id=WaitlistEntry.resource_id, starts_at=start, ends_at=end, confirmed=true(),
        quantity=WaitlistEntry.quantity, school_id=WaitlistEntry.school_id, until=WaitlistEntry.offer_expires_at,
    )).where(WaitlistEntry.resource_id == plan.resource.id, WaitlistEntry.status == EntryStatus.OFFERED,
             WaitlistEntry.offer_expires_at > utcnow(), WaitlistEntry.user_id != plan.booker_id,
             start < span.end, end > span.start)
    return Holds(OFFER_HOLD, query, _offer_existing)


OFFER_HOLD = "offer"


def _offer_existing(row) -> Existing:
    holder = str(_l("a teacher on the waitlist (held for them until %(time)s)", time=to_local(row.until).strftime("%H:%M")))
    return Existing(id=None, interval=Interval(row.starts_at, row.ends_at), confirmed=True, quantity=row.quantity,
                    holder=holder, school_id=row.school_id)
