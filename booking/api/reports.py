"""GET /api/v1/reports/utilization and /api/v1/reports/equity: the dashboard's numbers as JSON.

Both build the same report objects as the page (``booking.reports``) with the same filter
checks, so a script gets exactly what the coordinator sees. School admins get their own
school's rows and their district's aggregates, as on the page; `district` chooses a county coordinator's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Callable

from flask import g, jsonify

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import DAY_RANGE_DESCRIPTION
from booking.api.core import PAGE_PARAMS, SCHOOL_REF, declared_query_values
from booking.api.openapi import enum_schema, nullable, operation
from booking.api.shapes import Field, Shape, boolean, choice, day, identifier, iso_instant, many, one, text, typed
from booking.api.params import EnumParam, IntParam, ParamError, QueryParam
from booking.reports import cache
from booking.reports.access import MAIN, Scope, access
from booking.reports.bases import Basis
from booking.reports.queries import DISTRICT, OWN, RECEIVED, Bases
from booking.reports.filters import Viewer, make_filter
from booking.reports.utilisation import utilisation
from booking.resources.models import Category
from booking.schools.models import Stage
from booking.parsing import parse_day
from booking.validation import FIRST_YEAR, LAST_YEAR


class UtilizationGroup(StrEnum):
    RESOURCE = "resource"
    CATEGORY = "category"
    SCHOOL = "school"


@dataclass(frozen=True)
class DateParam(QueryParam):
    def parse(self, raw: str) -> date:
        day = parse_day(raw)
        if day is None:
            raise ParamError(f"Enter a date as YYYY-MM-DD from {FIRST_YEAR} to {LAST_YEAR}, not {raw!r}.")
        return day

    def schema(self) -> dict:
        return {"type": "string", "format": "date", "description": DAY_RANGE_DESCRIPTION}


RANGE_PARAMS = (
    DateParam("start", "First day (district-local date). With `end` omitted as well: the current term."),
    DateParam("end", "Last day, inclusive. At most 400 days after `start`."),
    IntParam("district", "Only this district's schools and resources. County coordinators choose any district "
                         "(omitted: every district); everyone else sees their own district's figures only.",
             minimum=1),
)
NUMBER = {"type": "number"}


def nullable_enum(enum_cls, **extra) -> dict:
    schema_ = nullable(enum_schema(enum_cls))
    return {**schema_, "enum": [*schema_["enum"], None], **extra}


def _per_100(value: float | None) -> float | None:
    return None if value is None else 100 * value


SHARE = nullable({"type": "number", "description": "A fraction (0.25 = 25 %); null where undefined."})
RANGE_FIELDS = {"start": day("range.first"), "end": day("range.last"),
                "district_id": identifier(nullable=True, description="The district the figures are of; null: every "
                                                                     "district.")}


def by_basis(measure: Callable[[object, Basis], float | None], *, nullable_figures: bool = False,
             description: str | None = None) -> Field:
    """An object of one figure per basis (delivered, planned, no_show): ``measure(row, basis)``."""
    def figure(basis: Basis) -> Field:
        return typed(NUMBER, lambda row: measure(row, basis), nullable=nullable_figures)

    return one(Shape(None, {basis.value: figure(basis) for basis in Basis}), lambda row: row, description=description)


def hours_by_basis(read: Callable[[object], Bases], description: str | None = None) -> Field:
    return by_basis(lambda row, basis: read(row).of(basis).hours, description=description)


USAGE_FIELDS = {
    "teaching_hours": typed(NUMBER),
    "period_hours": hours_by_basis(lambda row: row.period_hours, "Hours inside bell periods, by basis."),
    "period_utilization": typed(SHARE, lambda row: row.period_utilisation()),
    "delivered_period_utilization": typed(SHARE, lambda row: row.period_utilisation(Basis.DELIVERED)),
    "bookable_hours": typed(NUMBER),
    "hours": hours_by_basis(lambda row: row.hours, "Hours by basis."),
    "utilization": typed(SHARE, "utilisation", description="Opening-hours utilisation (all bases)."),
    "used_hours": typed(NUMBER, "hours.booked.used_hours"),
    "no_show_rate": typed(SHARE, "hours.no_show_rate"),
    "cross_school_share": typed(SHARE, "hours.delivered.cross_share"),
}
UTILIZATION_ROW = Shape("UtilizationRow", {
    "key": typed({"type": ["integer", "string"], "description": "Resource id, category or owner school id."},
                 convert=lambda key: key.value if isinstance(key, Enum) else key),
    "name": text(),
    "owner_school": one(SCHOOL_REF, nullable=True),
    "category": typed(nullable_enum(Category), convert=lambda category: category.value),
    **USAGE_FIELDS,
})
UTILIZATION = Shape("UtilizationReport", {
    **RANGE_FIELDS, "as_of": typed({"type": "string", "format": "date-time"}, "cut", convert=iso_instant),
    "group": choice(UtilizationGroup),
    "items": many(UTILIZATION_ROW, "rows"),
    "total": one(Shape(None, USAGE_FIELDS), "figures.total"),
    "count": typed({"type": "integer", "minimum": 0, "description": "Items in all pages."}),
    "limit": typed({"type": "integer"}), "offset": typed({"type": "integer"}),
})


def scope_fields(scope: Scope) -> Field:
    """A school's hours (and hours per 100 students, teacher and student hours) in ``scope``, by basis."""
    return one(Shape(None, {
        "hours": by_basis(lambda row, basis: row.value("hours", scope, basis)),
        "hours_per_100_students": by_basis(lambda row, basis: row.per_100("hours", scope, basis),
                                           nullable_figures=True),
        "teacher_hours": by_basis(lambda row, basis: row.value("teacher_hours", scope, basis)),
        "student_hours": by_basis(lambda row, basis: row.value("student_hours", scope, basis)),
    }), lambda row: row)


