"""The reports' aggregate queries: GROUP BY in the database, never bookings loaded into Python.

Every query sums the same measures over the reported bookings (confirmed ones and no-shows,
released ones included) clipped to the range (see ``sql.clipped_seconds``), grouped by what the
figure needs and always by basis (delivered, planned, no-show: ``sql.basis_of``): resource,
(booking school, source, kind), (booking school, providing school), local day, (weekday, bell
period). Only the grouped rows come back.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_, select

from booking.bookings.models import Booking, BookingOutcome
from booking.extensions import db
from booking.permissions import district_schools_clause
from booking.reports import sql
from booking.reports.cache import cached
from booking.reports.bases import Basis
from booking.reports.filters import ReportFilter
from booking.reports.timeframe import offset_spans
from booking.resources.models import Resource
from booking.schools.models import BellPeriod, School
from booking.teachers.models import TeacherProfile


def _in_hours(field: str) -> property:
    return property(lambda self: getattr(self, field) / 3600, doc=f"{field} in hours")


@dataclass(frozen=True)
class Hours:
    """Sums over a group of bookings of one basis, in seconds (exact integers) with hours as properties."""

    seconds: int = 0
    unit_seconds: int = 0  # seconds × quantity: equipment lent in quantities fills its stock
    used_seconds: int = 0  # checked in or recorded as used
    cross_seconds: int = 0  # booked by a school other than the owner
    student_seconds: int = 0  # seconds × class size, where the booking gives one
    bookings: int = 0

    def __add__(self, other: "Hours") -> "Hours":
        # Written out: dataclasses.fields() per addition costs seconds over thousands of rows.
        return Hours(self.seconds + other.seconds, self.unit_seconds + other.unit_seconds,
                     self.used_seconds + other.used_seconds, self.cross_seconds + other.cross_seconds,
                     self.student_seconds + other.student_seconds, self.bookings + other.bookings)

    hours = _in_hours("seconds")
    unit_hours = _in_hours("unit_seconds")
    used_hours = _in_hours("used_seconds")
    cross_hours = _in_hours("cross_seconds")
    student_hours = _in_hours("student_seconds")

    @property
    def cross_share(self) -> float | None:
        return self.cross_seconds / self.seconds if self.seconds else None


NO_HOURS = Hours()


@dataclass(frozen=True)
class Bases:
    """One group's Hours on each basis (see ``bases``); ``booked`` is all three together."""

    delivered: Hours = NO_HOURS
    planned: Hours = NO_HOURS
    no_show: Hours = NO_HOURS

    def __add__(self, other: "Bases") -> "Bases":
        return Bases(self.delivered + other.delivered, self.planned + other.planned, self.no_show + other.no_show)

    def of(self, basis: Basis) -> Hours:
        return getattr(self, basis.value)

    @property
    def booked(self) -> Hours:
        return self.delivered + self.planned + self.no_show

    @property
    def no_show_rate(self) -> float | None:
        """No-show share of the hours that have ended (delivered or not)."""
        ended = self.delivered.seconds + self.no_show.seconds
        return self.no_show.seconds / ended if ended else None


NO_BASES = Bases()


def total_bases(bases) -> Bases:
    return sum(bases, Bases())


# Each query sums only the measures its figure shows: every extra aggregate costs time per row.
SECONDS, UNITS, USED, CROSS, STUDENTS = "seconds", "unit_seconds", "used_seconds", "cross_seconds", "student_seconds"
ALL_MEASURES = (SECONDS, UNITS, USED, CROSS, STUDENTS)


def _measure(name: str, seconds):
    conditional = {USED: Booking.outcome == BookingOutcome.USED, CROSS: Booking.school_id != Resource.owner_school_id}
    if name in conditional:
        return func.sum(case((conditional[name], seconds), else_=0))
    factor = {UNITS: Booking.quantity, STUDENTS: func.coalesce(Booking.students, 0)}.get(name)
    return func.sum(seconds if factor is None else seconds * factor)


def _schools_of_stage(stage):
    return select(School.id).where(School.stage == stage)


def district_schools(report_filter: ReportFilter):
    """The ids of the schools of the report's district (``permissions.district_schools_clause``)."""
    return select(School.id).where(district_schools_clause(report_filter.district_id))


