"""SQL that narrows what the rules look at, and snapshots that hand it to them.

Each function is one query, whatever the number of dates: a whole series is checked
against the candidates fetched once for the span from its first start to its last end.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import (Boolean, Date, Integer, Row, Select, String, Time, and_, case, cast, func, literal, null, or_,
                        select, union_all)
from sqlalchemy.orm import joinedload

from booking.bookings.rules.closed import ClosedTimes, closed_times
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, ResourceBlackout
from booking.bookings.rules import (MAX_BOOKING_LENGTH, Calendar, Existing, Interval, ResourceSnapshot, TeacherSnapshot,
                                    TermSpan, local_days)
from booking.bookings.rules.teachers import week_window
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource, ResourceKind, Sharing
from booking.schools.models import Closure, MakeupDay, School, Term

# How a resource of kind teacher reads as the person the rules check. The teachers package builds
# on this one, so it hands its reader in (``register_teacher_snapshot``, called by create_app)
# rather than being imported from here.
_teacher_snapshot: Callable[[int], TeacherSnapshot | None] | None = None


def register_teacher_snapshot(read: Callable[[int], TeacherSnapshot | None]) -> None:
    global _teacher_snapshot
    _teacher_snapshot = read


def teacher_snapshot(resource_id: int) -> TeacherSnapshot | None:
    if _teacher_snapshot is None:  # never silently skip a person's rules
        raise RuntimeError("booking.teachers has not registered its teacher snapshot")
    return _teacher_snapshot(resource_id)


def resource_snapshot(resource: Resource) -> ResourceSnapshot:
    is_teacher = resource.kind == ResourceKind.TEACHER
    return ResourceSnapshot(
        id=resource.id,
        owner_school_id=resource.owner_school_id,
        quantity_based=resource.is_quantity_based,
        stock=resource.stock,
        capacity=resource.capacity,
        own_school_only=resource.sharing == Sharing.OWN_SCHOOL,
        approval_required=resource.approval_required,
        active=resource.active,
        min_duration=resource.min_duration_minutes,
        max_duration=resource.max_duration_minutes,
        max_advance_days=resource.max_advance_days,
        opening_hours=tuple((h.weekday, h.opens, h.closes) for h in resource.opening_hours),
        is_teacher=is_teacher,
        teacher=teacher_snapshot(resource.id) if is_teacher else None,
        outside_term=resource.outside_term.value if resource.outside_term else "confirm",
    )


def span_of(intervals: Iterable[Interval]) -> Interval:
    intervals = list(intervals)
    return Interval(min(i.start for i in intervals), max(i.end for i in intervals))


def _active_in(span: Interval) -> tuple:
    """Active bookings overlapping ``span`` (pending requests whose start has passed no longer count: they
    are expired, see approvals.expire_stale_requests, whether or not the nightly job has marked them yet)."""
    return (
        Booking.status.in_(ACTIVE_STATUSES),
        Booking.starts_at < span.end,
        Booking.starts_at > span.start - MAX_BOOKING_LENGTH,
        Booking.ends_at > span.start,
        or_(Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > utcnow()),
    )


def overlapping_bookings(resource_ids: Iterable[int], span: Interval, exclude_ids: Iterable[int] = (),
                         windows: Iterable[Interval] = ()) -> list[Booking]:
    """Active bookings of the resources overlapping ``span``: ONE query.

    ``windows`` (e.g. the dates of a series) narrow it further inside the same query, so a
    term-long series on a busy resource reads its 20 dates' neighbours, not the whole term.
    """
    query = (
        select(Booking)
        .options(joinedload(Booking.school))
        .where(Booking.resource_id.in_(list(resource_ids)), *_active_in(span))
        .order_by(Booking.starts_at)
    )
    windows = list(windows)
    if len(windows) > 1:
        query = query.where(or_(*(and_(Booking.starts_at < w.end, Booking.ends_at > w.start) for w in windows)))
    excluded = list(exclude_ids)
    if excluded:
        query = query.where(Booking.id.not_in(excluded))
    return list(db.session.scalars(query))


def typed_columns(kind: str, spec: dict, given: dict) -> list:
    """One branch of a UNION ALL read in one statement: ``kind`` and every column of ``spec`` (name → type),
    those not ``given`` as NULLs of their type, so every branch reads alike on both databases."""
    return [literal(kind, String).label("kind")] + [
        (given[name] if name in given else cast(null(), type_)).label(name) for name, type_ in spec.items()]


# What holds a resource's time, as one statement reads it: its bookings and the holds other packages register
# (``Holds``, e.g. the waitlist's open offers, booking.bookings.planning.EXTRA_HOLDS).
HOLD_COLUMNS = {"id": Integer(), "resource_id": Integer(), "starts_at": UTCDateTime(), "ends_at": UTCDateTime(),
                "confirmed": Boolean(), "quantity": Integer(), "school_id": Integer(), "school_name": String(),
                "class_name": String(), "title": String(), "until": UTCDateTime()}


@dataclass(frozen=True)
class Holds:
    """A hold on a resource's time other than its bookings: ``query`` selects ``hold_columns(kind, ...)`` rows,
    read in the statement that reads the bookings; ``existing`` reads one of its rows as the rules' ``Existing``."""

    kind: str
    query: Select
    existing: Callable[[Row], Existing]


