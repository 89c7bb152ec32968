"""Utilisation: booked and delivered time over teaching time, per resource, category and owner school.

The main figure is by teaching periods: the time booked inside the owner school's bell periods
(第N节), over the length of those periods on the owner school's teaching days (Monday–Friday
of a term, less closures and the resource's blackouts). Opening-hours utilisation (booked hours
over opening hours) stays beside it as the second figure.

Booked hours by basis and the part of them inside bell periods come from one scan of the
bookings, grouped by resource, period and basis (``queries.hours_by_resource``). Teaching and
opening hours come from the small periods, terms, opening-hours, closures and blackouts tables,
in Python. Equipment is lent in quantities, so its utilisation compares item-hours (hours ×
quantity) with its stock's hours; for rooms and teachers the two are the same.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from booking.bookings.calendar_queries import blackouts_by_resource, closed_days_by_school, makeup_days_by_school
from booking.bookings.rules import Interval
from booking.extensions import db
from booking.reports.cache import cached_on_tables
from booking.reports.filters import ReportFilter, Viewer
from booking.reports.opening import blackout_hours, open_hours
from booking.reports.queries import NO_BASES, Bases, facility_conditions, hours_by_resource, total_bases
from booking.reports.timeframe import ReportRange, open_weekdays
from booking.resources.models import Category, OpeningHours, Resource
from booking.schools.models import BellPeriod, School, Term

TEACHING_WEEKDAYS = range(5)  # Monday–Friday; weekends are not teaching days


@dataclass(frozen=True)
class UtilisationRow:
    key: object  # resource id, category or owner school id; None for the total
    name: str
    bookable_hours: float  # opening hours
    bookable_unit_hours: float  # × stock
    hours: Bases
    teaching_hours: float = 0.0  # the owner school's bell periods on its teaching days
    teaching_unit_hours: float = 0.0  # × stock
    period_hours: Bases = NO_BASES  # the part of the bookings inside those periods
    owner_school: School | None = None
    category: Category | None = None

    @property
    def owner_school_id(self) -> int | None:
        return self.owner_school.id if self.owner_school else None

    @property
    def owner_school_name(self) -> str:
        return self.owner_school.name if self.owner_school else ""

    @property
    def utilisation(self) -> float | None:
        """Opening-hours utilisation: every booked hour (all bases) over the opening hours."""
        return self.hours.booked.unit_hours / self.bookable_unit_hours if self.bookable_unit_hours else None

    def period_utilisation(self, basis=None) -> float | None:
        """Teaching-period utilisation: booked (``basis`` None: all bases) time in periods over teaching time."""
        hours = self.period_hours.booked if basis is None else self.period_hours.of(basis)
        return hours.unit_hours / self.teaching_unit_hours if self.teaching_unit_hours else None


@dataclass(frozen=True)
class Utilisation:
    by_resource: list[UtilisationRow]
    by_category: list[UtilisationRow]
    by_school: list[UtilisationRow]
    total: UtilisationRow


@dataclass(frozen=True)
class ResourceInfo:
    """What utilisation needs of a resource; read as plain rows (thousands of ORM objects cost seconds)."""

    id: int
    name: str
    owner_school_id: int
    category: Category
    stock: int
    active: bool


def resources_in_scope(report_filter: ReportFilter) -> list[ResourceInfo]:
    """The resources the filter covers, archived ones too (those with hours in the range are shown)."""
    query = (select(Resource.id, Resource.name, Resource.owner_school_id, Resource.category, Resource.stock,
                    Resource.active)
             .where(*facility_conditions(report_filter))
             .order_by(Resource.owner_school_id, Resource.category, Resource.name))
    return [ResourceInfo(*row) for row in db.session.execute(query)]


def opening_windows(report_filter: ReportFilter) -> dict[int, dict[int, list]]:
    """{resource id: {weekday: [(opens, closes), …]}} for the resources the filter covers: one query."""
    query = (select(OpeningHours.resource_id, OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)
             .join(Resource, Resource.id == OpeningHours.resource_id).where(*facility_conditions(report_filter)))
    windows: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for resource_id, weekday, opens, closes in db.session.execute(query):
        windows[resource_id][weekday].append((opens, closes))
    return windows


def bookable_hours(resources: list[ResourceInfo], windows: dict, report_range: ReportRange) -> dict[int, float]:
    """Opening hours on the days each owner school is open, less blackouts (closures and blackouts: two queries)."""
    if not resources:
        return {}
    closed = closed_days_by_school({r.owner_school_id for r in resources}, report_range.first, report_range.last)
    return _hours_less_blackouts(resources, lambda resource: windows.get(resource.id, {}), closed, report_range)


def _hours_less_blackouts(resources: list[ResourceInfo], windows_of: Callable, off_days: dict,
                          report_range: ReportRange) -> dict[int, float]:
    """Each resource's ``windows_of(resource)`` summed over the days its owner school is not off (``off_days``
    by school; a make-up teaching day as the weekday it follows), less its blackouts: one query for the
    blackouts, one for the make-up days."""
    makeup = makeup_days_by_school(set(off_days), report_range.first, report_range.last)
    on_days = {school_id: open_weekdays(report_range, days, makeup[school_id]) for school_id, days in off_days.items()}
    blackouts = blackouts_by_resource([r.id for r in resources], Interval(report_range.start, report_range.end))
    found = {}
    for resource in resources:
        resource_windows, school_id = windows_of(resource), resource.owner_school_id
        hours = open_hours(resource_windows, on_days[school_id])
        for interval, _reason in blackouts.get(resource.id, ()):
            hours -= blackout_hours(resource_windows, interval.start, interval.end, report_range.zone,
                                    report_range.first, report_range.last, off_days[school_id])
        found[resource.id] = max(0.0, hours)
    return found


def period_windows(school_ids) -> dict[int, dict[int, list]]:
    """{school id: {weekday: [(start, end) of each bell period]}} for the teaching weekdays: one query."""
    windows: dict[int, dict[int, list]] = {school_id: {} for school_id in school_ids}
    query = select(BellPeriod.school_id, BellPeriod.start_time, BellPeriod.end_time).where(
        BellPeriod.school_id.in_(list(school_ids)))
    for school_id, start, end in db.session.execute(query):
        for weekday in TEACHING_WEEKDAYS:
            windows[school_id].setdefault(weekday, []).append((start, end))
    return windows


def term_days(report_range: ReportRange) -> set:
    """The range's days inside a term."""
    terms = db.session.execute(select(Term.start_date, Term.end_date).where(
        Term.start_date <= report_range.last, Term.end_date >= report_range.first)).all()
    return {day for day in report_range.days() if any(first <= day <= last for first, last in terms)}


