"""SQL that narrows what the rules look at, and snapshots that hand it to them: the resource, the bookings
and holds around an interval. The calendar (closures, make-up days, terms, blackouts) is
``booking.bookings.calendar_queries``.

Each function is one query, whatever the number of dates: a whole series is checked
against the candidates fetched once for the span from its first start to its last end.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from sqlalchemy import Boolean, Integer, Row, Select, String, and_, cast, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from booking.bookings.rules import MAX_BOOKING_LENGTH, Existing, Interval, ResourceSnapshot, TeacherSnapshot
from booking.bookings.rules.teachers import week_window
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource, ResourceKind, Sharing
from booking.schools.models import School
from booking.texts import lazy_gettext as _l

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
                "district_id": Integer(), "class_name": String(), "title": String(), "until": UTCDateTime()}


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
                    quantity=row.quantity, holder=f"{who} ({row.title})" if row.title else who, school_id=row.school_id,
                    district_id=row.district_id)


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
    # The class's school per row found (a dozen), not joined: a join let a stale row count of ``schools`` make
    # PostgreSQL run the whole bookings scan once per school (the refusal's search 40 ms instead of 2.6 ms).
    school = [select(column).where(School.id == Booking.school_id).scalar_subquery()
              for column in (School.name, School.district_id)]
    query = (
        select(*hold_columns("booking", id=Booking.id, resource_id=Booking.resource_id, starts_at=Booking.starts_at,
                             ends_at=Booking.ends_at, confirmed=Booking.status == BookingStatus.CONFIRMED,
                             quantity=Booking.quantity, school_id=Booking.school_id, school_name=school[0],
                             district_id=school[1], class_name=Booking.class_name, title=Booking.title))
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


OTHER_DISTRICT = _l("a school of another district")


def names_holder(district_id: int | None, districts: frozenset[int] | None) -> bool:
    """Whether a booking by a school of ``district_id`` is named to an asker who may read the holders of
    ``districts`` (``permissions.holder_districts``; None: all)."""
    return districts is None or district_id is None or district_id in districts


def shown_existing(existing: Existing, districts: frozenset[int] | None) -> Existing:
    """``existing`` as that asker sees it: another district's booking without its holder or its id, so a clash
    names neither (the API's refusal carried the id)."""
    if names_holder(existing.district_id, districts):
        return existing
    return replace(existing, id=None, holder=str(OTHER_DISTRICT))


def as_existing(bookings: Iterable[Booking]) -> list[Existing]:
    return [
        Existing(id=b.id, interval=Interval(b.starts_at, b.ends_at), confirmed=b.status == BookingStatus.CONFIRMED,
                 quantity=b.quantity, holder=holder_label(b), school_id=b.school_id, district_id=b.school.district_id)
        for b in bookings
    ]