def source_hours(source: str) -> Field:
    return by_basis(lambda row, basis: row.source_hours(source, basis))


EQUITY_SCHOOL = Shape("EquitySchool", {
    "id": identifier("school.id"), "code": text("school.code"), "name": text("school.name"),
    "stage": choice(Stage, "school.stage"), "is_weak": boolean("school.is_weak"),
    "enrollment": typed({"type": "integer", "minimum": 0}),
    "own_hours": source_hours(OWN), "received_hours": source_hours(RECEIVED), "district_hours": source_hours(DISTRICT),
    "shared": scope_fields(Scope.SHARED), "total": scope_fields(Scope.TOTAL),
    "below_stage_level": boolean("below_level", description="Shared access (delivered) below the stage's level."),
    "own_use_only": boolean(description="Total access at or above the level, shared access near zero."),
    "hours_to_stage_level": typed({"type": "number", "description": "Shared hours (delivered); null without "
                                                                    "enrollment."},
                                  lambda row: row.gaps.get((MAIN.key, Scope.SHARED)) if row.enrollment else None,
                                  nullable=True),
})
DISPERSION = Shape(None, {
    "level_per_100_students": typed(NUMBER, "figures.level", convert=_per_100, nullable=True),
    "planned_level_per_100_students": typed(NUMBER, "planned_level", convert=_per_100, nullable=True),
    "cv_weighted": typed(NUMBER, "figures.cv_weighted", nullable=True),
    "cv_unweighted": typed(NUMBER, "figures.cv_unweighted", nullable=True),
    "gini": typed(NUMBER, "figures.gini", nullable=True), "mcloone": typed(NUMBER, "figures.mcloone", nullable=True),
    "passes": boolean(nullable=True),
})
INDICATOR = Shape("EquityIndicator", {
    "indicator": typed({"type": "string", "enum": ["hours", "facility_hours", "teacher_hours", "student_hours"]},
                       "item.indicator.key"),
    "schools": typed({"type": "integer", "description": "Schools with enrollment counted."}, "item.shared.figures.schools"),
    "threshold": typed(NUMBER, "group.threshold", nullable=True),
    "basis": typed({"type": "string", "enum": ["delivered"]}, lambda shown: Basis.DELIVERED.value),
    "shared": one(DISPERSION, "item.shared"), "total": one(DISPERSION, "item.total"),
})
EQUITY_GROUP = Shape(None, {
    "stage": typed(nullable_enum(Stage, description="Null: the compulsory-education stages together (no pass mark); "
                                                    "kindergartens are only ever their own group."),
                   convert=lambda stage: stage.value),
    "threshold": typed(NUMBER, nullable=True),
    "indicators": many(INDICATOR, lambda group: [{"group": group, "item": item} for item in group.indicators]),
})
UNDER_SERVED = Shape(None, {
    "id": identifier("school.id"), "name": text("school.name"),
    "hours_per_100_students": typed(NUMBER, lambda row: row.per_100()),
    "stage_level_per_100_students": typed(NUMBER, lambda row: 100 * row.levels[(MAIN.key, Scope.SHARED)]),
    "hours_needed": typed(NUMBER, lambda row: row.gaps[(MAIN.key, Scope.SHARED)]),
})
EQUITY = Shape("EquityReport", {
    **RANGE_FIELDS, "as_of": typed({"type": "string", "format": "date-time"}, "cut", convert=iso_instant),
    "category": typed(nullable_enum(Category), convert=lambda category: category.value),
    "stage": typed(nullable_enum(Stage), convert=lambda stage: stage.value),
    "schools": many(EQUITY_SCHOOL, "figures.schools"),
    "groups": many(EQUITY_GROUP, "figures.groups"),
    "under_served": many(UNDER_SERVED, "figures.under_served"),
    "under_served_count": typed({"type": "integer", "description": "All schools below their stage's shared level."},
                                "figures.under_served_count"),
    "own_use_only": many({"type": "integer"}, lambda shown: [row.school.id for row in shown["figures"].own_use_only],
                         description="Ids of the schools flagged."),
})


