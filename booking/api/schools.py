"""GET /api/v1/schools and /api/v1/schools/<id>: the district's schools, bells and travel times."""
from __future__ import annotations

from flask import jsonify

from booking.api import bp
from booking.api.core import CLOCK_TIME, ID, clock_time
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.extensions import db
from booking.schools.models import School, Stage
from booking.schools.services import list_schools, travel_matrix, travel_minutes

SCHOOL_SCHEMA = schema("School", obj({
    "id": ID,
    "code": {"type": "string"},
    "name": {"type": "string"},
    "stage": enum_schema(Stage),
    "enrollment": {"type": "integer", "minimum": 0},
    "is_lead": {"type": "boolean", "description": "The lead school (龙头学校) of the district."},
    "is_weak": {"type": "boolean", "description": "A weaker school the district supports (薄弱学校)."},
    "lead_school_id": nullable(ID),
    "area": {"type": "string"},
    "active": {"type": "boolean"},
}))

BELL_PERIOD_SCHEMA = schema("BellPeriod", obj({
    "number": {"type": "integer", "minimum": 1, "description": "N in 第N节."},
    "start_time": CLOCK_TIME,
    "end_time": CLOCK_TIME,
}))

SCHOOL_DETAIL_SCHEMA = schema("SchoolDetail", {"allOf": [SCHOOL_SCHEMA, obj({
    "bell_periods": {"type": "array", "items": BELL_PERIOD_SCHEMA},
    "travel_minutes": {
        "type": "object",
        "description": "Minutes to every other active school, keyed by its id; null when nobody entered it.",
        "propertyNames": {"pattern": "^[0-9]+$"},
        "additionalProperties": {"type": ["integer", "null"], "minimum": 0},
    },
})]})

SCHOOL_LIST_SCHEMA = schema("SchoolList", obj({"items": {"type": "array", "items": SCHOOL_SCHEMA}}))


def school_json(school: School) -> dict:
    return {
        "id": school.id,
        "code": school.code,
        "name": school.name,
        "stage": school.stage.value,
        "enrollment": school.enrollment,
        "is_lead": school.is_lead,
        "is_weak": school.is_weak,
        "lead_school_id": school.lead_school_id,
        "area": school.area,
        "active": school.active,
    }


def travel_json(school: School, others: list[School], matrix: dict) -> dict[str, int | None]:
    return {str(other.id): travel_minutes(school.id, other.id, matrix) for other in others if other.id != school.id}


@bp.get("/schools")
@operation("The district's active schools, lead school first", response=SCHOOL_LIST_SCHEMA)
def schools():
    return jsonify({"items": [school_json(school) for school in list_schools()]})


@bp.get("/schools/<id:school_id>")
@operation("One school with its bell times and travel minutes to the others", response=SCHOOL_DETAIL_SCHEMA)
def school_detail(school_id: int):
    school = db.get_or_404(School, school_id)
    body = school_json(school)
    body["bell_periods"] = [
        {"number": bell.number, "start_time": clock_time(bell.start_time), "end_time": clock_time(bell.end_time)}
        for bell in school.bell_periods
    ]
    body["travel_minutes"] = travel_json(school, list_schools(), travel_matrix())
    return jsonify(body)