def facility_conditions(report_filter: ReportFilter) -> list:
    """Utilisation scope: the category, and the owner school (its district, its stage, or the school itself)."""
    conditions = []
    if report_filter.district_id is not None:
        conditions.append(Resource.owner_school_id.in_(district_schools(report_filter)))
    if report_filter.category:
        conditions.append(Resource.category == report_filter.category)
    if report_filter.stage:
        conditions.append(Resource.owner_school_id.in_(_schools_of_stage(report_filter.stage)))
    if report_filter.school_id:
        conditions.append(Resource.owner_school_id == report_filter.school_id)
    return conditions


def student_conditions(report_filter: ReportFilter, with_school: bool) -> list:
    """Access scope: the category and the booking school's district and stage; the school on either side if asked."""
    conditions = []
    if report_filter.district_id is not None:
        conditions.append(Booking.school_id.in_(district_schools(report_filter)))
    if report_filter.category:
        conditions.append(Resource.category == report_filter.category)
    if report_filter.stage:
        conditions.append(Booking.school_id.in_(_schools_of_stage(report_filter.stage)))
    if with_school and report_filter.school_id:
        conditions.append(or_(Booking.school_id == report_filter.school_id,
                              Resource.owner_school_id == report_filter.school_id))
    return conditions


def grouped_hours(report_filter: ReportFilter, group_columns: list, conditions: list,
                  measures: tuple = ALL_MEASURES, seconds=None, joins: tuple = ()) -> dict[tuple, Bases]:
    """{group key: Bases} for the reported bookings in the range that meet ``conditions``.

    The basis is one more GROUP BY column, so one query gives all three. Only ``measures`` are
    summed (and ``bookings`` counted); the other fields of Hours stay 0. ``seconds`` replaces the
    booking's clipped length (the part inside bell periods, for instance); ``joins`` are more
    (table, on clause) pairs, outer joined.
    """
    # Grouped by label: PostgreSQL cannot match an expression with bound parameters to its SELECT twin.
    group_columns = [column.label(f"group_{index}") for index, column in enumerate(group_columns)]
    basis = sql.basis_of(report_filter.cut).label("basis")
    seconds = sql.clipped_seconds(report_filter.range) if seconds is None else seconds
    query = (select(*group_columns, basis, func.count(), *(_measure(name, seconds) for name in measures))
             .select_from(Booking).join(Resource, Resource.id == Booking.resource_id))
    for target, on in joins:
        query = query.outerjoin(target, on)
    query = sql.scan_reported_span(query.where(sql.in_range(report_filter.range), *conditions))
    query = query.group_by(*group_columns, basis)
    width = len(group_columns)
    found: dict[tuple, dict] = {}
    for row in sql.run_aggregate(query):
        sums = {name: int(value or 0) for name, value in zip(measures, row[width + 2:])}
        hours = Hours(bookings=row[width + 1], **sums)
        found.setdefault(tuple(row[:width]), {})[row[width]] = hours
    return {key: Bases(**by_basis) for key, by_basis in found.items()}


# Where a school's access comes from: its own resources, another school's, or the district's own.
OWN, RECEIVED, DISTRICT = "own", "received", "district"


def provider_school_id():
    """The school that gives what was booked: a visiting teacher's home school, else the owner school."""
    return func.coalesce(TeacherProfile.home_school_id, Resource.owner_school_id)


PROVIDER_JOINS = ((TeacherProfile, TeacherProfile.resource_id == Resource.id),)


def access_source():
    district_bodies = select(School.id).where(School.district_owned.is_(True))
    return case((provider_school_id().in_(district_bodies), literal(DISTRICT)),
                (provider_school_id() == Booking.school_id, literal(OWN)), else_=literal(RECEIVED))


@cached
def hours_by_school_provider(report_filter: ReportFilter) -> dict[tuple, Bases]:
    """{(booking school id, providing school id, source, resource kind): Bases}: one scan for both the access
    figures and (unless a school is chosen) the flows. The source follows from the two schools, so it adds
    no group."""
    return grouped_hours(report_filter, [Booking.school_id, provider_school_id(), access_source(), Resource.kind],
                         student_conditions(report_filter, with_school=False), (SECONDS, STUDENTS),
                         joins=PROVIDER_JOINS)


