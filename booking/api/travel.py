"""Travel minutes between campuses through the API: read the matrix, set pairs of it or one school's row.

The travel pages' path: ``booking.schools.travel.set_travel_times`` checks and writes all or nothing and
audits. As on the pages, coordinators enter minutes between active schools they manage (``can_manage_school``;
a pair with a school they do not manage answers 403 naming it). Each pair carries the minutes as read
(``previous_minutes``, null when none was stored): the write is a compare-and-set of every pair given, and
when any has changed meanwhile the answer is 409 ``travel_changed`` with what is stored now, nothing saved.
"""
from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import ID
from booking.api.openapi import operation, schema
from booking.api.school_admin import managed_school_or_404, renamed
from booking.api.schools import SCHOOL_DETAIL
from booking.api.shapes import Shape, identifier, many, typed
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_school
from booking.schools import services, travel
from booking.schools.models import School
from booking.schools.rules import MAX_TRAVEL_MINUTES, travel_key
from booking.validation import ValidationFailed

MINUTES = {"type": "integer", "minimum": 0, "maximum": MAX_TRAVEL_MINUTES}
PREVIOUS = {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_TRAVEL_MINUTES,
            "description": "The minutes you read for the pair (null: none stored): a compare-and-set."}
PAIR = Shape("TravelPair", {"school_a_id": identifier(description="The smaller id of the two."),
                            "school_b_id": identifier(), "minutes": typed(MINUTES)})
TRAVEL_MATRIX = Shape("TravelMatrix", {"items": many(PAIR, description="Every stored pair once, smaller id first; "
                                                                       "a pair not listed has no minutes yet.")})
PAIRS_BODY = schema("TravelTimesRequest", {
    "type": "object", "required": ["pairs"], "additionalProperties": False, "properties": {
        "pairs": {"type": "array", "maxItems": 5000, "items": {
            "type": "object", "required": ["school_a_id", "school_b_id", "minutes", "previous_minutes"],
            "additionalProperties": False,
            "properties": {"school_a_id": ID, "school_b_id": ID, "minutes": MINUTES, "previous_minutes": PREVIOUS}},
            "description": "Only the pairs to set (either order); the others keep their minutes."},
    },
})
SCHOOL_TRAVEL_BODY = schema("SchoolTravelRequest", {
    "type": "object", "required": ["travel"], "additionalProperties": False, "properties": {
        "travel": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "required": ["school_id", "minutes", "previous_minutes"], "additionalProperties": False,
            "properties": {"school_id": {**ID, "description": "The other school."}, "minutes": MINUTES,
                           "previous_minutes": PREVIOUS}},
            "description": "Minutes from this school to each school listed; the others keep theirs."},
    },
})
CHANGED = "Travel times changed since you read them: nothing was saved; read them again and retry."


def matrix_items(viewer) -> list[dict]:
    """The pairs of schools ``viewer`` reads both of (``list_schools``)."""
    shown = {school.id for school in services.list_schools(include_inactive=True, viewer=viewer)}
    return [{"school_a_id": a, "school_b_id": b, "minutes": minutes}
            for (a, b), minutes in sorted(travel.travel_matrix().items()) if a in shown and b in shown]


@bp.get("/travel-times")
@operation("The travel matrix: minutes between every pair of campuses entered", response=TRAVEL_MATRIX.ref)
def travel_times():
    return jsonify(TRAVEL_MATRIX.dump({"items": matrix_items(g.api_user)}))


def _refusal(pairs: list[tuple[int, int]], field) -> object | None:
    """403 for a pair with a school the caller does not manage, 422 for a deactivated one; None when all may."""
    ids = {school_id for pair in pairs for school_id in pair}
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(ids)))}
    unmanaged, inactive = {}, {}
    for index, pair in enumerate(pairs):
        for school in (schools.get(school_id) for school_id in pair):
            if school is not None and not can_manage_school(g.api_user, school.id):
                unmanaged[field(index)] = f"You do not manage {school.name} (id {school.id})."
            elif school is not None and not school.active:
                inactive[field(index)] = f"{school.name} (id {school.id}) is deactivated."
    if unmanaged:
        return json_error(403, "You can only enter travel times between schools you manage.", unmanaged)
    if inactive:
        raise ValidationFailed(inactive)
    return None


def _save(pairs: list[tuple[int, int]], minutes: list[int], previous: list[int | None], field):
    """Set the pairs through the service: the answer's refusal, or None when saved."""
    refused = _refusal(pairs, field)
    if refused is not None:
        return refused
    names = {travel_key(*pair): field(index) for index, pair in enumerate(pairs)}
    try:
        travel.set_travel_times(dict(zip(pairs, minutes)), g.api_user, previous=dict(zip(pairs, previous)))
    except ValidationFailed as failed:
        raise renamed(failed, names) from None
    except travel.TravelChanged as changed:
        return json_error(409, CHANGED, error="travel_changed", current=[
            {"school_a_id": a, "school_b_id": b, "minutes": now} for (a, b), now in sorted(changed.current.items())])
    return None


@bp.put("/travel-times")
@operation("Set the minutes of some pairs of the travel matrix", response=TRAVEL_MATRIX.ref, request_body=PAIRS_BODY,
           role=Role.COORDINATOR, errors=(403, 409),
           description="As the travel page: all pairs or none. A pair of one school with itself or with no school "
                       "is 422 naming `pairs[i]`; a pair with a school you do not manage is 403. When a pair's stored "
                       "minutes are no longer its `previous_minutes`, answers 409 `{\"error\": \"travel_changed\", "
                       "\"current\": [pairs as stored now]}` and saves nothing.")
def set_travel_times():
    items = request.get_json(silent=True)["pairs"]
    answer = _save([(item["school_a_id"], item["school_b_id"]) for item in items], [i["minutes"] for i in items],
                   [item["previous_minutes"] for item in items], lambda index: f"pairs[{index}]")
    return answer or jsonify(TRAVEL_MATRIX.dump({"items": matrix_items(g.api_user)}))


@bp.put("/schools/<id:school_id>/travel")
@operation("Set the minutes from one school to others", response=SCHOOL_DETAIL.ref, request_body=SCHOOL_TRAVEL_BODY,
           role=Role.COORDINATOR, errors=(403, 409),
           description="The school page's travel row: coordinators who manage the school (others: 404) and the "
                       "schools listed (403 otherwise). Compare-and-set like PUT /travel-times (409 "
                       "`travel_changed`).")
def set_school_travel(school_id: int):
    school = managed_school_or_404(school_id)
    items = request.get_json(silent=True)["travel"]
    answer = _save([(school.id, item["school_id"]) for item in items], [item["minutes"] for item in items],
                   [item["previous_minutes"] for item in items], lambda index: f"travel[{index}].school_id")
    return answer or jsonify(SCHOOL_DETAIL.dump(school))
