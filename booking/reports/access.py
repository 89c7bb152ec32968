"""Access per school, split by where it came from, its dispersion (equity), and the sharing flows.

Access: the hours each school's classes received per 100 students, from one GROUP BY (booking
school, source, resource kind, basis). The source is the school's *own* resources, resources
*received* from other schools (another school's facilities and equipment, lessons of visiting
teachers whose home school is another school) or the *district*'s own resources (a school row
marked ``district_owned``). *Shared* access is received + district: what the school did not have
itself. *Total* access adds own use.
Equity: for each indicator and each stage, the figures of ``equity`` for shared and for total
access side by side, on the delivered basis (the planned level beside it), over the schools of
that stage that have students; schools without enrollment are listed, never divided by.
Kindergartens are outside compulsory education: their own group, never in the compulsory one.
Flows: one GROUP BY (booking school, providing school).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import or_, select

from booking.extensions import db
from booking.permissions import district_schools_clause
from booking.reports import equity
from booking.reports.bases import Basis
from booking.reports.filters import ReportFilter, Viewer
from booking.reports.queries import (DISTRICT, NO_BASES, OWN, RECEIVED, Bases, hours_by_flow,
                                     hours_by_school_and_source, total_bases)
from booking.resources.models import ResourceKind
from booking.schools.models import School, Stage
from booking.texts import lazy_gettext as _l

COMPULSORY_STAGES = (Stage.PRIMARY, Stage.JUNIOR, Stage.NINE_YEAR)
# A school is "own use only" when its total access reaches its stage's level while its shared access
# is below this share of the stage's shared level.
NEAR_ZERO_SHARE = 0.1


class Scope(StrEnum):
    SHARED = "shared"
    TOTAL = "total"


SCOPE_SOURCES = {Scope.SHARED: (RECEIVED, DISTRICT), Scope.TOTAL: (OWN, RECEIVED, DISTRICT)}
SCOPE_LABELS = {Scope.SHARED: _l("Shared access"), Scope.TOTAL: _l("Total access")}
SOURCE_LABELS = {OWN: _l("Own use"), RECEIVED: _l("Received from other schools"),
                 DISTRICT: _l("District resources")}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    kinds: frozenset | None  # None: every kind
    students: bool = False  # student-hours instead of class hours

    def of(self, by_source_kind: dict, scope: Scope, basis: Basis) -> float:
        chosen = [bases.of(basis) for (source, kind), bases in by_source_kind.items()
                  if source in SCOPE_SOURCES[scope] and (self.kinds is None or kind in self.kinds)]
        seconds = sum(hours.student_seconds if self.students else hours.seconds for hours in chosen)
        return seconds / 3600


INDICATORS = (
    Indicator("hours", _l("Hours received, all resources"), None),
    Indicator("facility_hours", _l("Facility hours"), frozenset({ResourceKind.FACILITY})),
    Indicator("teacher_hours", _l("Visiting-teacher lesson hours"), frozenset({ResourceKind.TEACHER})),
    Indicator("student_hours", _l("Student-hours"), None, students=True),
)
MAIN = INDICATORS[0]


@dataclass
class SchoolAccess:
    school: School
    by_source_kind: dict  # (source, resource kind) → Bases
    # (indicator key, scope) → hours to the stage's level, and the stage's level per student (delivered)
    gaps: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)
    _values: dict = field(default_factory=dict, repr=False, compare=False)  # value() by its arguments

    @property
    def enrollment(self) -> int:
        return self.school.enrollment

    def value(self, key: str = MAIN.key, scope: Scope = Scope.SHARED, basis: Basis = Basis.DELIVERED) -> float:
        found = self._values.get((key, scope, basis))
        if found is None:
            indicator = next(item for item in INDICATORS if item.key == key)
            found = self._values[(key, scope, basis)] = indicator.of(self.by_source_kind, scope, basis)
        return found

    def source_hours(self, source: str, basis: Basis = Basis.DELIVERED) -> float:
        return sum(bases.of(basis).seconds for (found, _kind), bases in self.by_source_kind.items()
                   if found == source) / 3600

    def per_100(self, key: str = MAIN.key, scope: Scope = Scope.SHARED, basis: Basis = Basis.DELIVERED) -> float | None:
        return 100 * self.value(key, scope, basis) / self.enrollment if self.enrollment else None

    def point(self, key: str, scope: Scope) -> equity.Point:
        return equity.Point(self.enrollment, self.value(key, scope))

    @property
    def below_level(self) -> bool:
        return self.gaps.get((MAIN.key, Scope.SHARED), 0.0) > 0

    @property
    def share_of_level(self) -> float | None:
        """The school's shared access as a share of its stage's shared level (furthest below first)."""
        level = self.levels.get((MAIN.key, Scope.SHARED))
        value = self.per_100()
        return value / (100 * level) if level and value is not None else None

    @property
    def own_use_only(self) -> bool:
        """Total access at or above the stage's level, shared access near zero: own use called sharing."""
        total_level, shared_level = self.levels.get((MAIN.key, Scope.TOTAL)), self.levels.get((MAIN.key, Scope.SHARED))
        if not self.enrollment or not total_level or not shared_level:  # nobody shares: nothing to compare
            return False
        shared = self.value(MAIN.key, Scope.SHARED) / self.enrollment
        return (self.value(MAIN.key, Scope.TOTAL) / self.enrollment >= total_level
                and shared <= NEAR_ZERO_SHARE * shared_level)