def _flow_providers(report_filter: ReportFilter):
    """A district's flows name what its schools give one another and what the county's own bodies give them
    (what another district's school gives is in its access figures, never named): those providers' ids."""
    return select(School.id).where(or_(School.id.in_(district_schools(report_filter)), School.district_owned.is_(True)))


def _providers_in_district(report_filter: ReportFilter) -> list:
    if report_filter.district_id is None:
        return []
    return [provider_school_id().in_(_flow_providers(report_filter))]


def _summed(rows: dict[tuple, Bases], key) -> dict[tuple, Bases]:
    found: dict[tuple, Bases] = {}
    for group, bases in rows.items():
        found[key(group)] = found.get(key(group), NO_BASES) + bases
    return found


def hours_by_school_and_source(report_filter: ReportFilter) -> dict[tuple, Bases]:
    """{(booking school id, source, resource kind): Bases}: what each school's classes received, and from whom."""
    return _summed(hours_by_school_provider(report_filter), lambda group: (group[0], group[2], group[3]))


@cached
def hours_by_school_source_kind(report_filter: ReportFilter) -> dict[tuple, Bases]:
    """``hours_by_school_and_source`` in its own scan, for a report that shows no flows (the county's): a
    province's (school, provider) pairs are some 130,000 groups to send and sum in Python (2.5 s at 10 M
    bookings), its (school, source, kind) a few thousand."""
    return grouped_hours(report_filter, [Booking.school_id, access_source(), Resource.kind],
                         student_conditions(report_filter, with_school=False), (SECONDS, STUDENTS),
                         joins=PROVIDER_JOINS)


@cached
def _flows_of_school(report_filter: ReportFilter) -> dict[tuple, Bases]:
    return grouped_hours(report_filter, [Booking.school_id, provider_school_id()],
                         student_conditions(report_filter, with_school=True) + _providers_in_district(report_filter),
                         (SECONDS,), joins=PROVIDER_JOINS)


def hours_by_flow(report_filter: ReportFilter) -> dict[tuple, Bases]:
    """{(booking school id, providing school id): Bases}; cross-school hours are those off the diagonal.
    With a school chosen, the flows on either side of it (its own scan); else from the access scan."""
    if report_filter.school_id:
        return _flows_of_school(report_filter)
    flows = _summed(hours_by_school_provider(report_filter), lambda group: group[:2])
    if report_filter.district_id is None:
        return flows
    shown = set(db.session.scalars(_flow_providers(report_filter)))
    return {pair: bases for pair, bases in flows.items() if pair[1] in shown}


def _per_offset_span(report_filter: ReportFilter, query_span) -> dict[tuple, Bases]:
    """Sum of ``query_span(span, conditions)`` over the range's UTC-offset spans (one query each)."""
    found: dict[tuple, Bases] = {}
    report_range = report_filter.range
    for index, span in enumerate(offset_spans(report_range.start, report_range.end, report_range.zone)):
        for key, bases in query_span(span, [sql.in_span(span, first=index == 0)]).items():
            found[key] = found.get(key, NO_BASES) + bases
    return found


@cached
def hours_by_local_day(report_filter: ReportFilter) -> dict[int, Bases]:
    """{local day number: Bases} by each booking's (clipped) local start day."""
    def query_span(span, conditions):
        rows = grouped_hours(report_filter, [sql.local_day_number(report_filter.range, span)],
                             facility_conditions(report_filter) + conditions, (SECONDS, USED, CROSS))
        return {(int(key[0]),): bases for key, bases in rows.items()}

    return {key[0]: bases for key, bases in _per_offset_span(report_filter, query_span).items()}


PERIOD, WHOLE_DAY = "period", "whole_day"  # keys of _period_query taken from the period, not the booking
WHOLE_DAY_NUMBER = 0  # a period spanning any booking: its "overlap" is the booking's whole clipped length
ANY_TIME = 10**9  # seconds: further from midnight than any booking reaches


def _periods(whole_day: bool):
    """Every school's bell periods as (school_id, number, starts, ends) in seconds after midnight; with
    ``whole_day``, one more row per school (number 0) that covers any booking whole."""
    periods = select(BellPeriod.school_id.label("school_id"), BellPeriod.number.label("number"),
                     sql.seconds_of_day(BellPeriod.start_time).label("starts"),
                     sql.seconds_of_day(BellPeriod.end_time).label("ends"))
    if whole_day:
        periods = periods.union_all(select(School.id, literal(WHOLE_DAY_NUMBER), literal(-ANY_TIME),
                                           literal(ANY_TIME)))
    return periods.subquery("periods")


