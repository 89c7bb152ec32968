"""Importing closures and term dates: what an import would add, change and remove; then doing it.

Each target (district-wide closures, one school's closures, the term dates) mirrors the calendar
imported into it, matched by UID: an event seen before is updated in place, a new one is added,
and — when asked — earlier imported events missing from the file are removed. Closures and terms
typed in by hand are never touched. ``apply_import`` plans again against the database as it is
now and writes everything or nothing.

Make-up working days (补班) in a closures import become make-up teaching days of the same target,
not closures, matched by UID the same way; each follows the weekday the file says, else the one the
coordinator chose in the preview, else the one an earlier import stored, else the guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select

from booking.audit.services import record
from booking.bookings.closures import closure_hits, decide_hits
from booking.bookings.hits import Decided, choice_errors
from booking.bookings.models import Booking, BookingSeries
from booking.calendars.ics_import import ImportedEvent
from booking.calendars.models import TermSource
from booking.extensions import db
from booking.schools.calendar import ClosureSpan
from booking.schools.models import Closure, MakeupDay, School, Term
from booking.parsing import spans_overlap
from booking.schools.services import district_for_writes
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

CLOSURES, TERMS = "closures", "terms"
TITLE_LIMIT = {CLOSURES: 200, TERMS: 100}


@dataclass(frozen=True)
class ImportTarget:
    kind: str  # CLOSURES or TERMS
    school_id: int | None = None  # closures of one school; None: of every school of ``district_id``
    remove_missing: bool = True
    district_id: int | None = None  # with no school: closures of this district's schools; None: of the county


@dataclass(frozen=True)
class Change:
    action: str  # "add", "change", "remove" or "keep"
    uid: str
    title: str
    start: date
    end: date
    before: tuple[str, date, date] | None = None  # the stored values, for "change" and "remove"
    start_time: time | None = None  # a closure of this time range on its days (None: whole days)
    end_time: time | None = None
    makeup: bool = False  # a make-up teaching day (补班), not a closure
    follows: int | None = None  # the weekday a make-up day is taught as (0 = Monday)
    follows_from_file: bool = False  # the file says it; otherwise the preview asks
    before_follows: int | None = None


@dataclass
class ImportPlan:
    target: ImportTarget
    changes: list[Change] = field(default_factory=list)
    problems: list = field(default_factory=list)
    # Closures added or changed, each with the active bookings it falls on (only those that fall on any).
    hits: list[tuple[Change, list[Booking]]] = field(default_factory=list)
    decided: Decided | None = None  # after apply_import: what became of them

    @property
    def affected(self) -> list[Booking]:
        """Every booking the imported closures fall on, once, earliest first."""
        unique = {booking.id: booking for _change, bookings in self.hits for booking in bookings}
        return sorted(unique.values(), key=lambda b: (b.starts_at, b.id))

    def of(self, action: str, makeup: bool | None = None) -> list[Change]:
        """The changes of one action; ``makeup`` True/False: only make-up days / only the rest."""
        return [change for change in self.changes
                if change.action == action and (makeup is None or change.makeup == makeup)]

    @property
    def makeup_days(self) -> list[Change]:
        """The make-up days the file lists (added, changed or kept), for the preview's weekday choices."""
        return [change for change in self.changes if change.makeup and change.action != "remove"]

    @property
    def has_changes(self) -> bool:
        return any(change.action != "keep" for change in self.changes)


def _stored(target: ImportTarget) -> dict[str, Closure | Term]:
    """What earlier imports put into ``target``, by UID."""
    if target.kind == TERMS:
        return {source.source_uid: source.term for source in db.session.scalars(select(TermSource))}
    return {closure.source_uid: closure for closure in db.session.scalars(
        select(Closure).where(Closure.source_uid.is_not(None), _same_place(Closure, target)).order_by(Closure.id))}


def _same_place(model, target: ImportTarget):
    """SQL predicate on ``Closure`` or ``MakeupDay``: a row of exactly ``target``'s place (the school, the district
    or the county), so each target's imports match their own rows only."""
    if target.school_id is not None:
        return model.school_id == target.school_id
    return model.school_id.is_(None) & (model.district_id.is_(None) if target.district_id is None
                                        else model.district_id == target.district_id)


def _values(record_: Closure | Term) -> tuple[str, date, date]:
    title = record_.name if isinstance(record_, Term) else record_.reason
    return title, record_.start_date, record_.end_date


