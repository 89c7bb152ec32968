"""GET /api/v1/schools and /api/v1/schools/<id>: the district's schools, bells and travel times.

Changing them: ``school_admin``."""
from __future__ import annotations

from flask import g, jsonify

from booking.api import bp
from booking.api.openapi import operation
from booking.api.shapes import Shape, boolean, choice, clock, identifier, many, text, typed
from booking.schools.models import School, Stage
from booking.schools.services import list_schools, visible_school_or_404
from booking.schools.travel import travel_matrix, travel_minutes

SCHOOL = Shape("School", {
    "id": identifier(),
    "code": text(),
    "name": text(),
    "stage": choice(Stage),
    "enrollment": typed({"type": "integer", "minimum": 0}),
    "is_lead": boolean(description="The lead school (龙头学校) of the district."),
    "is_weak": boolean(description="A weaker school the district supports (薄弱学校)."),
    "lead_school_id": identifier(nullable=True),
    "area": text(),
    "active": boolean(),
})
BELL_PERIOD = Shape("BellPeriod", {
    "number": typed({"type": "integer", "minimum": 1, "description": "N in 第N节."}),
    "start_time": clock(),
    "end_time": clock(),
})
TRAVEL_MINUTES = {
    "type": "object",
    "description": "Minutes to every other active school, keyed by its id; null when nobody entered it.",
    "propertyNames": {"pattern": "^[0-9]+$"},
    "additionalProperties": {"type": ["integer", "null"], "minimum": 0},
}
SCHOOL_DETAIL = SCHOOL.extended("SchoolDetail", {
    "address": text(),
    "version": typed({"type": "integer", "minimum": 1},
                     description="Bumped by every change of the school or its bells: the changes name the version "
                                 "they were made from (PUT /schools/{school_id}, …/bells, …/active)."),
    "bell_periods": many(BELL_PERIOD),
    "travel_minutes": typed(TRAVEL_MINUTES, lambda school: travel_json(school, list_schools(viewer=g.api_user),
                                                                       travel_matrix())),
})
SCHOOL_LIST = Shape("SchoolList", {"items": many(SCHOOL)})


def travel_json(school: School, others: list[School], matrix: dict) -> dict[str, int | None]:
    return {str(other.id): travel_minutes(school.id, other.id, matrix) for other in others if other.id != school.id}


@bp.get("/schools")
@operation("The active schools you may read, lead school first: your district's, the county's own bodies and the "
           "owners of what is shared with you (a county coordinator: all)", response=SCHOOL_LIST.ref)
def schools():
    return jsonify(SCHOOL_LIST.dump({"items": list_schools(viewer=g.api_user)}))


@bp.get("/schools/<id:school_id>")
@operation("One school with its bell times and travel minutes to the others you may read", response=SCHOOL_DETAIL.ref,
           errors=(404,))
def school_detail(school_id: int):
    return jsonify(SCHOOL_DETAIL.dump(visible_school_or_404(g.api_user, school_id)))
