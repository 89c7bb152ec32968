"""Access per school and its dispersion (equity), and the sharing flows between schools.

Access: the hours each school's classes received (own and borrowed resources alike: it is
the students' access that is compared), per 100 students. One GROUP BY (booking school, kind).
Equity: for each indicator and each stage, the figures of ``equity`` over the schools of that
stage that have students; schools without enrollment are listed, never divided by.
Flows: one GROUP BY (booking school, owner school).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from booking.extensions import db
from booking.reports import equity
from booking.reports.filters import ReportFilter, Viewer
from booking.reports.queries import Hours, hours_by_flow, hours_by_school_and_kind, total
from booking.resources.models import ResourceKind
from booking.schools.models import School, Stage
from booking.texts import lazy_gettext as _l


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    kinds: frozenset | None  # None: every kind
    students: bool = False  # student-hours instead of class hours

    def of(self, by_kind: dict) -> float:
        chosen = [hours for kind, hours in by_kind.items() if self.kinds is None or kind in self.kinds]
        summed = total(chosen)
        return summed.student_hours if self.students else summed.hours


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
    totals: dict[str, float]  # indicator key → hours (or student-hours)
    gaps: dict[str, float] = field(default_factory=dict)  # indicator key → hours to the stage's level
    levels: dict[str, float | None] = field(default_factory=dict)  # the stage's level, per student

    @property
    def enrollment(self) -> int:
        return self.school.enrollment

    def per_100(self, key: str) -> float | None:
        return 100 * self.totals[key] / self.enrollment if self.enrollment else None

    def point(self, key: str) -> equity.Point:
        return equity.Point(self.enrollment, self.totals[key])

    @property
    def below_level(self) -> bool:
        return self.gaps.get(MAIN.key, 0.0) > 0

    @property
    def share_of_level(self) -> float | None:
        """The school's main value as a share of its stage's level (furthest below first)."""
        level = self.levels.get(MAIN.key)
        value = self.per_100(MAIN.key)
        return value / (100 * level) if level and value is not None else None


@dataclass(frozen=True)
class IndicatorEquity:
    indicator: Indicator
    figures: equity.Dispersion
    threshold: float | None

    @property
    def passes(self) -> bool | None:
        return equity.passes(self.figures.cv_weighted, self.threshold)


@dataclass(frozen=True)
class StageEquity:
    stage: Stage | None  # None: all stages together (no pass mark)
    threshold: float | None
    indicators: list[IndicatorEquity]


@dataclass
class Access:
    schools: list[SchoolAccess]  # the ones the viewer may name
    groups: list[StageEquity]
    under_served: list[SchoolAccess]  # below their stage's level, furthest first (the viewer's)
    under_served_count: int  # all of them: a district aggregate


def schools_in_scope(report_filter: ReportFilter, with_hours) -> list[School]:
    query = select(School).where(or_(School.active.is_(True), School.id.in_(list(with_hours))))
    if report_filter.stage:
        query = query.where(School.stage == report_filter.stage)
    return list(db.session.scalars(query.order_by(School.is_lead.desc(), School.code)))


def _stage_group(stage: Stage | None, members: list[SchoolAccess]) -> StageEquity:
    threshold = equity.STAGE_THRESHOLDS.get(stage) if stage else None
    counted = [member for member in members if member.enrollment > 0]
    indicators = []
    for indicator in INDICATORS:
        figures = equity.dispersion([member.point(indicator.key) for member in counted])
        indicators.append(IndicatorEquity(indicator, figures, threshold))
        for member in counted:
            member.levels[indicator.key] = figures.level
            member.gaps[indicator.key] = equity.gap_to_level(member.point(indicator.key), figures.level)
    return StageEquity(stage, threshold, indicators)


def access(report_filter: ReportFilter, viewer: Viewer) -> Access:
    by_school: dict[int, dict] = {}
    for (school_id, kind), hours in hours_by_school_and_kind(report_filter).items():
        by_school.setdefault(school_id, {})[kind] = hours
    rows = [SchoolAccess(school, {i.key: i.of(by_school.get(school.id, {})) for i in INDICATORS})
            for school in schools_in_scope(report_filter, by_school)]
    stages = [stage for stage in Stage if any(row.school.stage == stage for row in rows)]
    # Each school's gap is to its own stage's level, so the stage groups are computed last.
    groups = [_stage_group(None, rows)] if len(stages) > 1 else []
    groups += [_stage_group(stage, [row for row in rows if row.school.stage == stage]) for stage in stages]
    under_served = sorted((row for row in rows if row.below_level), key=lambda row: row.share_of_level)
    return Access(
        schools=[row for row in rows if viewer.may_name(row.school.id)],
        groups=groups,
        under_served=[row for row in under_served if viewer.may_name(row.school.id)],
        under_served_count=len(under_served),
    )


@dataclass(frozen=True)
class FlowRow:
    school: School
    lent: Hours  # other schools' classes in this school's resources
    borrowed: Hours  # this school's classes in other schools' resources
    own_use: Hours


@dataclass
class Flows:
    schools: list[School]  # the matrix's axes, in the district's order
    cells: dict[tuple[int, int], Hours]  # (booking school id, owner school id) → Hours
    rows: list[FlowRow]
    total: Hours  # cross_share is the district's share of cross-school use


def flows(report_filter: ReportFilter, viewer: Viewer) -> Flows:
    cells = hours_by_flow(report_filter)
    ids = {school_id for pair in cells for school_id in pair}
    schools = list(db.session.scalars(
        select(School).where(School.id.in_(ids)).order_by(School.is_lead.desc(), School.code))) if ids else []
    lent: dict[int, Hours] = {}
    borrowed: dict[int, Hours] = {}
    for (booker, owner), hours in cells.items():  # one pass: the matrix may hold thousands of pairs
        if booker != owner:
            lent[owner] = lent.get(owner, Hours()) + hours
            borrowed[booker] = borrowed.get(booker, Hours()) + hours
    rows = [FlowRow(school, lent.get(school.id, Hours()), borrowed.get(school.id, Hours()),
                    cells.get((school.id, school.id), Hours()))
            for school in schools]
    visible = {pair: hours for pair, hours in cells.items() if viewer.may_name(pair[0]) or viewer.may_name(pair[1])}
    axis_ids = {school_id for pair in visible for school_id in pair}
    return Flows(
        schools=[school for school in schools if school.id in axis_ids],
        cells=visible,
        rows=[row for row in rows if viewer.may_name(row.school.id)],
        total=total(cells.values()),
    )