def hold_columns(kind: str, **given) -> list:
    """The columns of HOLD_COLUMNS for one branch of the holds' statement (NULL where not ``given``)."""
    return typed_columns(kind, HOLD_COLUMNS, given)


def _booking_existing(row) -> Existing:
    who = " ".join(part for part in (row.school_name, row.class_name) if part)
    return Existing(id=row.id, interval=Interval(row.starts_at, row.ends_at), confirmed=bool(row.confirmed),
                    quantity=row.quantity, holder=f"{who} ({row.title})" if row.title else who, school_id=row.school_id)


def existing_near(windows: dict[int, Iterable[Interval]], exclude_ids: Iterable[int] = (),
                  holds: Iterable[Holds] = ()) -> dict[int, list[Existing]]:
    """What the rules see of the active bookings overlapping each resource's windows (resource id → windows),
    and of the other ``holds`` on them: ONE Core query for any number of resources and windows, read straight
    into ``Existing`` rows (no ORM objects: the booking hot path and the alternatives search read only these)."""
    windows = {rid: sorted(set(ws), key=lambda w: w.start) for rid, ws in windows.items()}
    found: dict[int, list[Existing]] = {rid: [] for rid in windows}
    pairs = [(rid, w) for rid, ws in windows.items() for w in ws]
    if not pairs:
        return found
    query = (
        select(*hold_columns("booking", id=Booking.id, resource_id=Booking.resource_id, starts_at=Booking.starts_at,
                             ends_at=Booking.ends_at, confirmed=Booking.status == BookingStatus.CONFIRMED,
                             quantity=Booking.quantity, school_id=Booking.school_id, school_name=School.name,
                             class_name=Booking.class_name, title=Booking.title))
        .join(School, School.id == Booking.school_id)
        .where(Booking.resource_id.in_(list(windows)), *_active_in(span_of(w for _, w in pairs)))
    )
    if len(pairs) > 1:  # one condition per window, for every resource asked about at it (alternatives share one)
        by_window: dict[Interval, list[int]] = {}
        for rid, w in pairs:
            by_window.setdefault(w, []).append(rid)
        query = query.where(or_(*(and_(Booking.resource_id.in_(rids) if len(rids) > 1 else Booking.resource_id == rids[0],
                                       Booking.starts_at < w.end, Booking.ends_at > w.start)
                                  for w, rids in by_window.items())))
    excluded = list(exclude_ids)
    if excluded:
        query = query.where(Booking.id.not_in(excluded))
    holds = list(holds)
    readers = {hold.kind: hold.existing for hold in holds}
    statement = union_all(query, *(hold.query for hold in holds)) if holds else query
    rows = db.session.execute(statement.order_by("starts_at", "id")).all()
    for row in sorted(rows, key=lambda r: r.kind != "booking"):  # the bookings first, then the other holds
        found[row.resource_id].append(readers[row.kind](row) if row.kind in readers else _booking_existing(row))
    return found


def check_window(resource: Resource, interval: Interval) -> Interval:
    """What the rules must see around ``interval``: the interval itself; for a visiting teacher the
    local week around it (travel looks at the lessons of the day, the weekly cap at the week's)."""
    return week_window(interval.start, district_zone()) if resource.kind == ResourceKind.TEACHER else interval


