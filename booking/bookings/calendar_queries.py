"""SQL that reads a resource's calendar for the rules: closures and make-up days (of a school, a district or the
county, ``_placed_rows``), the terms and the blackouts, as one statement per calendar (``calendars_for``), and the
bookings a closure falls on. The bookings' own reads are ``booking.bookings.queries``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import Date, Integer, Row, String, Time, and_, case, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, ResourceBlackout
from booking.bookings.queries import typed_columns
from booking.bookings.rules import Calendar, Interval, TermSpan, local_days
from booking.bookings.rules.closed import ClosedTimes, closed_times
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import Closure, MakeupDay, School, Term


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
