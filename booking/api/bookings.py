"""The booking API: book, list, read, cancel, approve, reject; availability; the free search.

Routes only parse and shape: every rule lives in booking.bookings. A refusal is a 409
`{"error": "conflict", "conflicts": [...], "suggestions": [...]}`; bad input a 422 with
`fields`; someone else's booking 403 to change and 404 where it may not be seen.
"""
from __future__ import annotations

from dataclasses import replace

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import (BOOKING, BOOKING_BODY_SCHEMA, OCCURRENCE, REFUSAL, SUGGESTION, InstantParam,
                                      booking_input, clock_param, date_param)
from booking.api.core import PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import operation
from booking.api.shapes import (Page, Shape, choice, identifier, instant, many, page_shape, paged, text,
                                typed)
from booking.api.params import EnumParam, IntParam, TextParam
from booking.bookings.approvals import approve_booking, reject_booking
from booking.bookings.availability import availability
from booking.bookings.errors import BookingRefused, NeedsConfirmation, NotAllowed
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import Scope, cancel_booking, create_booking, visible_booking_or_404, visible_bookings_query
from booking.bookings.suggestions import SearchInput, search_free
from booking.errors import json_error
from booking.extensions import db
from booking.i18n import district_zone
from booking.permissions import can_see_resource
from booking.resources.models import Category, Resource
from booking.validation import ValidationFailed

CONFLICT_DESCRIPTION = (
    "A refusal answers 409 with `conflicts` (each `{kind, start, end, booking_id, message}`; kinds: "
    "resource_overlap, quantity, capacity, closed, outside_hours, duration, horizon, not_shared, outside_term; "
    "not_open_yet when the date lies past the school's priority booking window (the message names the day it "
    "opens), quota when the school's term quota would be exceeded (every date of a series counts); for visiting "
    "teachers also teacher_busy, travel_time, over_workload, outside_availability) and up to five "
    "`suggestions` `{resource_id, resource_name, school_id, school_name, start, end, travel_minutes}`."
)
CHANGED_MEANWHILE = ("Every change is a compare-and-set on the booking as read: when someone else changed it at the "
                     "same moment, nothing is saved and the answer is 409 `conflict`; read it again and retry.")

SKIPPED = Shape(None, {"start": instant(lambda check: check.interval.start),
                       "end": instant(lambda check: check.interval.end),
                       "state": typed({"type": "string", "enum": ["closed", "conflict"]}),
                       "conflicts": many(REFUSAL, "refusals")})
CREATED = Shape("BookingCreated", {
    "id": identifier(lambda created: created.bookings[0].id, description="The first booked occurrence."),
    "series_id": identifier(lambda created: created.bookings[0].series_id, nullable=True),
    "status": choice(BookingStatus, lambda created: created.bookings[0].status),
    "occurrences": many(OCCURRENCE, "bookings"),
    "skipped": many(SKIPPED, description="Dates of a series not booked: closed days, and clashes with "
                                         "skip_conflicts."),
})
BOOKING_PAGE = page_shape("BookingPage", BOOKING)
CHANGED = Shape("BookingsChanged", {
    "changed": many(OCCURRENCE),
    "rejected": many(OCCURRENCE, description="Other requests rejected because an approval took their slot."),
})
DECISION_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "scope": {"type": "string", "enum": ["occurrence", "series"], "default": "occurrence"},
    "reason": {"type": "string", "maxLength": 500, "description": "Required to reject."},
}}
INTERVAL_PARAMS = (InstantParam("start", "Window start (ISO 8601)."), InstantParam("end", "Window end (ISO 8601)."))
LIST_PARAMS = (
    IntParam("resource", "Only bookings of this resource.", minimum=1),
    IntParam("school", "Only bookings for classes of this school.", minimum=1),
    *INTERVAL_PARAMS,
    EnumParam("status", "Only bookings in this state.", enum=BookingStatus),
) + PAGE_PARAMS


@bp.errorhandler(BookingRefused)
def refused(error: BookingRefused):
    return json_error(409, "The booking clashes with the booking rules; see conflicts.", error="conflict",
                      conflicts=[REFUSAL.dump(r) for r in error.refusals],
                      suggestions=[SUGGESTION.dump(s) for s in error.suggestions])


@bp.errorhandler(NeedsConfirmation)
def needs_confirmation(error: NeedsConfirmation):
    return json_error(422, "Dates lie between two terms: send outside_term_ok true if they are meant.",
                      error="outside_term", fields=error.errors,
                      conflicts=[REFUSAL.dump(r) for r in error.refusals])


@bp.errorhandler(NotAllowed)
def not_allowed(error: NotAllowed):
    # Every service's refusal of an actor who may see the thing (a booking, an allocation round, a profile …).
    return json_error(403, "You may see this but not change it.")


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "Send a JSON object."})
    return body


@bp.post("/bookings")
@operation("Book a resource, once or recurring", response=CREATED.ref, request_body=BOOKING_BODY_SCHEMA,
           status=201, errors=(409,), description=CONFLICT_DESCRIPTION + " A date in a gap between two terms on a "
           "resource that asks for confirmation there (its `outside_term` setting, the default) answers 422 with "
           "error `outside_term`, `fields.outside_term_ok` and `conflicts` (kind outside_term) until the body says "
           "`outside_term_ok: true`; a resource set to refuse answers 409 (kind outside_term). Nothing is saved on "
           "409 or 422.")
def create():
    created = create_booking(g.api_user, booking_input(request.get_json(silent=True), district_zone()))
    return jsonify(CREATED.dump(created)), 201