def candidate_bookings(resource: Resource, intervals: Iterable[Interval], exclude_ids: Iterable[int] = ()) -> list[Booking]:
    """The active bookings the rules check ``intervals`` of ``resource`` against: ONE query."""
    windows = sorted({check_window(resource, i) for i in intervals}, key=lambda w: w.start)
    return overlapping_bookings([resource.id], span_of(windows), exclude_ids, windows)


def candidate_existing(resource: Resource, intervals: Iterable[Interval], exclude_ids: Iterable[int] = (),
                       holds: Iterable[Holds] = ()) -> list[Existing]:
    """``as_existing(candidate_bookings(...))`` and the other ``holds`` in one Core query, for a check that needs
    no Booking objects."""
    return existing_near({resource.id: {check_window(resource, i) for i in intervals}}, exclude_ids, holds)[resource.id]


def holder_label(booking: Booking) -> str:
    """Who holds a slot, as the clash message shows it: school, class and purpose."""
    who = " ".join(part for part in (booking.school.name, booking.class_name) if part)
    return f"{who} ({booking.title})" if booking.title else who


def as_existing(bookings: Iterable[Booking]) -> list[Existing]:
    return [
        Existing(id=b.id, interval=Interval(b.starts_at, b.ends_at), confirmed=b.status == BookingStatus.CONFIRMED,
                 quantity=b.quantity, holder=holder_label(b), school_id=b.school_id)
        for b in bookings
    ]


@dataclass(frozen=True)
class Placed:
    """Where a row of a placed calendar table (closures, make-up days: ``school_id`` and ``district_id``) applies,
    as SQL: ``school`` is its own school, or each school of its district (one row each), NULL for the county's
    (every school); ``level`` 2 for one school's, 1 for a district's, 0 for the county's (the nearer one wins)."""

    table: object
    schools: object  # the schools of the row's district, joined
    school: object
    level: object


def _placed(model) -> Placed:
    # On the tables, not the mapped classes: built at import, it must not configure the mappers before every model is.
    table = model.__table__
    schools = School.__table__.alias(f"{table.name}_district_school")
    level = case((table.c.school_id.is_not(None), 2), (table.c.district_id.is_not(None), 1), else_=0)
    return Placed(table, schools, func.coalesce(table.c.school_id, schools.c.id), level)


CLOSURE_PLACE, MAKEUP_PLACE = _placed(Closure), _placed(MakeupDay)
CLOSED_SCHOOL = CLOSURE_PLACE.school


def _placed_rows(place: Placed, columns, school_ids: set[int] | None, *conditions):
    """``columns`` of the rows of ``place``'s table that meet ``conditions``, one per school each applies to
    (``place.school``): one school's once, a district's once for each of its schools, the county's once with no
    school. Only the rows of ``school_ids`` and the county's (None: every school)."""
    table, schools = place.table, place.schools
    query = (select(*columns).select_from(table)
             .outerjoin(schools, table.c.school_id.is_(None) & (schools.c.district_id == table.c.district_id))
             # a district without schools holds nothing (not the county)
             .where(*conditions, or_(table.c.district_id.is_(None), place.school.is_not(None))))
    if school_ids is not None:
        query = query.where(or_(place.school.is_(None), place.school.in_(school_ids)))
    return query


def _closure_rows(columns, first: date, last: date, school_ids: set[int] | None):
    """``columns`` of the closures touching the local dates ``first``..``last``, one row per school each closes
    (``_placed_rows``)."""
    return _placed_rows(CLOSURE_PLACE, columns, school_ids, Closure.start_date <= last, Closure.end_date >= first)


def _closures_between(first: date, last: date, school_ids: set[int] | None = None) -> list[Row]:
    """Closures touching the local dates ``first``..``last`` that close ``school_ids`` (None: any school), as
    rows of the school they close (``school_id``; None: every school), for ``closed_times``."""
    columns = (Closure.id, CLOSED_SCHOOL.label("school_id"), Closure.start_date, Closure.end_date,
               Closure.start_time, Closure.end_time, Closure.reason)
    return list(db.session.execute(_closure_rows(columns, first, last, school_ids)
                                   .order_by(Closure.start_date, Closure.id)))