def _term_problems(plan: ImportPlan, stored: dict[str, Term]) -> list:
    """Terms must not overlap once the import is done, and a term bookings use cannot go."""
    problems = []
    imported = {stored[c.uid].id for c in plan.changes if c.uid in stored}
    final = [(t.name, t.start_date, t.end_date) for t in db.session.scalars(select(Term)) if t.id not in imported]
    final += [(c.title, c.start, c.end) for c in plan.changes if c.action != "remove"]
    # Sorted by start, any overlap shows up between neighbours.
    final.sort(key=lambda term: term[1])
    for (name, start, end), (other, other_start, other_end) in zip(final, final[1:]):
        if spans_overlap(start, end, other_start, other_end):
            problems.append(_l("The term “%(a)s” would overlap the term “%(b)s”.", a=name, b=other))
    removed = [stored[c.uid] for c in plan.of("remove")]
    used = set(db.session.scalars(select(BookingSeries.term_id).where(
        BookingSeries.term_id.in_([term.id for term in removed])))) if removed else set()
    for term in removed:
        if term.id in used:
            problems.append(_l("The term “%(name)s” is used by bookings and cannot be removed.", name=term.name))
    return problems


def _stored_makeup(target: ImportTarget) -> dict[str, MakeupDay]:
    """The make-up days earlier imports put into a closures target, by UID."""
    return {day.source_uid: day for day in db.session.scalars(
        select(MakeupDay).where(MakeupDay.source_uid.is_not(None), _same_place(MakeupDay, target))
        .order_by(MakeupDay.id))}


def _plan_makeup(plan: ImportPlan, events: list[ImportedEvent], chosen: dict[str, int]) -> None:
    stored = _stored_makeup(plan.target)
    for event in events:
        title = event.title[:TITLE_LIMIT[CLOSURES]]
        existing = stored.get(event.uid)
        follows = event.follows
        if follows is None:
            follows = chosen.get(event.uid)
        if follows is None:
            follows = existing.follows_weekday if existing is not None else event.guess
        if follows is None:
            follows = event.start.weekday() if event.start.weekday() < 5 else 0
        change = dict(makeup=True, follows=follows, follows_from_file=event.follows is not None)
        if existing is None:
            plan.changes.append(Change("add", event.uid, title, event.start, event.start, **change))
            continue
        before = (existing.reason, existing.day, existing.day)
        same = before == (title, event.start, event.start) and existing.follows_weekday == follows
        plan.changes.append(Change("keep" if same else "change", event.uid, title, event.start, event.start, before,
                                   before_follows=existing.follows_weekday, **change))
    if plan.target.remove_missing:
        in_file = {event.uid for event in events}
        for uid, existing in stored.items():
            if uid not in in_file:
                before = (existing.reason, existing.day, existing.day)
                plan.changes.append(Change("remove", uid, *before, before=before, makeup=True,
                                           follows=existing.follows_weekday))


def plan_import(events: list[ImportedEvent], target: ImportTarget, chosen: dict[str, int] | None = None) -> ImportPlan:
    """What importing ``events`` into ``target`` would do. Writes nothing.

    ``chosen``: the weekdays the coordinator picked in the preview for make-up days (UID → 0..6)."""
    stored = _stored(target)
    plan = ImportPlan(target)
    limit = TITLE_LIMIT[target.kind]
    if target.kind == CLOSURES:
        _plan_makeup(plan, [e for e in events if e.makeup], chosen or {})
        events = [e for e in events if not e.makeup]
    for event in events:
        title = event.title[:limit]
        existing = stored.get(event.uid)
        if existing is None:
            plan.changes.append(Change("add", event.uid, title, event.start, event.end, None,
                                       *_event_times(event, target)))
            continue
        before = _values(existing)
        same = before == (title, event.start, event.end) and _times(existing) == (event.start_time, event.end_time)
        plan.changes.append(Change("keep" if same else "change", event.uid, title, event.start, event.end, before,
                                   *_event_times(event, target)))
    if target.remove_missing:
        in_file = {event.uid for event in events}
        for uid, existing in stored.items():
            if uid not in in_file:
                plan.changes.append(Change("remove", uid, *_values(existing), before=_values(existing)))
    if target.kind == TERMS:
        plan.problems = _term_problems(plan, stored)
    else:
        plan.hits = _closure_hits(plan)
    return plan


def _event_times(event: ImportedEvent, target: ImportTarget) -> tuple[time | None, time | None]:
    """Closures keep a timed event's range; terms are whole days."""
    return (event.start_time, event.end_time) if target.kind == CLOSURES else (None, None)


def _times(record_: Closure | Term) -> tuple[time | None, time | None]:
    return (record_.start_time, record_.end_time) if isinstance(record_, Closure) else (None, None)


def _span(change: Change, target: ImportTarget) -> ClosureSpan:
    return ClosureSpan(target.school_id, change.start, change.end, change.title, change.start_time, change.end_time,
                       _closed_district(target))


def _closure_hits(plan: ImportPlan) -> list[tuple[Change, list[Booking]]]:
    found = []
    for change in plan.changes:
        if change.action in ("add", "change"):
            affected = closure_hits(_span(change, plan.target))
            if affected:
                found.append((change, affected))
    return found