def teaching_hours(resources: list[ResourceInfo], report_range: ReportRange) -> dict[int, float]:
    """Bell-period hours on the owner school's teaching days (term weekdays, not closed), less blackouts."""
    if not resources:
        return {}
    school_ids = {r.owner_school_id for r in resources}
    windows = period_windows(school_ids)
    in_term = term_days(report_range)
    closed = closed_days_by_school(school_ids, report_range.first, report_range.last)
    not_teaching = {school_id: set(days) | {day for day in report_range.days() if day not in in_term}
                    for school_id, days in closed.items()}
    return _hours_less_blackouts(resources, lambda resource: windows[resource.owner_school_id], not_teaching,
                                 report_range)


def _resource_row(resource: ResourceInfo, school: School, bookable: float, teaching: float, hours: Bases,
                  in_periods: Bases) -> UtilisationRow:
    return UtilisationRow(resource.id, resource.name, bookable, bookable * resource.stock, hours, teaching,
                          teaching * resource.stock, in_periods, school, resource.category)


def _shared(members: list[UtilisationRow], attribute: str):
    values = {getattr(member, attribute) for member in members}
    return values.pop() if len(values) == 1 else None


def roll_up(rows: list[UtilisationRow], key: Callable, name: Callable) -> list[UtilisationRow]:
    """Rows summed by ``key`` (category, owner school …), in the order the keys first appear."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [
        UtilisationRow(group_key, name(members[0]), sum(r.bookable_hours for r in members),
                       sum(r.bookable_unit_hours for r in members), total_bases(r.hours for r in members),
                       sum(r.teaching_hours for r in members), sum(r.teaching_unit_hours for r in members),
                       total_bases(r.period_hours for r in members),
                       _shared(members, "owner_school"), _shared(members, "category"))
        for group_key, members in groups.items()
    ]


def schools_by_id(ids) -> dict[int, School]:
    return {school.id: school for school in db.session.scalars(select(School).where(School.id.in_(list(ids))))}


@cached_on_tables
def capacity(report_filter: ReportFilter) -> tuple[list[ResourceInfo], dict[int, float], dict[int, float]]:
    """The resources in scope, and each one's opening hours and teaching hours over the range: from the small
    tables alone, so kept while bookings are written."""
    resources = resources_in_scope(report_filter)
    return (resources, bookable_hours(resources, opening_windows(report_filter), report_filter.range),
            teaching_hours(resources, report_filter.range))


def utilisation(report_filter: ReportFilter, viewer: Viewer) -> Utilisation:
    """The figures for ``viewer``: rows naming a school they may not see are left out; totals stay. Archived
    resources count where they still have hours in the range."""
    booked, in_periods = hours_by_resource(report_filter)
    in_scope, bookable, teaching = capacity(report_filter)
    resources = [resource for resource in in_scope if resource.active or resource.id in booked]
    schools = schools_by_id({r.owner_school_id for r in resources})
    rows = [_resource_row(r, schools[r.owner_school_id], bookable[r.id], teaching[r.id], booked.get(r.id, NO_BASES),
                          in_periods.get(r.id, NO_BASES)) for r in resources]
    by_category = sorted(roll_up(rows, lambda row: row.category, lambda row: str(row.category)),
                         key=lambda row: list(Category).index(row.key))
    by_school = roll_up(rows, lambda row: row.owner_school_id, lambda row: row.owner_school_name)
    grand_total = roll_up(rows, lambda row: None, lambda row: "")
    return Utilisation(
        by_resource=[row for row in rows if viewer.may_name(row.owner_school_id)],
        by_category=by_category,
        by_school=[row for row in by_school if viewer.may_name(row.key)],
        total=grand_total[0] if grand_total else UtilisationRow(None, "", 0.0, 0.0, NO_BASES),
    )
