"""The county equity report: the supervision method's figures over ALL the county's schools, by stage.

The method judges a county (县域), not a 学区: its CVs are computed over every school of the county. For
each stage this gives, for shared and for total access (the district report's ``access`` rows, its
pure ``equity`` maths), delivered and planned: the county's level and weighted CV against the stage's mark;
each district's own CV beside it; the Theil index split into between- and within-district parts
(``county_equity``); and the schools that pull the county over its mark. Its tables are the one
``Table`` shape of the district report, so the page, the CSV/XLSX and the printout agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from booking.labels import label
from booking.reports import cache, county_equity, equity
from booking.reports.access import COMPULSORY_STAGES, MAIN, SCOPE_LABELS, SchoolAccess, Scope, school_rows
from booking.reports.bases import BASIS_LABELS, Basis
from booking.reports.filters import ReportFilter
from booking.reports.queries import hours_by_school_source_kind
from booking.reports.tables import FLAG, INT, PERCENT, RATIO, Column, Table
from booking.schools.models import County, Stage
from booking.texts import lazy_gettext as _l

SCOPES = (Scope.SHARED, Scope.TOTAL)


@dataclass(frozen=True)
class Spread:
    """One group of schools (the county, or one district) for one stage and scope."""

    schools: int
    delivered: equity.Dispersion
    planned: equity.Dispersion


@dataclass(frozen=True)
class StageFigures:
    stage: Stage
    threshold: float | None
    county: dict  # scope → Spread
    districts: dict  # scope → {district name → Spread}
    theil: dict  # scope → county_equity.TheilParts | None (delivered)
    pulls: list  # county_equity.Pull of the shared, delivered figures; keys are SchoolAccess rows

    def passes(self, scope: Scope) -> bool | None:
        return equity.passes(self.county[scope].delivered.cv_weighted, self.threshold)


@dataclass
class CountyReport:
    filter: ReportFilter
    county: County
    districts: list[str]
    stages: list[StageFigures]

    def tables(self) -> list[Table]:
        return [county_table(self), districts_table(self), theil_table(self), pulls_table(self)]


def _points(rows: list[SchoolAccess], scope: Scope, basis: Basis) -> list[equity.Point]:
    return [equity.Point(row.enrollment, row.value(MAIN.key, scope, basis)) for row in rows]


def _spread(rows: list[SchoolAccess], scope: Scope) -> Spread:
    return Spread(len(rows), equity.dispersion(_points(rows, scope, Basis.DELIVERED)),
                  equity.dispersion(_points(rows, scope, Basis.PLANNED)))


def _stage(stage: Stage, rows: list[SchoolAccess], district_of: dict) -> StageFigures:
    threshold = equity.STAGE_THRESHOLDS.get(stage.value)
    by_district: dict[str, list[SchoolAccess]] = {}
    for row in rows:
        by_district.setdefault(district_of[row.school.district_id], []).append(row)
    theil = {scope: county_equity.theil_decomposition(
        {name: _points(members, scope, Basis.DELIVERED) for name, members in by_district.items()}) for scope in SCOPES}
    pulls = county_equity.pulling_schools(
        [(row, equity.Point(row.enrollment, row.value(MAIN.key, Scope.SHARED))) for row in rows], threshold)
    return StageFigures(stage, threshold, {scope: _spread(rows, scope) for scope in SCOPES},
                        {scope: {name: _spread(members, scope) for name, members in sorted(by_district.items())}
                         for scope in SCOPES}, theil, pulls)


def build_county_report(report_filter: ReportFilter, county: County) -> CountyReport:
    """Every school of ``county`` with students, whoever looks (only county coordinators may). Pinned to the
    data version, as the district report is, so its GROUP BY is served from the cache until a write."""
    report_filter = cache.pinned(report_filter)
    district_of = {district.id: district.name for district in county.districts}
    rows = [row for row in school_rows(report_filter, hours_by_school_source_kind)
            if row.school.district_id in district_of and row.enrollment > 0]
    stages = [stage for stage in (*COMPULSORY_STAGES, Stage.KINDERGARTEN)
              if any(row.school.stage == stage for row in rows)]
    figures = [_stage(stage, [row for row in rows if row.school.stage == stage], district_of) for stage in stages]
    names = sorted({district_of[row.school.district_id] for row in rows})
    return CountyReport(report_filter, county, names, figures)


# --- tables -------------------------------------------------------------------------------------

def _per_100(level: float | None) -> float | None:
    return 100 * level if level is not None else None


def county_table(report: CountyReport) -> Table:
    columns = [Column("stage", _l("Stage")), Column("scope", _l("Access")), Column("schools", _l("Schools"), INT),
               Column("level", _l("Hours per 100 students (delivered)"), RATIO),
               Column("cv", _l("County CV (delivered)"), RATIO),
               Column("planned_level", _l("Hours per 100 students (planned)"), RATIO),
               Column("planned_cv", _l("County CV (planned)"), RATIO),
               Column("mark", _l("Pass mark"), RATIO), Column("passes", _l("Passes"), FLAG)]
    rows = [[label(item.stage), str(SCOPE_LABELS[scope]), item.county[scope].schools,
             _per_100(item.county[scope].delivered.level), item.county[scope].delivered.cv_weighted,
             _per_100(item.county[scope].planned.level), item.county[scope].planned.cv_weighted,
             item.threshold, item.passes(scope)]
            for item in report.stages for scope in SCOPES]
    return Table("county_equity", _l("The county's CVs by stage, over all its schools"), columns, rows,
                 note=_l("Enrollment-weighted CV over every school of the county with students, as the supervision "
                         "method computes it. Delivered: bookings that have ended; planned: confirmed ones to come."))


def districts_table(report: CountyReport) -> Table:
    columns = [Column("stage", _l("Stage")), Column("district", _l("District")), Column("schools", _l("Schools"), INT)]
    for scope in SCOPES:
        for basis in (Basis.DELIVERED, Basis.PLANNED):
            columns += [Column(f"{scope}_{basis}", _l("%(scope)s: district CV (%(basis)s)", scope=SCOPE_LABELS[scope],
                                                      basis=BASIS_LABELS[basis]), RATIO),
                        Column(f"{scope}_{basis}_county", _l("%(scope)s: county CV (%(basis)s)",
                                                             scope=SCOPE_LABELS[scope], basis=BASIS_LABELS[basis]), RATIO)]
    rows = []
    for item in report.stages:
        for name, shared in item.districts[Scope.SHARED].items():
            row = [label(item.stage), name, shared.schools]
            for scope in SCOPES:
                spread, county = item.districts[scope][name], item.county[scope]
                row += [spread.delivered.cv_weighted, county.delivered.cv_weighted,
                        spread.planned.cv_weighted, county.planned.cv_weighted]
            rows.append(row)
    return Table("county_districts", _l("Each district's own CV beside the county's"), columns, rows)


def theil_table(report: CountyReport) -> Table:
    columns = [Column("stage", _l("Stage")), Column("scope", _l("Access")), Column("theil", _l("Theil index"), RATIO),
               Column("between", _l("Between districts"), RATIO), Column("within", _l("Within districts"), RATIO),
               Column("between_share", _l("Share between districts"), PERCENT)]
    rows = []
    for item in report.stages:
        for scope in SCOPES:
            parts = item.theil[scope]
            rows.append([label(item.stage), str(SCOPE_LABELS[scope]), parts.total if parts else None,
                         parts.between if parts else None, parts.within if parts else None,
                         parts.between_share if parts else None])
    return Table("county_theil", _l("Inequality between and within districts (Theil index, delivered)"), columns, rows,
                 note=_l("T = T_between + T_within: between, as if every school had its district's level; within, "
                         "each district's own index weighted by its share of the hours."))


def pulls_table(report: CountyReport) -> Table:
    columns = [Column("school", _l("School")), Column("district", _l("District")), Column("stage", _l("Stage")),
               Column("per_100", _l("Shared access per 100 students"), RATIO),
               Column("level", _l("County level per 100 students"), RATIO),
               Column("variance_share", _l("Share of the county's variance"), PERCENT),
               Column("cv_without", _l("County CV without this school"), RATIO)]
    district_of = {district.id: district.name for district in report.county.districts}
    rows = [[pull.key.school.name, district_of.get(pull.key.school.district_id, ""), label(item.stage),
             pull.key.per_100(), _per_100(item.county[Scope.SHARED].delivered.level), pull.variance_share,
             pull.cv_without]
            for item in report.stages for pull in item.pulls]
    return Table("county_pulls", _l("The schools that pull the county over its mark (shared access, delivered)"),
                 columns, rows, note=_l("Where the county's CV is above the stage's mark: the schools without which "
                                        "it would be lower, the lowest county CV without them first."))


