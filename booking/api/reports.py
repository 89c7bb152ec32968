"""GET /api/v1/reports/utilization and /api/v1/reports/equity: the dashboard's numbers as JSON.

Both build the same report objects as the page (``booking.reports``) with the same filter
checks, so a script gets exactly what the coordinator sees. School admins get their own
school's rows and the district aggregates, as on the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask import g, jsonify

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import DAY_RANGE_DESCRIPTION
from booking.api.core import ID, PAGE_PARAMS, SCHOOL_REF_SCHEMA, declared_query_values, iso_instant, school_ref_json
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.api.params import EnumParam, ParamError, QueryParam
from booking.reports import cache
from booking.reports.access import MAIN, Access, SchoolAccess, Scope, access
from booking.reports.bases import Basis
from booking.reports.queries import DISTRICT, OWN, RECEIVED, Bases
from booking.reports.filters import Viewer, make_filter
from booking.reports.utilisation import UtilisationRow, utilisation
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
)
NUMBER = {"type": "number"}


def nullable_enum(enum_cls, **extra) -> dict:
    schema_ = nullable(enum_schema(enum_cls))
    return {**schema_, "enum": [*schema_["enum"], None], **extra}


SHARE = nullable({"type": "number", "description": "A fraction (0.25 = 25 %); null where undefined."})
RANGE_FIELDS = {"start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"}}

BASES_FIELDS = {"delivered": NUMBER, "planned": NUMBER, "no_show": NUMBER}
BASES_SCHEMA = obj(BASES_FIELDS)
USAGE_FIELDS = {
    "teaching_hours": NUMBER, "period_hours": {**BASES_SCHEMA, "description": "Hours inside bell periods, by basis."},
    "period_utilization": SHARE, "delivered_period_utilization": SHARE,
    "bookable_hours": NUMBER, "hours": {**BASES_SCHEMA, "description": "Hours by basis."},
    "utilization": {**SHARE, "description": "Opening-hours utilisation (all bases)."},
    "used_hours": NUMBER, "no_show_rate": SHARE, "cross_school_share": SHARE,
}
UTILIZATION_ROW_SCHEMA = schema("UtilizationRow", obj({
    "key": {"type": ["integer", "string"], "description": "Resource id, category or owner school id."},
    "name": {"type": "string"},
    "owner_school": {"oneOf": [SCHOOL_REF_SCHEMA, {"type": "null"}]},
    "category": nullable_enum(Category),
    **USAGE_FIELDS,
}))
UTILIZATION_SCHEMA = schema("UtilizationReport", obj({
    **RANGE_FIELDS, "as_of": {"type": "string", "format": "date-time"}, "group": enum_schema(UtilizationGroup),
    "items": {"type": "array", "items": UTILIZATION_ROW_SCHEMA},
    "total": obj(USAGE_FIELDS),
    "count": {"type": "integer", "minimum": 0, "description": "Items in all pages."},
    "limit": {"type": "integer"}, "offset": {"type": "integer"},
}))

SCOPE_FIELDS = {"hours": BASES_SCHEMA, "hours_per_100_students": obj({key: nullable(NUMBER) for key in BASES_FIELDS}),
                "teacher_hours": BASES_SCHEMA, "student_hours": BASES_SCHEMA}
EQUITY_SCHOOL_SCHEMA = schema("EquitySchool", obj({
    "id": ID, "code": {"type": "string"}, "name": {"type": "string"}, "stage": enum_schema(Stage),
    "is_weak": {"type": "boolean"}, "enrollment": {"type": "integer", "minimum": 0},
    "own_hours": BASES_SCHEMA, "received_hours": BASES_SCHEMA, "district_hours": BASES_SCHEMA,
    "shared": obj(SCOPE_FIELDS), "total": obj(SCOPE_FIELDS),
    "below_stage_level": {"type": "boolean", "description": "Shared access (delivered) below the stage's level."},
    "own_use_only": {"type": "boolean", "description": "Total access at or above the level, shared access near zero."},
    "hours_to_stage_level": nullable({"type": "number", "description": "Shared hours (delivered); null without "
                                                                       "enrollment."}),
}))
DISPERSION_SCHEMA = obj({
    "level_per_100_students": nullable(NUMBER), "planned_level_per_100_students": nullable(NUMBER),
    "cv_weighted": nullable(NUMBER), "cv_unweighted": nullable(NUMBER),
    "gini": nullable(NUMBER), "mcloone": nullable(NUMBER), "passes": nullable({"type": "boolean"}),
})
INDICATOR_SCHEMA = schema("EquityIndicator", obj({
    "indicator": {"type": "string", "enum": ["hours", "facility_hours", "teacher_hours", "student_hours"]},
    "schools": {"type": "integer", "description": "Schools with enrollment counted."},
    "threshold": nullable(NUMBER), "basis": {"type": "string", "enum": ["delivered"]},
    "shared": DISPERSION_SCHEMA, "total": DISPERSION_SCHEMA,
}))
EQUITY_SCHEMA = schema("EquityReport", obj({
    **RANGE_FIELDS, "as_of": {"type": "string", "format": "date-time"},
    "category": nullable_enum(Category), "stage": nullable_enum(Stage),
    "schools": {"type": "array", "items": EQUITY_SCHOOL_SCHEMA},
    "groups": {"type": "array", "items": obj({
        "stage": nullable_enum(Stage, description="Null: the compulsory-education stages together (no pass mark); "
                                                  "kindergartens are only ever their own group."),
        "threshold": nullable(NUMBER),
        "indicators": {"type": "array", "items": INDICATOR_SCHEMA}})},
    "under_served": {"type": "array", "items": obj({"id": ID, "name": {"type": "string"},
                                                     "hours_per_100_students": NUMBER,
                                                     "stage_level_per_100_students": NUMBER,
                                                     "hours_needed": NUMBER})},
    "under_served_count": {"type": "integer", "description": "All schools below their stage's shared level."},
    "own_use_only": {"type": "array", "items": {"type": "integer"}, "description": "Ids of the schools flagged."},
}))


def _per_100(value: float | None) -> float | None:
    return None if value is None else 100 * value


def bases_json(bases: Bases, measure=lambda hours: hours.hours) -> dict:
    return {basis.value: measure(bases.of(basis)) for basis in Basis}


def usage_json(row: UtilisationRow) -> dict:
    hours = row.hours
    return {"teaching_hours": row.teaching_hours, "period_hours": bases_json(row.period_hours),
            "period_utilization": row.period_utilisation(),
            "delivered_period_utilization": row.period_utilisation(Basis.DELIVERED),
            "bookable_hours": row.bookable_hours, "hours": bases_json(hours), "utilization": row.utilisation,
            "used_hours": hours.booked.used_hours, "no_show_rate": hours.no_show_rate,
            "cross_school_share": hours.delivered.cross_share}


def utilization_row_json(row: UtilisationRow, group: UtilizationGroup) -> dict:
    return {"key": row.key.value if group == UtilizationGroup.CATEGORY else row.key, "name": row.name,
            "owner_school": school_ref_json(row.owner_school),
            "category": row.category.value if row.category else None, **usage_json(row)}


@bp.get("/reports/utilization")
@operation("Utilisation: booked over bookable hours, by resource, category or owner school",
           response=UTILIZATION_SCHEMA, role=Role.SCHOOL_ADMIN,
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
    report_filter = make_filter(viewer, values["start"], values["end"])
    figures = utilisation(cache.pinned(report_filter), viewer)
    group, limit, offset = values["group"], values["limit"], values["offset"]
    rows = {UtilizationGroup.RESOURCE: figures.by_resource, UtilizationGroup.CATEGORY: figures.by_category,
            UtilizationGroup.SCHOOL: figures.by_school}[group]
    return jsonify({"start": report_filter.range.first.isoformat(), "end": report_filter.range.last.isoformat(),
                    "as_of": iso_instant(report_filter.cut), "group": group.value,
                    "items": [utilization_row_json(row, group) for row in rows[offset:offset + limit]],
                    "total": usage_json(figures.total), "count": len(rows), "limit": limit, "offset": offset})


def _scope_json(row: SchoolAccess, scope: Scope) -> dict:
    return {"hours": {basis.value: row.value("hours", scope, basis) for basis in Basis},
            "hours_per_100_students": {basis.value: row.per_100("hours", scope, basis) for basis in Basis},
            "teacher_hours": {basis.value: row.value("teacher_hours", scope, basis) for basis in Basis},
            "student_hours": {basis.value: row.value("student_hours", scope, basis) for basis in Basis}}


def equity_school_json(row: SchoolAccess) -> dict:
    school = row.school
    return {"id": school.id, "code": school.code, "name": school.name, "stage": school.stage.value,
            "is_weak": school.is_weak, "enrollment": row.enrollment,
            **{f"{source}_hours": {basis.value: row.source_hours(source, basis) for basis in Basis}
               for source in (OWN, RECEIVED, DISTRICT)},
            "shared": _scope_json(row, Scope.SHARED), "total": _scope_json(row, Scope.TOTAL),
            "below_stage_level": row.below_level, "own_use_only": row.own_use_only,
            "hours_to_stage_level": row.gaps.get((MAIN.key, Scope.SHARED)) if row.enrollment else None}


def _dispersion_json(data) -> dict:
    figures = data.figures
    return {"level_per_100_students": _per_100(figures.level),
            "planned_level_per_100_students": _per_100(data.planned_level),
            "cv_weighted": figures.cv_weighted, "cv_unweighted": figures.cv_unweighted, "gini": figures.gini,
            "mcloone": figures.mcloone, "passes": data.passes}


def equity_groups_json(figures: Access) -> list[dict]:
    return [{"stage": group.stage.value if group.stage else None, "threshold": group.threshold,
             "indicators": [{"indicator": item.indicator.key, "schools": item.shared.figures.schools,
                             "threshold": group.threshold, "basis": Basis.DELIVERED.value,
                             "shared": _dispersion_json(item.shared), "total": _dispersion_json(item.total)}
                            for item in group.indicators]}
            for group in figures.groups]


@bp.get("/reports/equity")
@operation("Access per school and its dispersion (CV, Gini, McLoone), per stage", response=EQUITY_SCHEMA,
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
    report_filter = make_filter(viewer, values["start"], values["end"], values["category"], values["stage"])
    figures = access(cache.pinned(report_filter), viewer)
    return jsonify({
        "start": report_filter.range.first.isoformat(), "end": report_filter.range.last.isoformat(),
        "as_of": iso_instant(report_filter.cut), "category": values["category"].value if values["category"] else None,
        "stage": values["stage"].value if values["stage"] else None,
        "schools": [equity_school_json(row) for row in figures.schools],
        "groups": equity_groups_json(figures),
        "under_served": [{"id": row.school.id, "name": row.school.name,
                          "hours_per_100_students": row.per_100(),
                          "stage_level_per_100_students": 100 * row.levels[(MAIN.key, Scope.SHARED)],
                          "hours_needed": row.gaps[(MAIN.key, Scope.SHARED)]}
                         for row in figures.under_served],
        "under_served_count": figures.under_served_count,
        "own_use_only": [row.school.id for row in figures.own_use_only],
    })