def closed_times_by_school(school_ids: Iterable[int], first: date, last: date) -> dict[int, ClosedTimes]:
    """Each school's closed times between local dates (district closures plus its own): one query."""
    school_ids = set(school_ids)
    return closed_times(_closures_between(first, last, school_ids), school_ids, first, last, district_zone())


def closed_days_by_school(school_ids: Iterable[int], first: date, last: date) -> dict[int, dict[date, str]]:
    """Each school's whole closed local dates (district holidays plus its own closures): one query.
    A closure of a time range (a morning) leaves its days open here."""
    return {school_id: dict(times.days) for school_id, times in closed_times_by_school(school_ids, first, last).items()}


def _makeup_days(rows, school_ids: set[int]) -> dict[int, dict[date, int]]:
    """Each school's make-up days from rows with ``school_id`` (None: every school), ``level``, ``day`` and
    ``follows_weekday``: a school's own make-up day wins over its district's, and that over the county's, on the
    same date."""
    days: dict[int, dict[date, int]] = {school_id: {} for school_id in school_ids}
    for row in sorted(rows, key=lambda r: r.level):
        for school_id in (school_ids if row.school_id is None else {row.school_id} & school_ids):
            days[school_id][row.day] = row.follows_weekday
    return days


def makeup_days_by_school(school_ids: Iterable[int], first: date, last: date) -> dict[int, dict[date, int]]:
    """Each school's make-up teaching days (date → the weekday taught) in [first, last]: one query.

    A school's own make-up day wins over its district's, and that over the county's, on the same date."""
    school_ids = set(school_ids)
    columns = (MAKEUP_PLACE.school.label("school_id"), MAKEUP_PLACE.level.label("level"), MakeupDay.day,
               MakeupDay.follows_weekday)
    rows = db.session.execute(_placed_rows(MAKEUP_PLACE, columns, school_ids, MakeupDay.day >= first,
                                           MakeupDay.day <= last).order_by(MakeupDay.day, MakeupDay.id))
    return _makeup_days(rows, school_ids)


def term_spans() -> tuple[TermSpan, ...]:
    """The district's terms, for the outside-term rule (a handful of rows)."""
    return tuple(TermSpan(t.start_date, t.end_date, t.name)
                 for t in db.session.scalars(select(Term).order_by(Term.start_date)))


def blackouts_by_resource(resource_ids: Iterable[int], span: Interval) -> dict[int, tuple[tuple[Interval, str], ...]]:
    rows = db.session.scalars(
        select(ResourceBlackout).where(
            ResourceBlackout.resource_id.in_(list(resource_ids)),
            ResourceBlackout.starts_at < span.end,
            ResourceBlackout.ends_at > span.start,
        ).order_by(ResourceBlackout.starts_at)
    )
    found: dict[int, list] = {}
    for blackout in rows:
        found.setdefault(blackout.resource_id, []).append((Interval(blackout.starts_at, blackout.ends_at), blackout.reason))
    return {resource_id: tuple(items) for resource_id, items in found.items()}


# The calendar's rows as one statement reads them: closures, make-up days, terms and blackouts (``_calendar_rows``).
CALENDAR_COLUMNS = {"id": Integer(), "school_id": Integer(), "resource_id": Integer(), "start_date": Date(),
                    "end_date": Date(), "start_time": Time(), "end_time": Time(), "starts_at": UTCDateTime(),
                    "ends_at": UTCDateTime(), "day": Date(), "follows_weekday": Integer(), "reason": String(),
                    "level": Integer()}


