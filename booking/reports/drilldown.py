"""The bookings behind a number: the links the tables carry, and the listing they open.

A link names the range and category of the report plus what the number was about (a resource,
an owner school, a booking school, a weekday and hour, cross-school use only …). The listing's
total is summed by the same query code as the figure, so the two always agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.bookings.models import Booking
from booking.extensions import db
from booking.permissions import district_schools_clause
from booking.reports import sql
from booking.reports.filters import ReportFilter, Viewer, parse_filter
from booking.reports.bases import Basis
from booking.reports.queries import PROVIDER_JOINS, Hours, grouped_hours, provider_school_id
from booking.reports.timeframe import offset_spans
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import School, Stage
from booking.parsing import parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID, ValidationFailed

PAGE_SIZE = 100


class Links:
    """Drill-down URLs for the dashboard's cells; ``make`` is None where links are not wanted (files)."""

    def __init__(self, make, report_filter: ReportFilter):
        self._make = make
        self._filter = report_filter

    def _url(self, side: dict, params: dict) -> str | None:
        if self._make is None:
            return None
        base = self._filter.query_args(stage=None, school=None, district=None)
        base.update({key: value for key, value in side.items() if value is not None})
        base.update(params)
        return self._make(**base)

    def facility(self, **params) -> str | None:
        """A figure about facilities: the page's stage and school are the owner school's."""
        stage = self._filter.stage.value if self._filter.stage else None
        return self._url({"owner_stage": stage, "owner": self._filter.school_id,
                          "owner_district": self._filter.district_id}, params)

    def students(self, **params) -> str | None:
        """A figure about schools' classes: the page's stage and district are the booking school's."""
        return self._url({"booker_stage": self._filter.stage.value if self._filter.stage else None,
                          "booker_district": self._filter.district_id}, params)


@dataclass(frozen=True)
class DrillDown:
    filter: ReportFilter
    resource_id: int | None = None
    owner_id: int | None = None
    booker_id: int | None = None
    owner_stage: Stage | None = None
    booker_stage: Stage | None = None
    kind: ResourceKind | None = None
    weekday: int | None = None
    hour: int | None = None
    cross: bool = False
    basis: Basis | None = None
    owner_district: int | None = None  # the report's district, on the side its figure is about
    booker_district: int | None = None


_NUMBERS = {"resource": MAX_ID, "owner": MAX_ID, "booker": MAX_ID, "weekday": 6, "hour": 23,
            "owner_district": MAX_ID, "booker_district": MAX_ID}
_ENUMS = {"owner_stage": Stage, "booker_stage": Stage, "kind": ResourceKind, "basis": Basis}


def parse_drilldown(viewer: Viewer, args) -> DrillDown:
    """What to list, from the link's query arguments; ValidationFailed names each bad one."""
    errors, values = {}, {}
    for name, maximum in _NUMBERS.items():
        raw = (args.get(name) or "").strip()
        values[name] = parse_whole_number(raw, maximum) if raw else None
        if raw and values[name] is None:
            errors[name] = _l("Enter a whole number from 0 to %(n)d.", n=maximum)
    for name, enum_cls in _ENUMS.items():
        raw = (args.get(name) or "").strip()
        try:
            values[name] = enum_cls(raw) if raw else None
        except ValueError:
            errors[name] = _l("Choose a value from the list.")
    try:
        report_filter = parse_filter(viewer, {key: args.get(key) for key in ("start", "end", "category")})
    except ValidationFailed as failed:
        errors.update(failed.errors)
        report_filter = None
    districts = {side: viewer.district(values[side], errors, side) for side in ("owner_district", "booker_district")
                 if values[side] is not None}
    if errors:
        raise ValidationFailed(errors)
    return DrillDown(report_filter, values["resource"], values["owner"], values["booker"], values["owner_stage"],
                     values["booker_stage"], values["kind"], values["weekday"], values["hour"],
                     cross=args.get("cross") == "1", basis=values["basis"], **districts)


def conditions(drill: DrillDown, viewer: Viewer) -> list:
    found = []
    if drill.filter.category:
        found.append(Resource.category == drill.filter.category)
    for column, value in ((Booking.resource_id, drill.resource_id), (Resource.owner_school_id, drill.owner_id),
                          (Booking.school_id, drill.booker_id), (Resource.kind, drill.kind)):
        if value is not None:
            found.append(column == value)
    for column, stage in ((Resource.owner_school_id, drill.owner_stage), (Booking.school_id, drill.booker_stage)):
        if stage is not None:
            found.append(column.in_(select(School.id).where(School.stage == stage)))
    for column, district in ((Resource.owner_school_id, drill.owner_district), (Booking.school_id, drill.booker_district)):
        if district is not None:
            found.append(column.in_(select(School.id).where(district_schools_clause(district))))
    if drill.cross:  # provided by another school (a visiting teacher's home school for a lesson)
        found.append(Booking.school_id != provider_school_id())
    if drill.basis is not None:
        found.append(sql.in_basis(drill.basis, drill.filter.cut))
    if drill.weekday is not None or drill.hour is not None:
        report_range = drill.filter.range
        spans = offset_spans(report_range.start, report_range.end, report_range.zone)
        found.append(sql.at_local_slot(report_range, spans, drill.weekday, drill.hour))
    if not viewer.coordinator:  # bookings of the classes or resources of the schools the viewer may name
        named = sorted(viewer.named_school_ids)
        found.append(or_(Booking.school_id.in_(named), Resource.owner_school_id.in_(named)))
    return found


def hours_inside(booking: Booking, drill: DrillDown) -> float:
    """A listed booking's hours inside the range (what it adds to the total)."""
    start, end = max(booking.starts_at, drill.filter.range.start), min(booking.ends_at, drill.filter.range.end)
    return (end - start).total_seconds() / 3600


def listing(drill: DrillDown, viewer: Viewer, page: int) -> tuple[list[Booking], Hours]:
    """One page of the bookings behind the number (earliest first) and their total (all bases the link covers)."""
    where = conditions(drill, viewer)
    query = select(Booking).join(Resource, Resource.id == Booking.resource_id)
    for target, on in PROVIDER_JOINS:
        query = query.outerjoin(target, on)
    query = (query
             .options(joinedload(Booking.school), joinedload(Booking.resource).joinedload(Resource.owner_school))
             .where(sql.in_range(drill.filter.range), *where)
             .order_by(Booking.starts_at, Booking.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    totals = grouped_hours(drill.filter, [], where, joins=PROVIDER_JOINS).get(())
    return list(db.session.scalars(query)), totals.booked if totals else Hours()