@dataclass(frozen=True)
class ScopeEquity:
    figures: equity.Dispersion  # delivered
    planned_level: float | None  # per student
    threshold: float | None
    curve: tuple = ()  # equity.LorenzStep by school id, least served first (delivered)

    @property
    def passes(self) -> bool | None:
        return equity.passes(self.figures.cv_weighted, self.threshold)


@dataclass(frozen=True)
class IndicatorEquity:
    indicator: Indicator
    shared: ScopeEquity
    total: ScopeEquity

    def of(self, scope: Scope) -> ScopeEquity:
        return self.shared if scope == Scope.SHARED else self.total


@dataclass(frozen=True)
class StageEquity:
    stage: Stage | None  # None: the compulsory-education stages together
    threshold: float | None
    indicators: list[IndicatorEquity]

    @property
    def main(self) -> IndicatorEquity:
        return next(item for item in self.indicators if item.indicator is MAIN)


@dataclass
class Access:
    schools: list[SchoolAccess]  # the ones the viewer may name
    groups: list[StageEquity]
    under_served: list[SchoolAccess]  # below their stage's shared level, furthest first (the viewer's)
    under_served_count: int  # all of them: a district aggregate
    own_use_only: list[SchoolAccess]  # the viewer's

    @property
    def compulsory_schools(self) -> list[SchoolAccess]:
        return [row for row in self.schools if row.school.stage in COMPULSORY_STAGES]

    @property
    def kindergartens(self) -> list[SchoolAccess]:
        return [row for row in self.schools if row.school.stage not in COMPULSORY_STAGES]


def schools_in_scope(report_filter: ReportFilter, with_hours) -> list[School]:
    """The schools compared: the district's active ones (and any with hours), never the district's own bodies."""
    query = select(School).where(or_(School.active.is_(True), School.id.in_(list(with_hours))),
                                 School.district_owned.is_(False), district_schools_clause(report_filter.district_id))
    if report_filter.stage:
        query = query.where(School.stage == report_filter.stage)
    return list(db.session.scalars(query.order_by(School.is_lead.desc(), School.code)))


def _scope_equity(indicator: Indicator, scope: Scope, counted: list[SchoolAccess],
                  threshold: float | None) -> ScopeEquity:
    points = [member.point(indicator.key, scope) for member in counted]
    figures = equity.dispersion(points)
    planned = equity.district_level([equity.Point(member.enrollment, member.value(indicator.key, scope, Basis.PLANNED))
                                     for member in counted])
    for member in counted:
        member.levels[(indicator.key, scope)] = figures.level
        member.gaps[(indicator.key, scope)] = equity.gap_to_level(member.point(indicator.key, scope), figures.level)
    curve = tuple(equity.lorenz(points, [member.school.id for member in counted]))
    return ScopeEquity(figures, planned, threshold, curve)


def _stage_group(stage: Stage | None, members: list[SchoolAccess]) -> StageEquity:
    threshold = equity.STAGE_THRESHOLDS.get(stage) if stage else None
    counted = [member for member in members if member.enrollment > 0]
    indicators = [IndicatorEquity(indicator, _scope_equity(indicator, Scope.SHARED, counted, threshold),
                                  _scope_equity(indicator, Scope.TOTAL, counted, threshold))
                  for indicator in INDICATORS]
    return StageEquity(stage, threshold, indicators)


