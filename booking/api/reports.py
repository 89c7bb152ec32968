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
from booking.api.core import ID, SCHOOL_REF_SCHEMA, declared_query_values, school_ref_json
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.api.params import EnumParam, ParamError, QueryParam
from booking.reports.access import Access, SchoolAccess, access
from booking.reports.filters import Viewer, make_filter
from booking.reports.utilisation import UtilisationRow, utilisation
from booking.resources.models import Category
from booking.schools.models import Stage
from booking.schools.rules import parse_day
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

USAGE_FIELDS = {
    "bookable_hours": NUMBER, "booked_hours": NUMBER, "utilization": SHARE, "used_hours": NUMBER,
    "no_show_hours": NUMBER, "no_show_rate": SHARE, "cross_school_share": SHARE,
}
UTILIZATION_ROW_SCHEMA = schema("UtilizationRow", obj({
    "key": {"type": ["integer", "string"], "description": "Resource id, category or owner school id."},
    "name": {"type": "string"},
    "owner_school": {"oneOf": [SCHOOL_REF_SCHEMA, {"type": "null"}]},
    "category": nullable_enum(Category),
    **USAGE_FIELDS,
}))
UTILIZATION_SCHEMA = schema("UtilizationReport", obj({
    **RANGE_FIELDS, "group": enum_schema(UtilizationGroup),
    "items": {"type": "array", "items": UTILIZATION_ROW_SCHEMA},
    "total": obj(USAGE_FIELDS),
}))

EQUITY_SCHOOL_SCHEMA = schema("EquitySchool", obj({
    "id": ID, "code": {"type": "string"}, "name": {"type": "string"}, "stage": enum_schema(Stage),
    "is_weak": {"type": "boolean"}, "enrollment": {"type": "integer", "minimum": 0},
    "hours": NUMBER, "hours_per_100_students": nullable(NUMBER), "facility_hours": NUMBER,
    "teacher_hours": NUMBER, "student_hours": NUMBER,
    "below_stage_level": {"type": "boolean"},
    "hours_to_stage_level": nullable({"type": "number", "description": "Null for a school without enrollment."}),
}))
INDICATOR_SCHEMA = schema("EquityIndicator", obj({
    "indicator": {"type": "string", "enum": ["hours", "facility_hours", "teacher_hours", "student_hours"]},
    "schools": {"type": "integer", "description": "Schools with enrollment counted."},
    "level_per_100_students": nullable(NUMBER), "cv_weighted": nullable(NUMBER), "cv_unweighted": nullable(NUMBER),
    "gini": nullable(NUMBER), "mcloone": nullable(NUMBER), "threshold": nullable(NUMBER),
    "passes": nullable({"type": "boolean"}),
}))
EQUITY_SCHEMA = schema("EquityReport", obj({
    **RANGE_FIELDS, "category": nullable_enum(Category), "stage": nullable_enum(Stage),
    "schools": {"type": "array", "items": EQUITY_SCHOOL_SCHEMA},
    "groups": {"type": "array", "items": obj({
        "stage": nullable_enum(Stage, description="Null: all stages together (no pass mark)."),
        "threshold": nullable(NUMBER),
        "indicators": {"type": "array", "items": INDICATOR_SCHEMA}})},
    "under_served": {"type": "array", "items": obj({"id": ID, "name": {"type": "string"},
                                                     "hours_per_100_students": NUMBER,
                                                     "stage_level_per_100_students": NUMBER,
                                                     "hours_needed": NUMBER})},
    "under_served_count": {"type": "integer", "description": "All schools below their stage's level."},
}))


def _per_100(value: float | None) -> float | None:
    return None if value is None else 100 * value


def usage_json(row: UtilisationRow) -> dict:
    hours = row.hours
    return {"bookable_hours": row.bookable_hours, "booked_hours": hours.hours, "utilization": row.utilisation,
            "used_hours": hours.used_hours, "no_show_hours": hours.no_show_hours, "no_show_rate": hours.no_show_rate,
            "cross_school_share": hours.cross_share}


def utilization_row_json(row: UtilisationRow, group: UtilizationGroup) -> dict:
    return {"key": row.key.value if group == UtilizationGroup.CATEGORY else row.key, "name": row.name,
            "owner_school": school_ref_json(row.owner_school),
            "category": row.category.value if row.category else None, **usage_json(row)}