@bp.get("/bookings")
@operation("Bookings you may see, filtered and paged", response=BOOKING_PAGE.ref, query=LIST_PARAMS,
           description="Bookings overlapping [start, end) when given; ordered by start.")
def bookings():
    values = declared_query_values()
    query = visible_bookings_query(g.api_user).order_by(Booking.starts_at, Booking.id)
    if values["resource"] is not None:
        query = query.where(Booking.resource_id == values["resource"])
    if values["school"] is not None:
        query = query.where(Booking.school_id == values["school"])
    if values["start"] is not None:
        query = query.where(Booking.ends_at > values["start"])
    if values["end"] is not None:
        query = query.where(Booking.starts_at < values["end"])
    if values["status"] is not None:
        query = query.where(Booking.status == values["status"])
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(paged(BOOKING_PAGE, items, total, values))


@bp.get("/bookings/<id:booking_id>")
@operation("One booking", response=BOOKING.ref)
def booking_detail(booking_id: int):
    return jsonify(BOOKING.dump(visible_booking_or_404(g.api_user, booking_id)))


@bp.delete("/bookings/<id:booking_id>")
@operation("Cancel a booking: one date, this and the following, or the rest of its series",
           response=CHANGED.ref, errors=(403, 409),
           query=(EnumParam("scope", "How much of a series.", default="occurrence", enum=Scope),
                  TextParam("reason", "Why (kept with the booking).", max_length=500)),
           description="Cancelled bookings are kept with their reason, never deleted. " + CHANGED_MEANWHILE)
def cancel(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    values = declared_query_values()
    cancelled = cancel_booking(g.api_user, booking, str(values["scope"]), values["reason"] or "")
    return jsonify(CHANGED.dump({"changed": cancelled, "rejected": []}))


def _decide(booking_id: int, decide):
    booking = visible_booking_or_404(g.api_user, booking_id)
    body = _json_object()  # valid against DECISION_BODY, checked before the view
    scope, reason = body.get("scope", "occurrence"), body.get("reason", "")
    decision = decide(booking, scope, reason)
    return jsonify(CHANGED.dump({"changed": decision.decided, "rejected": decision.displaced}))


@bp.post("/bookings/<id:booking_id>/approve")
@operation("Approve a request (or every pending date of its series)", response=CHANGED.ref,
           request_body=DECISION_BODY, role=Role.SCHOOL_ADMIN, errors=(409,),
           description="The owner school's admins and coordinators only. Re-checks the rules and rejects the "
                       "overlapping requests the approval makes impossible. " + CONFLICT_DESCRIPTION + " "
                       + CHANGED_MEANWHILE)
def approve(booking_id: int):
    return _decide(booking_id, lambda b, scope, reason: approve_booking(g.api_user, b, scope, reason))


@bp.post("/bookings/<id:booking_id>/reject")
@operation("Reject a request with a reason", response=CHANGED.ref, request_body=DECISION_BODY,
           role=Role.SCHOOL_ADMIN, errors=(409,), description=CHANGED_MEANWHILE)
def reject(booking_id: int):
    return _decide(booking_id, lambda b, scope, reason: reject_booking(g.api_user, b, reason, scope))


BUSY = Shape(None, {"start": instant(), "end": instant(), "kind": typed({"type": "string", "enum": ["booking", "closed"]}),
                    "status": text(nullable=True), "booking_id": identifier(nullable=True),
                    "quantity": typed({"type": "integer"}, nullable=True), "label": text()})
FREE_PERIOD = Shape(None, {"number": typed({"type": "integer"}), "start": instant(), "end": instant()})
AVAILABILITY = Shape("Availability", {"resource_id": identifier("resource.id"), "busy": many(BUSY),
                                      "free_periods": many(FREE_PERIOD)})


@bp.get("/resources/<id:resource_id>/availability")
@operation("Busy intervals and the bell periods you could book", response=AVAILABILITY.ref,
           query=tuple(replace(param, required=True) for param in INTERVAL_PARAMS),
           description="At most 31 days, end after start.")
def resource_availability(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not can_see_resource(g.api_user, resource):
        abort(404)
    values = declared_query_values()
    return jsonify(AVAILABILITY.dump(availability(g.api_user, resource, values["start"], values["end"])))


FREE = page_shape("FreeResources", SUGGESTION)
FREE_PARAMS = (
    EnumParam("category", "The kind of place or kit wanted.", enum=Category, required=True),
    replace(date_param("date", "The local date."), required=True),
    clock_param("start", "Local start time HH:MM (or give period)."),
    clock_param("end", "Local end time HH:MM."),
    IntParam("period", "A bell period (第N节) instead of start/end: each host school's own period of that "
             "number (a visiting teacher's, your school's).", minimum=1, maximum=20),
    IntParam("students", "Class size, to leave out rooms that are too small.", minimum=0, maximum=10_000),
    IntParam("quantity", "How many (equipment).", default=1, minimum=1, maximum=10_000),
)


@bp.get("/free-resources")
@operation("District-wide search: free resources of a category at a time, nearest campus first",
           response=FREE.ref, query=FREE_PARAMS,
           description="Checked with the booking rules for you and your school; `travel_minutes` is from your "
                       "school (null when unknown). Not paged: `total` is the number found.")
def free_resources():
    values = declared_query_values()
    found = search_free(g.api_user, SearchInput(
        category=values["category"] and values["category"].value, day=values["date"], start_time=values["start"],
        end_time=values["end"], period_number=values["period"], students=values["students"],
        quantity=values["quantity"]))
    return jsonify(FREE.dump(Page(found, len(found), len(found), 0)))
