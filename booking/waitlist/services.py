"""Waiting for a full slot, and giving a freed slot to the first in line.

The functions the pages, the API and the scheduler call (each flushes; the caller commits):

- ``join_waitlist(actor, BookingInput) -> WaitlistEntry``: a place in line for a time that others hold.
  Raises ValidationFailed (bad input; the time is free: book it; a series), BookingRefused (refused for
  other reasons than the time being held: waiting would not help).
- ``leave_waitlist(actor, entry)``: out of the line; an offer they held passes to the next in line.
- ``accept_offer(actor, entry) -> Created``: books the offered time through ``create_booking``.
- ``on_slot_freed``: the receiver of ``events.slot_freed``; ``waitlist_work(now)``: the scheduler's job
  (offers lapse to the next in line, entries whose start passed expire, a sweep serves what freed unannounced).
- ``offer_holds``: registered in ``booking.bookings.planning.EXTRA_HOLDS``: an open offer holds its time
  against every booking but the offered teacher's.

Every change of the line happens under the resource's exclusive lock (``begin_booking_write`` with
``edits_resource``: SQLite's write lock, PostgreSQL's row lock FOR UPDATE), the same lock every booking
of the resource waits for. So two slots freeing at once, an offer lapsing and a teacher joining or
leaving are served one after the other, each seeing what the other committed; and a booking made for
the first in line is checked by every booking rule, as the waiting teacher, before it is made.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, true

from booking import events
from booking.audit.services import record
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.guarantee import begin_booking_write, held_booking_lock
from booking.bookings.models import Booking
from booking.bookings.planning import BookingInput, Plan, check_plan, plan_booking
from booking.bookings.queries import Holds, hold_columns, span_of
from booking.bookings.rules import Existing, Interval, Refusal
from booking.bookings.services import Created, create_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import to_local
from booking.permissions import can_change_waitlist_entry, can_see_resource, visible_waitlist_clause
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import School
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed
from booking.waitlist import ordering
from booking.waitlist.models import ACTIVE_ENTRY_STATUSES, EntryStatus, WaitlistEntry
from booking.waitlist.ordering import Action, Span

DEFAULT_OFFER_MINUTES = 30


def offer_minutes() -> int:
    return current_app.config.get("WAITLIST_OFFER_MINUTES", DEFAULT_OFFER_MINUTES)


def lock_line(resource: Resource) -> None:
    """The resource's exclusive lock, held until the unit of work commits; then the line is read afresh."""
    begin_booking_write(resource, edits_resource=True)


# --- what the rules say about a wish ------------------------------------------------------------

def _input(entry_or_data, start: datetime | None = None, end: datetime | None = None) -> BookingInput:
    e = entry_or_data
    return BookingInput(resource_id=e.resource_id, title=e.title, class_name=e.class_name, students=e.students,
                        quantity=e.quantity, school_id=e.school_id, start=start or e.starts_at, end=end or e.ends_at)


def _refusals(plan: Plan) -> list[Refusal]:
    preview = check_plan(plan)
    return [] if preview.bookable else preview.refusals()


def _kinds(refusals: list[Refusal]) -> frozenset[str]:
    return frozenset(r.kind.value for r in refusals)


# --- joining and leaving --------------------------------------------------------------------------

def join_waitlist(actor, data: BookingInput) -> WaitlistEntry:
    """Wait for ``data``'s time (one date). Checked under the lock: it must be held by others, and only that."""
    if data.rrule:
        raise ValidationFailed({"recurrence": _l("You can wait for one date at a time, not for a repeating booking.")})
    plan = plan_booking(actor, data)  # ValidationFailed names every bad field
    if plan.resource.kind == ResourceKind.TEACHER:
        raise ValidationFailed({"resource_id": _l("A visiting teacher's lesson cannot be waited for: ask for another "
                                                  "time.")})
    lock_line(plan.resource)
    refusals = _refusals(plan)
    if not refusals:
        raise ValidationFailed({"start": _l("This time is free: book it instead of waiting.")})
    if not ordering.may_join(_kinds(refusals)):
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


def _close(entry: WaitlistEntry, status: EntryStatus, now: datetime) -> None:
    entry.status, entry.closed_at = status, now


def _require_active(actor, entry: WaitlistEntry) -> None:
    if not can_change_waitlist_entry(actor, entry):
        raise NotAllowed()
    if not entry.is_active:
        raise ValidationFailed({"entry": _l("This place in the waitlist is no longer active.")})


