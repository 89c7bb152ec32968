"""The reports' aggregate queries: GROUP BY in the database, never bookings loaded into Python.

Every query sums the same measures over confirmed bookings clipped to the range (see
``sql.clipped_seconds``), grouped by what the figure needs: resource, booking school and kind,
(booking school, owner school), local day and hour. Only the grouped rows come back.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import case, func, or_, select

from booking.bookings.models import Booking, BookingOutcome
from booking.extensions import db
from booking.reports import sql
from booking.reports.filters import ReportFilter
from booking.reports.timeframe import offset_spans
from booking.resources.models import Resource
from booking.schools.models import School


def _in_hours(field: str) -> property:
    return property(lambda self: getattr(self, field) / 3600, doc=f"{field} in hours")


@dataclass(frozen=True)
class Hours:
    """Sums over a group of bookings, in seconds (exact integers) with hours as properties."""

    seconds: int = 0
    unit_seconds: int = 0  # seconds × quantity: equipment lent in quantities fills its stock
    used_seconds: int = 0
    no_show_seconds: int = 0
    cross_seconds: int = 0  # booked by a school other than the owner
    student_seconds: int = 0  # seconds × class size, where the booking gives one
    bookings: int = 0

    def __add__(self, other: "Hours") -> "Hours":
        # Written out: dataclasses.fields() per addition costs seconds over thousands of rows.
        return Hours(self.seconds + other.seconds, self.unit_seconds + other.unit_seconds,
                     self.used_seconds + other.used_seconds, self.no_show_seconds + other.no_show_seconds,
                     self.cross_seconds + other.cross_seconds, self.student_seconds + other.student_seconds,
                     self.bookings + other.bookings)

    hours = _in_hours("seconds")
    unit_hours = _in_hours("unit_seconds")
    used_hours = _in_hours("used_seconds")
    no_show_hours = _in_hours("no_show_seconds")
    cross_hours = _in_hours("cross_seconds")
    student_hours = _in_hours("student_seconds")

    @property
    def no_show_rate(self) -> float | None:
        """No-show share of the hours whose outcome was recorded (unrecorded ones are not guessed at)."""
        recorded = self.used_seconds + self.no_show_seconds
        return self.no_show_seconds / recorded if recorded else None

    @property
    def cross_share(self) -> float | None:
        return self.cross_seconds / self.seconds if self.seconds else None


def total(hours) -> Hours:
    return sum(hours, Hours())


# Each query sums only the measures its figure shows: every extra aggregate costs time per row.
SECONDS, UNITS, USED, NO_SHOW, CROSS, STUDENTS = (
    "seconds", "unit_seconds", "used_seconds", "no_show_seconds", "cross_seconds", "student_seconds")
ALL_MEASURES = (SECONDS, UNITS, USED, NO_SHOW, CROSS, STUDENTS)


def _measure(name: str, seconds):
    conditional = {USED: Booking.outcome == BookingOutcome.USED, NO_SHOW: Booking.outcome == BookingOutcome.NO_SHOW,
                   CROSS: Booking.school_id != Resource.owner_school_id}
    if name in conditional:
        return func.sum(case((conditional[name], seconds), else_=0))
    factor = {UNITS: Booking.quantity, STUDENTS: func.coalesce(Booking.students, 0)}.get(name)
    return func.sum(seconds if factor is None else seconds * factor)


def _schools_of_stage(stage):
    return select(School.id).where(School.stage == stage)


def facility_conditions(report_filter: ReportFilter) -> list:
    """Utilisation scope: the category, and the owner school (its stage, or the school itself)."""
    conditions = []
    if report_filter.category:
        conditions.append(Resource.category == report_filter.category)
    if report_filter.stage:
        conditions.append(Resource.owner_school_id.in_(_schools_of_stage(report_filter.stage)))
    if report_filter.school_id:
        conditions.append(Resource.owner_school_id == report_filter.school_id)
    return conditions


def student_conditions(report_filter: ReportFilter, with_school: bool) -> list:
    """Access scope: the category and the booking school's stage; the school on either side if asked."""
    conditions = []
    if report_filter.category:
        conditions.append(Resource.category == report_filter.category)
    if report_filter.stage:
        conditions.append(Booking.school_id.in_(_schools_of_stage(report_filter.stage)))
    if with_school and report_filter.school_id:
        conditions.append(or_(Booking.school_id == report_filter.school_id,
                              Resource.owner_school_id == report_filter.school_id))
    return conditions


def grouped_hours(report_filter: ReportFilter, group_columns: list, conditions: list,
                  measures: tuple = ALL_MEASURES) -> dict[tuple, Hours]:
    """{group key: Hours} for confirmed bookings in the range that meet ``conditions``.

    Only ``measures`` are summed (and ``bookings`` counted); the other fields of Hours stay 0.
    """
    # Grouped by label: PostgreSQL cannot match an expression with bound parameters to its SELECT twin.
    group_columns = [column.label(f"group_{index}") for index, column in enumerate(group_columns)]
    seconds = sql.clipped_seconds(report_filter.range)
    query = (select(*group_columns, func.count(), *(_measure(name, seconds) for name in measures))
             .select_from(Booking).join(Resource, Resource.id == Booking.resource_id)
             .where(sql.in_range(report_filter.range), *conditions))
    query = sql.scan_confirmed_span(query)
    if group_columns:
        query = query.group_by(*group_columns)
    width = len(group_columns)
    return {tuple(row[:width]): Hours(bookings=row[width], **{name: int(value or 0)
                                                              for name, value in zip(measures, row[width + 1:])})
            for row in db.session.execute(query)}


def hours_total(report_filter: ReportFilter, conditions: list) -> Hours:
    return grouped_hours(report_filter, [], conditions).get((), Hours())


def hours_by_resource(report_filter: ReportFilter) -> dict[int, Hours]:
    rows = grouped_hours(report_filter, [Booking.resource_id], facility_conditions(report_filter),
                         (SECONDS, UNITS, USED, NO_SHOW, CROSS))
    return {key[0]: hours for key, hours in rows.items()}


def hours_by_school_and_kind(report_filter: ReportFilter) -> dict[tuple, Hours]:
    """{(booking school id, resource kind): Hours}: what each school's classes received."""
    return grouped_hours(report_filter, [Booking.school_id, Resource.kind],
                         student_conditions(report_filter, with_school=False), (SECONDS, STUDENTS))


def hours_by_flow(report_filter: ReportFilter) -> dict[tuple, Hours]:
    """{(booking school id, owner school id): Hours}; cross-school hours are those off the diagonal."""
    rows = grouped_hours(report_filter, [Booking.school_id, Resource.owner_school_id],
                         student_conditions(report_filter, with_school=True), (SECONDS,))
    return {pair: replace(hours, cross_seconds=hours.seconds if pair[0] != pair[1] else 0)
            for pair, hours in rows.items()}


def hours_by_local_hour(report_filter: ReportFilter) -> dict[tuple, Hours]:
    """{(local day number, local hour): Hours} by each booking's (clipped) local start; one query per UTC offset."""
    found: dict[tuple, Hours] = {}
    report_range = report_filter.range
    for index, span in enumerate(offset_spans(report_range.start, report_range.end, report_range.zone)):
        conditions = facility_conditions(report_filter) + [sql.in_span(span, first=index == 0)]
        rows = grouped_hours(report_filter, [sql.local_hour_number(report_range, span)], conditions,
                             (SECONDS, USED, NO_SHOW, CROSS))
        for (number,), hours in rows.items():
            key = divmod(int(number), 24)
            found[key] = found.get(key, Hours()) + hours
    return found