@bp.get("/reports/utilization")
@operation("Utilisation: booked over bookable hours, by resource, category or owner school",
           response=UTILIZATION_SCHEMA, role=Role.SCHOOL_ADMIN,
           query=RANGE_PARAMS + (EnumParam("group", "What each item is.", default=UtilizationGroup.RESOURCE,
                                           enum=UtilizationGroup),),
           description="Confirmed bookings only, clipped to the range. Bookable hours are opening hours on the "
                       "days the owner school is open, less maintenance blackouts. Equipment compares "
                       "hours × quantity with its stock's hours.")
def report_utilization():
    values = declared_query_values()
    viewer = Viewer.of(g.api_user)
    report_filter = make_filter(viewer, values["start"], values["end"])
    figures = utilisation(report_filter, viewer)
    group = values["group"]
    rows = {UtilizationGroup.RESOURCE: figures.by_resource, UtilizationGroup.CATEGORY: figures.by_category,
            UtilizationGroup.SCHOOL: figures.by_school}[group]
    return jsonify({"start": report_filter.range.first.isoformat(), "end": report_filter.range.last.isoformat(),
                    "group": group.value, "items": [utilization_row_json(row, group) for row in rows],
                    "total": usage_json(figures.total)})


def equity_school_json(row: SchoolAccess) -> dict:
    school = row.school
    return {"id": school.id, "code": school.code, "name": school.name, "stage": school.stage.value,
            "is_weak": school.is_weak, "enrollment": row.enrollment, "hours": row.totals["hours"],
            "hours_per_100_students": row.per_100("hours"), "facility_hours": row.totals["facility_hours"],
            "teacher_hours": row.totals["teacher_hours"], "student_hours": row.totals["student_hours"],
            "below_stage_level": row.below_level,
            "hours_to_stage_level": row.gaps.get("hours") if row.enrollment else None}


def equity_groups_json(figures: Access) -> list[dict]:
    return [{"stage": group.stage.value if group.stage else None, "threshold": group.threshold,
             "indicators": [{"indicator": item.indicator.key, "schools": item.figures.schools,
                             "level_per_100_students": _per_100(item.figures.level),
                             "cv_weighted": item.figures.cv_weighted, "cv_unweighted": item.figures.cv_unweighted,
                             "gini": item.figures.gini, "mcloone": item.figures.mcloone,
                             "threshold": item.threshold, "passes": item.passes}
                            for item in group.indicators]}
            for group in figures.groups]


@bp.get("/reports/equity")
@operation("Access per school and its dispersion (CV, Gini, McLoone), per stage", response=EQUITY_SCHEMA,
           role=Role.SCHOOL_ADMIN,
           query=RANGE_PARAMS + (EnumParam("category", "Only resources of this category.", enum=Category),
                                 EnumParam("stage", "Only schools of this stage.", enum=Stage)),
           description="Hours each school's classes received (own and other schools' resources), per 100 "
                       "students. `cv_weighted` = sqrt(Σ (P_i/P)(X_i − X̄)²) / X̄ with X_i a school's hours per "
                       "student, P_i its enrollment and X̄ = Σ hours / Σ P; pass marks 0.50 (primary), 0.45 "
                       "(junior and nine-year schools), none for kindergartens. Schools without enrollment are "
                       "listed but left out of every figure.")
def report_equity():
    values = declared_query_values()
    viewer = Viewer.of(g.api_user)
    report_filter = make_filter(viewer, values["start"], values["end"], values["category"], values["stage"])
    figures = access(report_filter, viewer)
    return jsonify({
        "start": report_filter.range.first.isoformat(), "end": report_filter.range.last.isoformat(),
        "category": values["category"].value if values["category"] else None,
        "stage": values["stage"].value if values["stage"] else None,
        "schools": [equity_school_json(row) for row in figures.schools],
        "groups": equity_groups_json(figures),
        "under_served": [{"id": row.school.id, "name": row.school.name,
                          "hours_per_100_students": row.per_100("hours"),
                          "stage_level_per_100_students": 100 * row.levels["hours"], "hours_needed": row.gaps["hours"]}
                         for row in figures.under_served],
        "under_served_count": figures.under_served_count,
    })
