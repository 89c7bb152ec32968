"""The district's calendar through the API: closures (with the bookings they hit) and terms.

The rules live in ``booking.schools.calendar``; this module shapes. A closure over active bookings
answers 409 with them (nothing saved) until the body says ``on_bookings``: ``cancel`` or ``keep``;
``POST /closures/preview`` lists them without saving anything. Who may: ``booking.permissions``
(``can_manage_closure``: district coordinators for district-wide closures, whoever manages a school
for that school's; ``can_manage_district`` for terms).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import OCCURRENCE
from booking.api.core import CLOCK_TIME, ID, PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import nullable, operation, schema
from booking.api.shapes import Shape, boolean, clock, day, identifier, many, one, page_shape, paged, text
from booking.api.params import IntParam
from booking.bookings import closures
from booking.bookings.hits import ON_BOOKINGS
from booking.errors import json_error
from booking.extensions import db
from booking.bookings.models import Booking
from booking.bookings.services import visible_bookings_query
from booking.permissions import (can_manage_closure, can_manage_district, can_read_calendar_row,
                                 visible_calendar_rows_clause)
from booking.schools import calendar
from booking.schools.models import Closure, Term

DATE = {"type": "string", "format": "date", "description": "A local date, YYYY-MM-DD."}
CLOSURE = Shape("Closure", {
    "id": identifier(),
    "school_id": identifier(nullable=True, description="null: every school of district_id."),
    "district_id": identifier(nullable=True, description="The district closed (a school's: the school's); null "
                                                          "with school_id null: every school of the county."),
    "start_date": day(description="A local date, YYYY-MM-DD."),
    "end_date": day(description="The last day closed (inclusive)."),
    "start_time": clock(nullable=True, description="null with end_time: whole days; else closed only from "
                                                   "start_time to end_time on each day."),
    "end_time": clock(nullable=True),
    "reason": text(),
    "imported": boolean(lambda closure: closure.source_uid is not None, description="Came from an .ics import."),
})
CLOSURE_PAGE = page_shape("ClosurePage", CLOSURE)
CLOSURE_DETAIL = Shape("ClosureDetail", {
    "closure": one(CLOSURE),
    "bookings": many(OCCURRENCE, description="Active bookings still to come on it: kept when it was added "
                                             "(flagged for the coordinator), or made before it was changed."),
})
CLOSURE_SAVED = Shape("ClosureSaved", {
    "closure": one(CLOSURE),
    "cancelled": many(OCCURRENCE, description="Bookings cancelled for it."),
    "kept": many(OCCURRENCE, description="Bookings on it that stay (chosen, or not yours to cancel)."),
})
CLOSURE_PREVIEW = Shape("ClosurePreview", {
    "affected": many(OCCURRENCE, description="The active bookings and visiting teachers' lessons it falls on."),
})
CLOSURE_FIELDS = {
    "school_id": {**nullable(ID), "description": "One school's closure; null or absent: every school of "
                                                 "district_id."},
    "district_id": {**nullable(ID), "description": "With no school: the district closed; null or absent: the whole "
                                                   "county. With a school: must be the school's district."},
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
TERM = Shape("Term", {"id": identifier(), "name": text(), "start_date": day(description="A local date, YYYY-MM-DD."),
                      "end_date": day(description="A local date, YYYY-MM-DD.")})
TERM_LIST = Shape("TermList", {"items": many(TERM)})
TERM_BODY = schema("TermRequest", {
    "type": "object", "required": ["name", "start_date", "end_date"], "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "start_date": DATE,
                   "end_date": DATE},
})
LIST_PARAMS = (IntParam("school_id", "Only the closures that close this school (its own, its district's, the "
                                    "county's).",
                        minimum=1),) + PAGE_PARAMS
CONFLICT = "The closure falls on active bookings: send on_bookings cancel or keep."


def _closure_input(body: dict) -> calendar.ClosureInput:
    return calendar.ClosureInput(body["start_date"], body["end_date"], body["reason"], body.get("school_id"),
                                 body.get("start_time"), body.get("end_time"), body.get("district_id"))


def _allowed_span(body: dict, on_bookings: str = "keep") -> calendar.ClosureSpan:
    span = closures.validated(_closure_input(body), on_bookings)
    if not can_manage_closure(g.api_user, span.school_id, span.district_id):
        abort(403)
    return span


@bp.get("/closures")
@operation("Closures: days (or hours of days) nothing can be booked", response=CLOSURE_PAGE.ref,
           query=LIST_PARAMS, description="The closures of the county, of the user's district (its own and its "
                                          "schools') and of the county's own bodies (all for county coordinators), "
                                          "by first day, latest first; a district's have school_id null, the "
                                          "county's district_id null too.")
def list_closures():
    values = declared_query_values()
    query = (select(Closure).where(visible_calendar_rows_clause(g.api_user, Closure))
             .order_by(Closure.start_date.desc(), Closure.id))
    if values["school_id"] is not None:
        query = query.where(calendar.applies_to_school_clause(Closure, values["school_id"]))
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(paged(CLOSURE_PAGE, items, total, values))


@bp.get("/closures/<id:closure_id>")
@operation("One closure and the active bookings still on it", response=CLOSURE_DETAIL.ref,
           description="`bookings` are those kept when it was added that the user may see: the coordinator's list "
                       "to check. Another district's closure answers 404.")
def closure_detail(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    if not can_read_calendar_row(g.api_user, closure):
        abort(404)
    return jsonify(CLOSURE_DETAIL.dump({"closure": closure, "bookings": visible_only(closures.closure_hits(closure))}))


def visible_only(bookings: list[Booking]) -> list[Booking]:
    """Those of ``bookings`` the user may see (``visible_bookings_query``): one query."""
    if not bookings:
        return []
    seen = set(db.session.scalars(visible_bookings_query(g.api_user).with_only_columns(Booking.id)
                                  .where(Booking.id.in_([b.id for b in bookings]))))
    return [b for b in bookings if b.id in seen]


@bp.post("/closures/preview")
@operation("What a closure would fall on, saving nothing", response=CLOSURE_PREVIEW.ref,
           request_body=CLOSURE_PREVIEW_BODY, role=Role.SCHOOL_ADMIN,
           description="The dry run of POST /closures: the active bookings and visiting teachers' lessons it "
                       "would hit.")
def preview_closure():
    span = _allowed_span(request.get_json(silent=True))
    return jsonify(CLOSURE_PREVIEW.dump({"affected": closures.closure_hits(span)}))


@bp.post("/closures")
@operation("Add a closure, deciding about the bookings it falls on", response=CLOSURE_SAVED.ref,
           request_body=CLOSURE_BODY, role=Role.SCHOOL_ADMIN, status=201, errors=(409,),
           description="County coordinators add the county's closures, a district's coordinators (and county "
                       "coordinators) the district's; whoever manages a school (its admin, its area coordinator) "
                       "that school's. When active bookings fall on it and `on_bookings` is "
                       "not given, answers 409 `{\"error\": \"affected_bookings\", \"affected\": [occurrences]}` "
                       "and saves nothing. `cancel` cancels them (with the reason), `keep` keeps them flagged; "
                       "all in one transaction.")
def add_closure():
    body = request.get_json(silent=True)
    on_bookings = body.get("on_bookings")
    span = _allowed_span(body, on_bookings or "keep")
    affected = closures.closure_hits(span)
    if affected and on_bookings is None:
        return json_error(409, CONFLICT, error="affected_bookings", affected=[OCCURRENCE.dump(b) for b in affected])
    saved = closures.create_closure(_closure_input(body), g.api_user, on_bookings or "keep")
    return jsonify(CLOSURE_SAVED.dump(saved)), 201


@bp.put("/closures/<id:closure_id>")
@operation("Change a closure, deciding about the bookings it then falls on", response=CLOSURE_SAVED.ref,
           request_body=CLOSURE_BODY, role=Role.SCHOOL_ADMIN, errors=(403, 409),
           description="The closure page's edit: whoever may manage the closure as it is and as it becomes. "
                       "Active bookings on the changed span answer 409 `affected_bookings` (nothing saved) until "
                       "`on_bookings` is given, as for a new closure.")
def update_closure(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    if not can_manage_closure(g.api_user, closure.school_id, closure.district_id):
        abort(403)
    body = request.get_json(silent=True)
    on_bookings = body.get("on_bookings")
    affected = closures.closure_hits(_allowed_span(body, on_bookings or "keep"))
    if affected and on_bookings is None:
        return json_error(409, CONFLICT, error="affected_bookings", affected=[OCCURRENCE.dump(b) for b in affected])
    return jsonify(CLOSURE_SAVED.dump(closures.update_closure(closure, _closure_input(body), g.api_user,
                                                              on_bookings or "keep")))


@bp.delete("/closures/<id:closure_id>")
@operation("Delete a closure", response=CLOSURE.ref, role=Role.SCHOOL_ADMIN,
           description="Bookings cancelled for it stay cancelled.")
def delete_closure(closure_id: int):
    closure = db.get_or_404(Closure, closure_id)
    if not can_manage_closure(g.api_user, closure.school_id, closure.district_id):
        abort(403)
    shown = CLOSURE.dump(closure)
    calendar.delete_closure(closure, g.api_user)
    return jsonify(shown)


@bp.get("/terms")
@operation("The district's terms (学期), latest first", response=TERM_LIST.ref)
def terms():
    return jsonify(TERM_LIST.dump({"items": calendar.list_terms()}))


def _term_input(body: dict) -> calendar.TermInput:
    if not can_manage_district(g.api_user):
        abort(403)
    return calendar.TermInput(body["name"], body["start_date"], body["end_date"])


@bp.post("/terms")
@operation("Add a term", response=TERM.ref, request_body=TERM_BODY, role=Role.COORDINATOR, status=201,
           description="District coordinators. Terms must not overlap.")
def add_term():
    term = calendar.create_term(_term_input(request.get_json(silent=True)), g.api_user)
    return jsonify(TERM.dump(term)), 201


@bp.put("/terms/<id:term_id>")
@operation("Change a term", response=TERM.ref, request_body=TERM_BODY, role=Role.COORDINATOR,
           description="District coordinators. Terms must not overlap.")
def update_term(term_id: int):
    term = db.get_or_404(Term, term_id)
    term = calendar.update_term(term, _term_input(request.get_json(silent=True)), g.api_user)
    return jsonify(TERM.dump(term))