def _closed_district(target: ImportTarget) -> int | None:
    """An imported closure's (or make-up day's) district: the school's, or the district imported into; none for
    the county's (every school)."""
    return db.session.get(School, target.school_id).district_id if target.school_id is not None else target.district_id


def _write_closure(change: Change, stored: dict, target: ImportTarget, actor) -> Closure | None:
    if change.action == "remove":
        closure = stored[change.uid]
        record(actor, "closure.delete", ("Closure", closure.id), {"source_uid": change.uid, "import": True})
        db.session.delete(closure)
        return None
    closure = stored.get(change.uid) or Closure(district_id=_closed_district(target), school_id=target.school_id,
                                                source_uid=change.uid)
    closure.reason, closure.start_date, closure.end_date = change.title, change.start, change.end
    closure.start_time, closure.end_time = change.start_time, change.end_time
    db.session.add(closure)
    details = {"source_uid": change.uid, "school_id": target.school_id, "start": change.start.isoformat(),
               "end": change.end.isoformat(), "reason": change.title, "import": True,
               **({"district_id": target.district_id} if target.district_id is not None else {})}
    if change.start_time is not None:
        details.update(start_time=change.start_time.strftime("%H:%M"), end_time=change.end_time.strftime("%H:%M"))
    record(actor, "closure.create" if change.action == "add" else "closure.update", closure, details)
    return closure


def _write_term(change: Change, stored: dict, district_id: int, actor) -> None:
    if change.action == "remove":
        term = stored[change.uid]
        record(actor, "term.delete", ("Term", term.id), {"source_uid": change.uid, "import": True})
        db.session.execute(TermSource.__table__.delete().where(TermSource.term_id == term.id))
        db.session.delete(term)
        return
    term = stored.get(change.uid)
    if term is None:
        term = Term(district_id=district_id)
        db.session.add(term)
        db.session.add(TermSource(term=term, source_uid=change.uid))
    term.name, term.start_date, term.end_date = change.title, change.start, change.end
    record(actor, "term.create" if change.action == "add" else "term.update", term,
           {"source_uid": change.uid, "name": change.title, "start": change.start.isoformat(),
            "end": change.end.isoformat(), "import": True})


def _write_makeup(change: Change, stored: dict, target: ImportTarget, actor) -> None:
    if change.action == "remove":
        day = stored[change.uid]
        record(actor, "makeup_day.delete", ("MakeupDay", day.id), {"source_uid": change.uid, "import": True})
        db.session.delete(day)
        return
    day = stored.get(change.uid) or MakeupDay(district_id=_closed_district(target), school_id=target.school_id,
                                              source_uid=change.uid)
    day.reason, day.day, day.follows_weekday = change.title, change.start, change.follows
    db.session.add(day)
    record(actor, "makeup_day.create" if change.action == "add" else "makeup_day.update", day,
           {"source_uid": change.uid, "school_id": target.school_id, "day": change.start.isoformat(),
            "follows_weekday": change.follows, "reason": change.title, "import": True})


def apply_import(events: list[ImportedEvent], target: ImportTarget, actor, on_bookings: str = "keep",
                 chosen: dict[str, int] | None = None) -> ImportPlan:
    """Import ``events`` into ``target``: all of it, or nothing (ValidationFailed with the problems).

    The bookings the added or changed closures fall on are cancelled or kept (``on_bookings``) in the same
    unit of work, each closure announcing its ``closure_hit``; ``plan.decided`` says what happened.
    ``chosen``: the weekday the coordinator picked for each make-up day (by uid) in the preview."""
    errors = choice_errors(on_bookings)
    if errors:
        raise ValidationFailed(errors)
    plan = plan_import(events, target, chosen)
    if plan.problems:
        raise ValidationFailed({"file": " ".join(str(problem) for problem in plan.problems)})
    plan.decided = Decided()
    if not plan.has_changes:
        return plan
    stored = _stored(target)
    stored_makeup = _stored_makeup(target) if target.kind == CLOSURES else {}
    district_id = district_for_writes().id
    try:
        written = []
        for change in plan.changes:
            if change.action == "keep":
                continue
            if change.makeup:
                _write_makeup(change, stored_makeup, target, actor)
            elif target.kind == TERMS:
                _write_term(change, stored, district_id, actor)
            else:
                written.append(_write_closure(change, stored, target, actor))
        db.session.flush()
        for closure in (c for c in written if c is not None):
            # One closure after the other: a booking two of them fall on is cancelled once.
            decided = decide_hits(actor, closure, closure_hits(closure), on_bookings)
            plan.decided.cancelled += decided.cancelled
            plan.decided.kept += [b for b in decided.kept if b not in plan.decided.kept]
    except Exception:
        db.session.rollback()
        raise
    return plan
