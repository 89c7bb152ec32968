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
from booking.api.core import ID, INSTANT, SCHOOL_REF
from booking.api.openapi import nullable, obj, operation
from booking.api.shapes import Shape, boolean, choice, day, identifier, instant, many, one, text, typed
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Category

COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
ROUND = Shape("AllocationRound", {
    "id": identifier(), "term_id": identifier(), "name": text(), "deadline": instant(),
    "status": choice(RoundStatus), "accepts_requests": boolean(accepts_requests),
    "committed_at": instant(nullable=True),
})
SLOT_SCHEMA = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer"},
               "description": "[weekday (0 = Monday), period number 第N节 in the host school's bells]"}
REQUEST = Shape("AllocationRequest", {
    "id": identifier(), "school": one(SCHOOL_REF), "resource_id": identifier(nullable=True),
    "category": text(nullable=True),
    "slots": many(SLOT_SCHEMA, lambda item: [list(slot) for slot in item.slots]), "weeks": typed(COUNT),
    "title": text(), "class_name": text(), "students": typed(COUNT, nullable=True), "priority": typed(COUNT),
    "status": choice(RequestStatus), "series_id": identifier(nullable=True),
    "unmet_reason": text(lambda item: item.unmet_reason or ""), "submitted_at": instant("created_at"),
})
ROUND_DETAIL = Shape("AllocationRoundDetail", {"round": one(ROUND), "requests": many(REQUEST)})
CV = typed({"type": "number", "minimum": 0}, nullable=True)


def _placed(read):
    """A value of the line's placement, None when the request was not placed."""
    return lambda line: read(line.placement) if line.placement else None


PREVIEW_LINE = Shape(None, {
    "request_id": identifier("request.id"), "school": one(SCHOOL_REF, "request.school"),
    "resource_id": identifier(_placed(lambda placed: placed.candidate.resource_id), nullable=True),
    "weekday": typed(COUNT, _placed(lambda placed: placed.candidate.weekday), nullable=True),
    "period": typed(COUNT, _placed(lambda placed: placed.candidate.period), nullable=True),
    "first_day": day(_placed(lambda placed: placed.first_day), nullable=True),
    "lessons": typed(COUNT, lambda line: line.placement.dates if line.placement else 0),
    "unmet_reason": text("reason", convert=str, nullable=True),
    "first_come_resource_id": identifier(lambda line: line.fcfs.candidate.resource_id if line.fcfs else None,
                                         nullable=True),
})
PREVIEW_SCHOOL = Shape(None, {
    "school": one(SCHOOL_REF), "before": typed(NUMBER, lambda row: round(row.before, 3)),
    "after": typed(NUMBER, lambda row: round(row.after, 3)), "first_come": typed(NUMBER, lambda row: round(row.fcfs, 3)),
})
PREVIEW = Shape("AllocationPreview", {
    "round": one(ROUND), "solver_status": typed({"type": "string", "enum": ["optimal", "feasible", "unsolved"]}, "status"),
    "requests": typed(COUNT, lambda preview: len(preview.lines)), "served": typed(COUNT),
    "served_first_come": typed(COUNT, "served_fcfs"),
    "cv_before": CV, "cv_after": CV, "cv_first_come": typed(CV.schema, "cv_fcfs"),
    "lines": many(PREVIEW_LINE),
    "schools": many(PREVIEW_SCHOOL, description="Shared access, hours per 100 students: before the round, after it, "
                                                "after first come first served."),
})
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


def _round_or_404(round_id: int) -> AllocationRound:
    round_ = db.session.get(AllocationRound, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.get("/allocation-rounds")
@operation("Term allocation rounds, the latest deadline first", response={"type": "array", "items": ROUND.ref})
def allocation_rounds():
    return jsonify([ROUND.dump(r) for r in rounds()])


@bp.post("/allocation-rounds")
@operation("Open a term allocation round", response=ROUND.ref, request_body=OPEN_BODY, status=201,
           role=Role.COORDINATOR, description="District coordinators only.")
def open_allocation_round():
    body = request.get_json(silent=True)
    round_ = open_round(g.api_user, body["term_id"], body["name"], parse_instant(body["deadline"], district_zone()))
    return jsonify(ROUND.dump(round_)), 201


@bp.get("/allocation-rounds/<id:round_id>")
@operation("A round and the requests you may see in it", response=ROUND_DETAIL.ref)
def allocation_round(round_id: int):
    round_ = _round_or_404(round_id)
    visible = visible_requests(g.api_user, round_)
    return jsonify(ROUND_DETAIL.dump({"round": round_, "requests": visible}))


@bp.post("/allocation-rounds/<id:round_id>/requests")
@operation("Submit a weekly request to a round", response=REQUEST.ref, request_body=SUBMIT_BODY, status=201,
           errors=(403,), description="Teachers and school admins for their own school's classes (coordinators for "
                                      "the schools they manage), until the deadline. A 422 names `round` after it.")
def submit_allocation_request(round_id: int):
    round_ = _round_or_404(round_id)
    body = request.get_json(silent=True)
    data = RequestInput(title=body["title"], slots=[(s["weekday"], s["period"]) for s in body["slots"]],
                        weeks=body["weeks"], resource_id=body.get("resource_id"), category=body.get("category"),
                        class_name=body.get("class_name") or "", students=body.get("students"),
                        priority=body.get("priority", 3), school_id=body.get("school_id"))
    return jsonify(REQUEST.dump(submit_request(g.api_user, round_, data))), 201


@bp.get("/allocation-rounds/<id:round_id>/preview")
@operation("What the allocator would do: who gets what, why the others not, shared-access CV against first come "
           "first served", response=PREVIEW.ref, role=Role.COORDINATOR, description="District coordinators only.")
def preview_allocation_round(round_id: int):
    return jsonify(PREVIEW.dump(preview_round(g.api_user, _round_or_404(round_id))))


@bp.post("/allocation-rounds/<id:round_id>/commit")
@operation("Commit the allocation: every served request becomes a weekly series, all or nothing",
           response=PREVIEW.ref, role=Role.COORDINATOR, errors=(409,),
           description="After the deadline, once. A 409 when a slot was taken since the preview (nothing is saved).")
def commit_allocation_round(round_id: int):
    return jsonify(PREVIEW.dump(commit_round(g.api_user, _round_or_404(round_id))))