def _calendar_rows(closure_schools: set[int] | None, makeup_schools: set[int], resource_ids: list[int],
                   days: list[date], span: Interval) -> dict[str, list[Row]]:
    """The rows a calendar is made of over ``days`` (and ``span``), by kind: ONE statement. The closures and the
    make-up days of the county and of ``closure_schools`` (None: of every school) and ``makeup_schools``, their
    own and their districts' (``_placed_rows``), the terms, the blackouts of ``resource_ids``. Each row reads
    like its model."""
    first, last = days[0], days[-1]
    closures = _closure_rows(typed_columns("closure", CALENDAR_COLUMNS, {
        "id": Closure.id, "school_id": CLOSED_SCHOOL, "start_date": Closure.start_date, "end_date": Closure.end_date,
        "start_time": Closure.start_time, "end_time": Closure.end_time, "reason": Closure.reason,
    }), first, last, closure_schools)
    makeup = _placed_rows(MAKEUP_PLACE, typed_columns("makeup", CALENDAR_COLUMNS, {
        "id": MakeupDay.id, "school_id": MAKEUP_PLACE.school, "level": MAKEUP_PLACE.level, "day": MakeupDay.day,
        "follows_weekday": MakeupDay.follows_weekday, "reason": MakeupDay.reason,
    }), makeup_schools, MakeupDay.day >= first, MakeupDay.day <= last)
    terms = select(*typed_columns("term", CALENDAR_COLUMNS, {
        "id": Term.id, "start_date": Term.start_date, "end_date": Term.end_date, "reason": Term.name}))
    blackouts = select(*typed_columns("blackout", CALENDAR_COLUMNS, {
        "id": ResourceBlackout.id, "resource_id": ResourceBlackout.resource_id, "starts_at": ResourceBlackout.starts_at,
        "ends_at": ResourceBlackout.ends_at, "reason": ResourceBlackout.reason,
    })).where(ResourceBlackout.resource_id.in_(resource_ids), ResourceBlackout.starts_at < span.end,
              ResourceBlackout.ends_at > span.start)
    found: dict[str, list[Row]] = {"closure": [], "makeup": [], "term": [], "blackout": []}
    statement = union_all(closures, makeup, terms, blackouts).order_by("start_date", "day", "starts_at", "id")
    for row in db.session.execute(statement):
        found[row.kind].append(row)
    return found


def calendars_for(resources: Iterable[Resource], span: Interval) -> dict[int, Calendar]:
    """The calendar each resource is checked against over ``span``: ONE query for any number."""
    resources = list(resources)
    zone = district_zone()
    days = local_days(span, zone)
    owners = {r.owner_school_id for r in resources}
    teachers = any(r.kind == ResourceKind.TEACHER for r in resources)
    # A visiting teacher's lesson is also refused where the school it is at is closed: every school's own and
    # its district's closures (a school with neither is closed by the county's alone, which the owner's entry holds).
    rows = _calendar_rows(None if teachers else owners, owners, [r.id for r in resources], days, span)
    closures = rows["closure"]
    schools = owners | {c.school_id for c in closures if c.school_id is not None}
    closed = closed_times(closures, schools, days[0], days[-1], zone)
    makeup = _makeup_days(rows["makeup"], owners)
    dark: dict[int, list] = {}
    for blackout in rows["blackout"]:
        dark.setdefault(blackout.resource_id, []).append((Interval(blackout.starts_at, blackout.ends_at), blackout.reason))
    terms = tuple(TermSpan(t.start_date, t.end_date, t.reason) for t in rows["term"])
    return {r.id: Calendar(zone=zone, closed_days=closed[r.owner_school_id].days, blackouts=tuple(dark.get(r.id, ())),
                           closed_spans=closed[r.owner_school_id].spans,
                           host_closed=closed if r.kind == ResourceKind.TEACHER else {},
                           makeup_days=makeup[r.owner_school_id], terms=terms)
            for r in resources}


def calendar_for(resource: Resource, span: Interval) -> Calendar:
    return calendars_for([resource], span)[resource.id]


def bookings_in_closure(school_id: int | None, district_id: int | None, intervals: Iterable[Interval]) -> list[Booking]:
    """The active, not yet finished bookings a closure of ``school_id`` (None: of every school of
    ``district_id``; both None: of the county) over ``intervals`` falls on, earliest first: ONE query. A
    school's closure hits the bookings of its own resources and the visiting teachers' lessons held at it
    (those are refused there too); a district's those of each of its schools."""
    intervals = list(intervals)
    if not intervals:
        return []
    now = utcnow()
    query = (
        select(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .options(joinedload(Booking.school), joinedload(Booking.resource))
        .where(
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.ends_at > now,
            or_(Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now),
            or_(*(and_(Booking.starts_at < i.end, Booking.ends_at > i.start) for i in intervals)),
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    if school_id is not None or district_id is not None:
        schools = [school_id] if school_id is not None else select(School.id).where(School.district_id == district_id)
        query = query.where(or_(Resource.owner_school_id.in_(schools),
                                (Resource.kind == ResourceKind.TEACHER) & Booking.school_id.in_(schools)))
    return list(db.session.scalars(query).unique())
