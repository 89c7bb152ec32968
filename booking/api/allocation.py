"""Term allocation rounds in the API: list and open rounds, submit weekly requests, preview and commit.
Routes only parse and shape; booking.allocation.services decides."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.allocation.models import AllocationRound, RequestStatus, RoundStatus
from booking.allocation.services import (RequestInput, accepts_requests, commit_round, open_round, preview_round,
                                         rounds, submit_request, visible_requests)
from booking.api import bp
from booking.api.booking_json import parse_instant
from booking.api.core import ID, INSTANT, SCHOOL_REF_SCHEMA, iso_instant, school_ref_json
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Category

COUNT = {"type": "integer", "minimum": 0}
ROUND_SCHEMA = schema("AllocationRound", obj({
    "id": ID, "term_id": ID, "name": {"type": "string"}, "deadline": INSTANT,
    "status": enum_schema(RoundStatus), "accepts_requests": {"type": "boolean"},
    "committed_at": nullable(INSTANT),
}))
SLOT_SCHEMA = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer"},
               "description": "[weekday (0 = Monday), period number 第N节 in the host school's bells]"}
REQUEST_SCHEMA = schema("AllocationRequest", obj({
    "id": ID, "school": SCHOOL_REF_SCHEMA, "resource_id": nullable(ID), "category": nullable({"type": "string"}),
    "slots": {"type": "array", "items": SLOT_SCHEMA}, "weeks": COUNT, "title": {"type": "string"},
    "class_name": {"type": "string"}, "students": nullable(COUNT), "priority": COUNT,
    "status": enum_schema(RequestStatus), "series_id": nullable(ID), "unmet_reason": {"type": "string"},
    "submitted_at": INSTANT,
}))
ROUND_DETAIL_SCHEMA = schema("AllocationRoundDetail", obj({
    "round": ROUND_SCHEMA, "requests": {"type": "array", "items": REQUEST_SCHEMA}}))
CV = nullable({"type": "number", "minimum": 0})
PREVIEW_SCHEMA = schema("AllocationPreview", obj({
    "round": ROUND_SCHEMA, "solver_status": {"type": "string", "enum": ["optimal", "feasible", "unsolved"]},
    "requests": COUNT, "served": COUNT, "served_first_come": COUNT,
    "cv_before": CV, "cv_after": CV, "cv_first_come": CV,
    "lines": {"type": "array", "items": obj({
        "request_id": ID, "school": SCHOOL_REF_SCHEMA, "resource_id": nullable(ID), "weekday": nullable(COUNT),
        "period": nullable(COUNT), "first_day": nullable({"type": "string", "format": "date"}),
        "lessons": COUNT, "unmet_reason": nullable({"type": "string"}),
        "first_come_resource_id": nullable(ID)})},
    "schools": {"type": "array", "items": obj({
        "school": SCHOOL_REF_SCHEMA, "before": {"type": "number"}, "after": {"type": "number"},
        "first_come": {"type": "number"}}),
        "description": "Shared access, hours per 100 students: before the round, after it, after first come first served."},
}))
OPEN_BODY = {"type": "object", "additionalProperties": False, "required": ["term_id", "name", "deadline"],
             "properties": {"term_id": ID, "name": {"type": "string", "minLength": 1, "maxLength": 200},
                            "deadline": {**INSTANT, "description": "Requests are taken until then."}}}
SUBMIT_BODY = {"type": "object", "additionalProperties": False, "required": ["title", "slots", "weeks"], "properties": {
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "resource_id": {**nullable(ID), "description": "A resource, or null and a category."},
    "category": {**nullable({"type": "string"}), "enum": [c.value for c in Category] + [None]},
    "slots": {"type": "array", "description": "Acceptable slots, preferred first: 1 to 10 (a 422 names `slots`).",
              "items": obj({"weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday"},
                            "period": {"type": "integer", "minimum": 1, "maximum": 12}},
                           additionalProperties=False)},
    "weeks": {"type": "integer", "minimum": 1, "maximum": 30},
    "class_name": {"type": "string", "maxLength": 100},
    "students": nullable({"type": "integer", "minimum": 0, "maximum": 10_000}),
    "priority": {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 = most wanted (default 3)."},
    "school_id": {**nullable(ID), "description": "The class's school; default the requester's."},
}}


def round_json(round_: AllocationRound) -> dict:
    return {"id": round_.id, "term_id": round_.term_id, "name": round_.name, "deadline": iso_instant(round_.deadline),
            "status": round_.status.value, "accepts_requests": accepts_requests(round_),
            "committed_at": iso_instant(round_.committed_at)}


def request_json(item) -> dict:
    return {"id": item.id, "school": school_ref_json(item.school), "resource_id": item.resource_id,
            "category": item.category, "slots": [list(slot) for slot in item.slots], "weeks": item.weeks,
            "title": item.title, "class_name": item.class_name, "students": item.students, "priority": item.priority,
            "status": item.status.value, "series_id": item.series_id, "unmet_reason": item.unmet_reason or "",
            "submitted_at": iso_instant(item.created_at)}


def _round_or_404(round_id: int) -> AllocationRound:
    round_ = db.session.get(AllocationRound, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.get("/allocation-rounds")
@operation("Term allocation rounds, the latest deadline first", response={"type": "array", "items": ROUND_SCHEMA})
def allocation_rounds():
    return jsonify([round_json(r) for r in rounds()])


@bp.post("/allocation-rounds")
@operation("Open a term allocation round", response=ROUND_SCHEMA, request_body=OPEN_BODY, status=201,
           role=Role.COORDINATOR, description="District coordinators only.")
def open_allocation_round():
    body = request.get_json(silent=True)
    round_ = open_round(g.api_user, body["term_id"], body["name"], parse_instant(body["deadline"], district_zone()))
    return jsonify(round_json(round_)), 201


@bp.get("/allocation-rounds/<id:round_id>")
@operation("A round and the requests you may see in it", response=ROUND_DETAIL_SCHEMA)
def allocation_round(round_id: int):
    round_ = _round_or_404(round_id)
    visible = visible_requests(g.api_user, round_)
    return jsonify({"round": round_json(round_), "requests": [request_json(r) for r in visible]})


@bp.post("/allocation-rounds/<id:round_id>/requests")
@operation("Submit a weekly request to a round", response=REQUEST_SCHEMA, request_body=SUBMIT_BODY, status=201,
           errors=(403,), description="Teachers and school admins for their own school's classes (coordinators for "
                                      "the schools they manage), until the deadline. A 422 names `round` after it.")
def submit_allocation_request(round_id: int):
    round_ = _round_or_404(round_id)
    body = request.get_json(silent=True)
    data = RequestInput(title=body["title"], slots=[(s["weekday"], s["period"]) for s in body["slots"]],
                        weeks=body["weeks"], resource_id=body.get("resource_id"), category=body.get("category"),
                        class_name=body.get("class_name") or "", students=body.get("students"),
                        priority=body.get("priority", 3), school_id=body.get("school_id"))
    return jsonify(request_json(submit_request(g.api_user, round_, data))), 201


def preview_json(preview) -> dict:
    lines = []
    for line in preview.lines:
        placed = line.placement
        lines.append({
            "request_id": line.request.id, "school": school_ref_json(line.request.school),
            "resource_id": placed.candidate.resource_id if placed else None,
            "weekday": placed.candidate.weekday if placed else None, "period": placed.candidate.period if placed else None,
            "first_day": placed.first_day.isoformat() if placed else None, "lessons": placed.dates if placed else 0,
            "unmet_reason": str(line.reason) if line.reason is not None else None,
            "first_come_resource_id": line.fcfs.candidate.resource_id if line.fcfs else None})
    return {"round": round_json(preview.round), "solver_status": preview.status, "requests": len(preview.lines),
            "served": preview.served, "served_first_come": preview.served_fcfs,
            "cv_before": preview.cv_before, "cv_after": preview.cv_after, "cv_first_come": preview.cv_fcfs,
            "lines": lines,
            "schools": [{"school": school_ref_json(s.school), "before": round(s.before, 3), "after": round(s.after, 3),
                         "first_come": round(s.fcfs, 3)} for s in preview.schools]}


@bp.get("/allocation-rounds/<id:round_id>/preview")
@operation("What the allocator would do: who gets what, why the others not, shared-access CV against first come "
           "first served", response=PREVIEW_SCHEMA, role=Role.COORDINATOR, description="District coordinators only.")
def preview_allocation_round(round_id: int):
    return jsonify(preview_json(preview_round(g.api_user, _round_or_404(round_id))))


@bp.post("/allocation-rounds/<id:round_id>/commit")
@operation("Commit the allocation: every served request becomes a weekly series, all or nothing",
           response=PREVIEW_SCHEMA, role=Role.COORDINATOR, errors=(409,),
           description="After the deadline, once. A 409 when a slot was taken since the preview (nothing is saved).")
def commit_allocation_round(round_id: int):
    return jsonify(preview_json(commit_round(g.api_user, _round_or_404(round_id))))