def _period_query(report_filter: ReportFilter, keys: dict, measures: tuple = (SECONDS,),
                  whole_day: bool = False) -> dict[tuple, Bases]:
    """The part of each bell period of the owner school that bookings cover (a booking over several periods
    counts in each), summed by ``keys`` ({name: column or callable(span) → column}; PERIOD: the period's
    number; WHOLE_DAY: whether the row is the whole-day period that ``whole_day`` adds).

    Grouped first, joined after: bookings are grouped by (keys, owner school, local start clock seconds,
    length, basis), a few thousand rows however many bookings there are (lessons start at a school's
    bell times), and only those rows are joined to the periods and their overlaps summed."""
    def query_span(span, conditions):
        start, length = sql.local_clock_seconds(report_filter.range, span)
        columns = {name: (column(span) if callable(column) else column).label(name)
                   for name, column in keys.items() if name not in (PERIOD, WHOLE_DAY)}
        columns.update(owner=Resource.owner_school_id.label("owner"), clock_start=start.label("clock_start"),
                       length=length.label("length"), basis=sql.basis_of(report_filter.cut).label("basis"))
        counts = [func.count().label("n"), func.sum(Booking.quantity).label("units"),
                  func.sum(case((Booking.outcome == BookingOutcome.USED, 1), else_=0)).label("used"),
                  func.sum(case((Booking.school_id != Resource.owner_school_id, 1), else_=0)).label("cross")]
        inner = (select(*columns.values(), *counts)
                 .select_from(Booking).join(Resource, Resource.id == Booking.resource_id)
                 .where(sql.in_range(report_filter.range), *facility_conditions(report_filter), *conditions))
        grouped = sql.scan_reported_span(inner).group_by(*columns.values()).subquery()
        periods = _periods(whole_day)
        inside = sql.overlap_seconds(grouped.c.clock_start, grouped.c.clock_start + grouped.c.length,
                                     periods.c.starts, periods.c.ends)
        period_keys = {PERIOD: periods.c.number, WHOLE_DAY: (periods.c.number == WHOLE_DAY_NUMBER).label(WHOLE_DAY)}
        outer_keys = [period_keys.get(name, grouped.c[name] if name in columns else None) for name in keys]
        sums = {SECONDS: grouped.c.n, UNITS: grouped.c.units, USED: grouped.c.used, CROSS: grouped.c.cross}
        query = (select(*outer_keys, grouped.c.basis, *(func.sum(inside * sums[name]) for name in measures))
                 .select_from(grouped).join(periods, periods.c.school_id == grouped.c.owner)
                 .where(inside > 0).group_by(*outer_keys, grouped.c.basis))
        found: dict[tuple, dict] = {}
        width = len(outer_keys)
        for row in sql.run_aggregate(query):
            hours = Hours(**{name: int(value or 0) for name, value in zip(measures, row[width + 1:])})
            found.setdefault(tuple(int(value) for value in row[:width]), {})[row[width]] = hours
        return {key: Bases(**by_basis) for key, by_basis in found.items()}

    return _per_offset_span(report_filter, query_span)


@cached
def hours_by_weekday_period(report_filter: ReportFilter) -> dict[tuple, Bases]:
    """{(weekday 0 = Monday, period number 第N节 of the owner school): Bases}."""
    def weekday(span):
        return (sql.local_day_number(report_filter.range, span) + sql.EPOCH_WEEKDAY) % 7

    return _period_query(report_filter, {"weekday": weekday, PERIOD: None})


@cached
def hours_by_resource(report_filter: ReportFilter) -> tuple[dict[int, Bases], dict[int, Bases]]:
    """({resource id: Bases} of the booked time, {resource id: Bases} of the part inside the owner school's
    bell periods): one scan of the bookings for both (the whole-day period gives the first)."""
    rows = _period_query(report_filter, {"resource": Booking.resource_id, WHOLE_DAY: None},
                         (SECONDS, UNITS, USED, CROSS), whole_day=True)
    booked = {resource: bases for (resource, whole), bases in rows.items() if whole}
    in_periods = {resource: bases for (resource, whole), bases in rows.items() if not whole}
    return booked, in_periods
