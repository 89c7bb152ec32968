"""The district's calendar through the API: closures (with the bookings they hit) and terms.

The rules live in ``booking.schools.calendar``; this module shapes. A closure over active bookings
answers 409 with them (nothing saved) until the body says ``on_bookings``: ``cancel`` or ``keep``;
``POST /closures/preview`` lists them without saving anything. Who may: ``booking.permissions``
(``can_manage_closure``: district coordinators for district-wide closures, whoever manages a school
for that school's; ``can_manage_district`` for terms).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import or_, select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import OCCURRENCE_SCHEMA, occurrence_json
from booking.api.core import CLOCK_TIME, ID, PAGE_PARAMS, clock_time, declared_query_values, page_json, \
    page_schema, paginate
from booking.api.openapi import nullable, obj, operation, schema
from booking.api.params import IntParam
from booking.bookings import closures
from booking.bookings.hits import ON_BOOKINGS
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_closure, can_manage_district
from booking.schools import calendar
from booking.schools.models import Closure, Term

DATE = {"type": "string", "format": "date", "description": "A local date, YYYY-MM-DD."}
CLOSURE_SCHEMA = schema("Closure", obj({
    "id": ID,
    "school_id": {**nullable(ID), "description": "null: the whole district."},
    "start_date": DATE,
    "end_date": {**DATE, "description": "The last day closed (inclusive)."},
    "start_time": {**nullable(CLOCK_TIME), "description": "null with end_time: whole days; else closed only "
                                                          "from start_time to end_time on each day."},
    "end_time": nullable(CLOCK_TIME),
    "reason": {"type": "string"},
    "imported": {"type": "boolean", "description": "Came from an .ics import."},
}))
CLOSURE_PAGE_SCHEMA = page_schema("ClosurePage", CLOSURE_SCHEMA)
OCCURRENCES = {"type": "array", "items": OCCURRENCE_SCHEMA}
CLOSURE_DETAIL_SCHEMA = schema("ClosureDetail", obj({
    "closure": CLOSURE_SCHEMA,
    "bookings": {**OCCURRENCES, "description": "Active bookings still to come on it: kept when it was added "
                                               "(flagged for the coordinator), or made before it was changed."},
}))
CLOSURE_SAVED_SCHEMA = schema("ClosureSaved", obj({
    "closure": CLOSURE_SCHEMA,
    "cancelled": {**OCCURRENCES, "description": "Bookings cancelled for it."},
    "kept": {**OCCURRENCES, "description": "Bookings on it that stay (chosen, or not yours to cancel)."},
}))
CLOSURE_PREVIEW_SCHEMA = schema("ClosurePreview", obj({
    "affected": {**OCCURRENCES, "description": "The active bookings and visiting teachers' lessons it falls on."},
}))
CLOSURE_FIELDS = {
    "school_id": {**nullable(ID), "description": "One school's closure; null or absent: the whole district."},
    "start_date": DATE,
    "end_date": DATE,
    "start_time": {**nullable(CLOCK_TIME), "description": "With end_time: closed only in that range of each day."},
    "end_time": nullable(CLOCK_TIME),
    "reason": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Shown to those it refuses."},
}
CLOSURE_PREVIEW_BODY = schema("ClosurePreviewRequest", {
    "type": "object", "required": ["start_date", "end_date", "reason"], "additionalProperties": False,
    "properties": CLOSURE_FIELDS,
})
CLOSURE_BODY = schema("ClosureRequest", {
    "type": "object", "required": ["start_date", "end_date", "reason"], "additionalProperties": False,
    "properties": {**CLOSURE_FIELDS, "on_bookings": {
        "type": "string", "enum": list(ON_BOOKINGS),
        "description": "What to do with the active bookings it falls on: required when there are any."}},
})
TERM_SCHEMA = schema("Term", obj({"id": ID, "name": {"type": "string"}, "start_date": DATE, "end_date": DATE}))
TERM_LIST_SCHEMA = schema("TermList", obj({"items": {"type": "array", "items": TERM_SCHEMA}}))
TERM_BODY = schema("TermRequest", {
    "type": "object", "required": ["name", "start_date", "end_date"], "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "start_date": DATE,
                   "end_date": DATE},
})
LIST_PARAMS = (IntParam("school_id", "Only the closures that close this school (its own and district-wide).",
                        minimum=1),) + PAGE_PARAMS
CONFLICT = "The closure falls on active bookings: send on_bookings cancel or keep."


def closure_json(closure: Closure) -> dict:
    return {"id": closure.id, "school_id": closure.school_id, "start_date": closure.start_date.isoformat(),
            "end_date": closure.end_date.isoformat(),
            "start_time": clock_time(closure.start_time) if closure.start_time else None,
            "end_time": clock_time(closure.end_time) if closure.end_time else None,
            "reason": closure.reason, "imported": closure.source_uid is not None}


def term_json(term: Term) -> dict:
    return {"id": term.id, "name": term.name, "start_date": term.start_date.isoformat(),
            "end_date": term.end_date.isoformat()}


def _closure_input(body: dict) -> calendar.ClosureInput:
    return calendar.ClosureInput(body["start_date"], body["end_date"], body["reason"], body.get("school_id"),
                                 body.get("start_time"), body.get("end_time"))


def _allowed_span(body: dict, on_bookings: str = "keep") -> calendar.ClosureSpan:
    span = closures.validated(_closure_input(body), on_bookings)
    if not can_manage_closure(g.api_user, span.school_id):
        abort(403)
    return span


@bp.get("/closures")
@operation("Closures: days (or hours of days) nothing can be booked", response=CLOSURE_PAGE_SCHEMA,
           query=LIST_PARAMS, description="Every closure by first day, latest first; district-wide ones have "
                                          "school_id null.")
def list_closures():
    values = declared_query_values()
    query = select(Closure).order_by(Closure.start_date.desc(), Closure.id)
    if values["school_id"] is not None:
        query = query.where(or_(Closure.school_id == values["school_id"], Closure.school_id.is_(None)))
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(page_json([closure_json(c) for c in items], total, values["limit"], values["offset"]))


@bp.get("/closures/<id:closure_id>")
@operation("One closure and the active bookings still on it", response=CLOSURE_DETAIL_SCHEMA,
           description="`bookings` are those kept when it was added: the coordinator's list to check.")
def closure_detail(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    return jsonify({"closure": closure_json(closure),
                    "bookings": [occurrence_json(b) for b in closures.closure_hits(closure)]})


@bp.post("/closures/preview")
@operation("What a closure would fall on, saving nothing", response=CLOSURE_PREVIEW_SCHEMA,
           request_body=CLOSURE_PREVIEW_BODY, role=Role.SCHOOL_ADMIN,
           description="The dry run of POST /closures: the active bookings and visiting teachers' lessons it "
                       "would hit.")
def preview_closure():
    span = _allowed_span(request.get_json(silent=True))
    return jsonify({"affected": [occurrence_json(b) for b in closures.closure_hits(span)]})


@bp.post("/closures")
@operation("Add a closure, deciding about the bookings it falls on", response=CLOSURE_SAVED_SCHEMA,
           request_body=CLOSURE_BODY, role=Role.SCHOOL_ADMIN, status=201, errors=(409,),
           description="District coordinators add district-wide closures; whoever manages a school (its admin, "
                       "its area coordinator) that school's. When active bookings fall on it and `on_bookings` is "
                       "not given, answers 409 `{\"error\": \"affected_bookings\", \"affected\": [occurrences]}` "
                       "and saves nothing. `cancel` cancels them (with the reason), `keep` keeps them flagged; "
                       "all in one transaction.")
def add_closure():
    body = request.get_json(silent=True)
    on_bookings = body.get("on_bookings")
    span = _allowed_span(body, on_bookings or "keep")
    affected = closures.closure_hits(span)
    if affected and on_bookings is None:
        return json_error(409, CONFLICT, error="affected_bookings", affected=[occurrence_json(b) for b in affected])
    saved = closures.create_closure(_closure_input(body), g.api_user, on_bookings or "keep")
    return jsonify({"closure": closure_json(saved.closure), "cancelled": [occurrence_json(b) for b in saved.cancelled],
                    "kept": [occurrence_json(b) for b in saved.kept]}), 201


@bp.delete("/closures/<id:closure_id>")
@operation("Delete a closure", response=CLOSURE_SCHEMA, role=Role.SCHOOL_ADMIN,
           description="Bookings cancelled for it stay cancelled.")
def delete_closure(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    if not can_manage_closure(g.api_user, closure.school_id):
        abort(403)
    shown = closure_json(closure)
    calendar.delete_closure(closure, g.api_user)
    return jsonify(shown)


@bp.get("/terms")
@operation("The district's terms (学期), latest first", response=TERM_LIST_SCHEMA)
def terms():
    return jsonify({"items": [term_json(term) for term in calendar.list_terms()]})


def _term_input(body: dict) -> calendar.TermInput:
    if not can_manage_district(g.api_user):
        abort(403)
    return calendar.TermInput(body["name"], body["start_date"], body["end_date"])


@bp.post("/terms")
@operation("Add a term", response=TERM_SCHEMA, request_body=TERM_BODY, role=Role.COORDINATOR, status=201,
           description="District coordinators. Terms must not overlap.")
def add_term():
    term = calendar.create_term(_term_input(request.get_json(silent=True)), g.api_user)
    return jsonify(term_json(term)), 201


@bp.put("/terms/<id:term_id>")
@operation("Change a term", response=TERM_SCHEMA, request_body=TERM_BODY, role=Role.COORDINATOR,
           description="District coordinators. Terms must not overlap.")
def update_term(term_id: int):
    term = db.get_or_404(Term, term_id)
    term = calendar.update_term(term, _term_input(request.get_json(silent=True)), g.api_user)
    return jsonify(term_json(term))