@bp.get("/reports/utilization")
@operation("Utilisation: booked over bookable hours, by resource, category or owner school",
           response=UTILIZATION.ref, role=Role.SCHOOL_ADMIN,
           query=RANGE_PARAMS + (EnumParam("group", "What each item is.", default=UtilizationGroup.RESOURCE,
                                           enum=UtilizationGroup),) + PAGE_PARAMS,
           description="Hours by basis: `delivered` (ended, not a no-show), `planned` (confirmed, not yet "
                       "ended), `no_show` (recorded, or released because nobody checked in), as of `as_of`. "
                       "`period_utilization`: booked time inside the owner school's bell periods over those "
                       "periods on its teaching days (term weekdays less closures and blackouts); "
                       "`utilization`: booked hours over opening hours. Equipment compares hours × quantity "
                       "with its stock's hours. Items a page at a time (`limit`, `offset`; `count` in all); "
                       "`total` sums every item.")
def report_utilization():
    values = declared_query_values()
    viewer = Viewer.of(g.api_user)
    report_filter = make_filter(viewer, values["start"], values["end"], district_id=values["district"])
    figures = utilisation(cache.pinned(report_filter), viewer)
    group, limit, offset = values["group"], values["limit"], values["offset"]
    rows = {UtilizationGroup.RESOURCE: figures.by_resource, UtilizationGroup.CATEGORY: figures.by_category,
            UtilizationGroup.SCHOOL: figures.by_school}[group]
    return jsonify(UTILIZATION.dump({"range": report_filter.range, "district_id": report_filter.district_id,
                                     "cut": report_filter.cut, "group": group,
                                     "rows": rows[offset:offset + limit], "figures": figures,
                                     "count": len(rows), "limit": limit, "offset": offset}))


@bp.get("/reports/equity")
@operation("Access per school and its dispersion (CV, Gini, McLoone), per stage", response=EQUITY.ref,
           role=Role.SCHOOL_ADMIN,
           query=RANGE_PARAMS + (EnumParam("category", "Only resources of this category.", enum=Category),
                                 EnumParam("stage", "Only schools of this stage.", enum=Stage)),
           description="Hours each school's classes received per 100 students, split into own use, "
                       "received from other schools and district resources; `shared` = received + district, "
                       "`total` adds own use. Dispersion on the delivered basis (ended, not a no-show) as of "
                       "`as_of`, the planned level beside it; kindergartens are their own group. "
                       "`cv_weighted` = sqrt(Σ (P_i/P)(X_i − X̄)²) / X̄ with X_i a school's hours per "
                       "student, P_i its enrollment and X̄ = Σ hours / Σ P; pass marks 0.50 (primary), 0.45 "
                       "(junior and nine-year schools), none for kindergartens. Schools without enrollment are "
                       "listed but left out of every figure.")
def report_equity():
    values = declared_query_values()
    viewer = Viewer.of(g.api_user)
    report_filter = make_filter(viewer, values["start"], values["end"], values["category"], values["stage"],
                                district_id=values["district"])
    return jsonify(EQUITY.dump({"range": report_filter.range, "district_id": report_filter.district_id,
                                "cut": report_filter.cut,
                                "category": values["category"], "stage": values["stage"],
                                "figures": access(cache.pinned(report_filter), viewer)}))