def school_rows(report_filter: ReportFilter, school_hours=hours_by_school_and_source) -> list[SchoolAccess]:
    """Each school compared with what its classes received. ``school_hours``: the query of {(booking school,
    source, kind): Bases}; the district report's shares its scan with the flows, the county report (no flows,
    none of the district's equity groups) has its own (``queries.hours_by_school_source_kind``)."""
    by_school: dict[int, dict] = {}
    for (school_id, source, kind), bases in school_hours(report_filter).items():
        by_school.setdefault(school_id, {})[(source, kind)] = bases
    return [SchoolAccess(school, by_school.get(school.id, {})) for school in schools_in_scope(report_filter, by_school)]


def access(report_filter: ReportFilter, viewer: Viewer) -> Access:
    """The district report's access figures: each school's rows, their equity by stage, who is under-served."""
    rows = school_rows(report_filter)
    # Compulsory-education stages first, kindergartens (outside compulsory education) last.
    present = {row.school.stage for row in rows}
    stages = [stage for stage in (*COMPULSORY_STAGES, Stage.KINDERGARTEN) if stage in present]
    compulsory = [stage for stage in stages if stage in COMPULSORY_STAGES]
    # Each school's gap is to its own stage's level, so the stage groups are computed last.
    groups = ([_stage_group(None, [row for row in rows if row.school.stage in COMPULSORY_STAGES])]
              if len(compulsory) > 1 else [])
    groups += [_stage_group(stage, [row for row in rows if row.school.stage == stage]) for stage in stages]
    under_served = sorted((row for row in rows if row.below_level), key=lambda row: row.share_of_level)
    return Access(
        schools=[row for row in rows if viewer.may_name(row.school.id)],
        groups=groups,
        under_served=[row for row in under_served if viewer.may_name(row.school.id)],
        under_served_count=len(under_served),
        own_use_only=[row for row in rows if row.own_use_only and viewer.may_name(row.school.id)],
    )


@dataclass(frozen=True)
class FlowRow:
    school: School
    lent: Bases  # other schools' classes in this school's resources (or its visiting teachers' lessons)
    borrowed: Bases  # this school's classes in other schools' resources
    own_use: Bases


@dataclass
class Flows:
    schools: list[School]  # the matrix's axes, in the district's order
    cells: dict[tuple[int, int], Bases]  # (booking school id, providing school id) → Bases
    rows: list[FlowRow]
    total: Bases

    @property
    def cross_share(self) -> float | None:
        """The delivered hours between different schools, over all delivered hours."""
        cross = sum(hours.delivered.seconds for pair, hours in self.cells_all.items() if pair[0] != pair[1])
        return cross / self.total.delivered.seconds if self.total.delivered.seconds else None

    cells_all: dict = field(default_factory=dict)  # every pair, for the district's share


def flows(report_filter: ReportFilter, viewer: Viewer) -> Flows:
    cells = hours_by_flow(report_filter)
    ids = {school_id for pair in cells for school_id in pair}
    schools = list(db.session.scalars(
        select(School).where(School.id.in_(ids)).order_by(School.is_lead.desc(), School.code))) if ids else []
    lent: dict[int, Bases] = {}
    borrowed: dict[int, Bases] = {}
    for (booker, owner), hours in cells.items():  # one pass: the matrix may hold thousands of pairs
        if booker != owner:
            lent[owner] = lent.get(owner, NO_BASES) + hours
            borrowed[booker] = borrowed.get(booker, NO_BASES) + hours
    rows = [FlowRow(school, lent.get(school.id, NO_BASES), borrowed.get(school.id, NO_BASES),
                    cells.get((school.id, school.id), NO_BASES))
            for school in schools]
    visible = {pair: hours for pair, hours in cells.items() if viewer.may_name(pair[0]) or viewer.may_name(pair[1])}
    axis_ids = {school_id for pair in visible for school_id in pair}
    return Flows(
        schools=[school for school in schools if school.id in axis_ids],
        cells=visible,
        rows=[row for row in rows if viewer.may_name(row.school.id)],
        total=total_bases(cells.values()),
        cells_all=cells,
    )