def leave_waitlist(actor, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave the line. An offer the entry held goes to the next in line, under the same lock."""
    if not can_change_waitlist_entry(actor, entry):
        raise NotAllowed()
    lock_line(entry.resource)
    db.session.refresh(entry)
    _require_active(actor, entry)
    held = _offer_span(entry) if entry.status == EntryStatus.OFFERED else None
    now = utcnow()
    _close(entry, EntryStatus.LEFT, now)
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
    lock_line(entry.resource)
    db.session.refresh(entry)
    now = utcnow()
    if entry.status != EntryStatus.OFFERED or ordering.offer_lapsed(entry.offer_expires_at, now):
        raise ValidationFailed({"entry": _l("There is no open offer for this place: it was taken, left or it lapsed.")})
    span = _offer_span(entry)
    created = create_booking(actor, _input(entry, span.start, span.end))
    _booked(entry, created, now)
    record(actor, "waitlist.accept", entry, {"booking_id": entry.booking_id})
    events.announce(events.waitlist_booked, actor, created.bookings, entry=entry)
    return created


def _booked(entry: WaitlistEntry, created: Created, now: datetime) -> None:
    entry.booking_id = created.bookings[0].id
    _close(entry, EntryStatus.BOOKED, now)
    db.session.flush()


def _offer_span(entry: WaitlistEntry) -> Span:
    return Span(entry.offer_starts_at or entry.starts_at, entry.offer_ends_at or entry.ends_at)


# --- serving the line -----------------------------------------------------------------------------

def _line(resource: Resource, freed: list[Span], now: datetime) -> list[WaitlistEntry]:
    """The active entries of ``resource`` whose wish touches the freed time, read afresh under the lock."""
    first, last = min(s.start for s in freed), max(s.end for s in freed)
    query = (select(WaitlistEntry).where(
        WaitlistEntry.resource_id == resource.id, WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES),
        WaitlistEntry.starts_at < last, WaitlistEntry.ends_at > first)
        .order_by(WaitlistEntry.id).execution_options(populate_existing=True))
    return list(db.session.scalars(query))


def _weak_school_ids(entries: list[WaitlistEntry]) -> set[int]:
    ids = {e.school_id for e in entries}
    return set(db.session.scalars(select(School.id).where(School.id.in_(ids), School.is_weak.is_(True)))) if ids else set()


def serve(resource: Resource, freed: list[Span], now: datetime | None = None) -> list[WaitlistEntry]:
    """Give the freed time to the line, first in line first. The caller holds ``lock_line(resource)``.
    Returns the entries served (booked, offered or expired)."""
    now = now or utcnow()
    if not freed:
        return []
    entries = [e for e in _line(resource, freed, now) if ordering.touched(Span(e.starts_at, e.ends_at), freed)]
    if not entries:
        return []
    weak = _weak_school_ids(entries)
    by_id = {e.id: e for e in entries}
    places = [ordering.Place(e.id, e.id, e.school_id in weak, Span(e.starts_at, e.ends_at)) for e in entries]
    offers = [_offer_span(e) for e in entries
              if e.status == EntryStatus.OFFERED and not ordering.offer_lapsed(e.offer_expires_at, now)]
    served = []
    for place in ordering.in_line(places, resource.waitlist_weak_first):
        entry = by_id[place.id]
        if entry.status != EntryStatus.WAITING:
            continue
        if entry.starts_at <= now:
            _close(entry, EntryStatus.EXPIRED, now)
            served.append(entry)
            continue
        if ordering.blocked_by_offers(place.wish, offers):
            continue
        decision = _decide(entry, place.wish, freed, now)
        if decision.action == Action.WAIT:
            continue
        served.append(entry)
        if decision.action == Action.EXPIRE:
            _close(entry, EntryStatus.EXPIRED, now)
        elif decision.action == Action.BOOK:
            created = create_booking(entry.user, _input(entry))
            _booked(entry, created, now)
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
        plan = plan_booking(entry.user, _input(entry))
    except ValidationFailed:
        return ordering.Decision(Action.WAIT)  # e.g. more students than the resource now seats: leave it be
    whole = _kinds(_refusals(plan))
    part = ordering.freed_part(wish, freed)
    part_kinds: frozenset[str] = frozenset()
    if whole & ordering.HELD and part is not None and part != wish and part.start > now:
        part_kinds = _kinds(_refusals(plan_booking(entry.user, _input(entry, part.start, part.end))))
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
        lock_line(resource)
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


# --- the scheduler's job ------------------------------------------------------------------------

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
        lock_line(resource)
        freed = []
        entries = db.session.scalars(select(WaitlistEntry).where(
            WaitlistEntry.id.in_([row.id for row in due if row.resource_id == resource_id]))
            .order_by(WaitlistEntry.id).execution_options(populate_existing=True))
        for entry in entries:  # read again under the lock: someone may have accepted or left meanwhile
            if entry.status == EntryStatus.OFFERED and ordering.offer_lapsed(entry.offer_expires_at, now):
                freed.append(_offer_span(entry))
                _close(entry, EntryStatus.LAPSED, now)
                record(None, "waitlist.lapse", entry, {})
                lapsed += 1
            elif entry.status == EntryStatus.WAITING and entry.starts_at <= now:
                _close(entry, EntryStatus.EXPIRED, now)
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
        lock_line(resource)
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
            refused = _kinds(_refusals(plan_booking(entry.user, _input(entry))))
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
    weak = _weak_school_ids(others)
    places = [ordering.Place(e.id, e.id, e.school_id in weak, Span(e.starts_at, e.ends_at)) for e in others]
    line = [p.id for p in ordering.in_line(places, entry.resource.waitlist_weak_first)]
    return line.index(entry.id) + 1


def visible_entry(actor, entry_id: int) -> WaitlistEntry | None:
    return db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.id == entry_id, visible_waitlist_clause(actor)))


def entry_resource_visible(actor, entry: WaitlistEntry) -> bool:
    return can_see_resource(actor, entry.resource)
