"""GET /api/v1/mandates: the visit mandates' progress table; POST /api/v1/bookings/<id>/record: a
visiting teacher's lesson delivered or not. Routes only parse and shape (booking.teachers decides)."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import BOOKING
from booking.api.core import SCHOOL_REF, declared_query_values
from booking.api.openapi import enum_schema, operation
from booking.api.shapes import Shape, boolean, choice, day, identifier, many, one, text, typed
from booking.api.params import IntParam
from booking.bookings.errors import NotAllowed
from booking.bookings.models import LessonKind
from booking.bookings.services import visible_booking_or_404
from booking.permissions import viewed_district_id
from booking.errors import json_error
from booking.teachers.lessons import LessonRecord, record_lesson
from booking.teachers.mandates import mandate_progress, term_or_current
from booking.validation import ValidationFailed

COUNT = {"type": "integer", "minimum": 0}
LINE = Shape(None, {
    "key": typed({"type": "string", "examples": ["demonstration-music", "training-any"]}),
    "lesson_kind": choice(LessonKind),
    "subject": text(description="Empty: lessons of this kind in any subject count."),
    "required": typed(COUNT),
})
CELL = Shape(None, {
    "key": text("line.key"), "delivered": typed(COUNT), "planned": typed(COUNT),
    "expected": typed(COUNT, description="Delivered lessons the share of the term passed calls for."),
    "status": typed({"type": "string", "enum": ["met", "on_track", "behind"]}),
})
TERM_DATES = Shape(None, {"id": identifier(), "name": text(), "start_date": day(), "end_date": day()})
MANDATES = Shape("MandateProgress", {
    "term": one(TERM_DATES),
    "as_of": day("progress.today"),
    "elapsed": typed({"type": "number", "minimum": 0, "maximum": 1, "description": "Share of the term's days passed."},
                     lambda shown: round(shown["progress"].elapsed, 4)),
    "mandates": many(LINE, "progress.lines"),
    "schools": many(Shape(None, {"school": one(SCHOOL_REF), "behind": boolean(), "cells": many(CELL)}),
                    "progress.rows"),
})
RECORD_BODY = {"type": "object", "additionalProperties": False, "required": ["delivered"], "properties": {
    "delivered": {"type": "boolean"},
    "lesson_kind": {**enum_schema(LessonKind), "description": "Default: the kind the lesson was booked as."},
    "note": {"type": "string", "maxLength": 500,
             "description": "What was taught; required (the reason) when the lesson was not delivered."},
}}


@bp.get("/mandates")
@operation("Mandate progress: each tied school × mandate, delivered / planned / required", response=MANDATES.ref,
           query=(IntParam("term", "The term's id; default the current (or next) term.", minimum=1),),
           role=Role.SCHOOL_ADMIN, description="Only delivered lessons count; `status` is behind when fewer were "
                                               "delivered than the share of the term passed calls for.")
def mandates():
    values = declared_query_values()
    term = term_or_current(values["term"])
    if term is None:
        if values["term"] is not None:
            raise ValidationFailed({"term": f"No term has the id {values['term']}."})
        abort(404)
    progress = mandate_progress(term, district_id=viewed_district_id(g.api_user))  # the caller's district's schools
    return jsonify(MANDATES.dump({"term": term, "progress": progress}))


def _record_input(body: dict) -> LessonRecord:
    """The body, valid against RECORD_BODY (checked before the view), as a LessonRecord."""
    return LessonRecord(body["delivered"], body.get("lesson_kind"), body.get("note") or "")


@bp.post("/bookings/<id:booking_id>/record")
@operation("Record a visiting teacher's lesson: delivered or not, its kind, what was taught",
           response=BOOKING.ref, request_body=RECORD_BODY, errors=(403,),
           description="By the visiting teacher, the host school (the booker or its admins), the lead school's "
                       "admins or a coordinator; once the lesson has begun, and once (a 422 names `booking` or "
                       "`outcome` otherwise).")
def record_delivery(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    data = _record_input(request.get_json(silent=True))
    try:
        record_lesson(g.api_user, booking, data)
    except NotAllowed:
        return json_error(403, "You may not record this lesson.")
    return jsonify(BOOKING.dump(booking))
