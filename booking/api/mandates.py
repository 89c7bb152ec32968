"""GET /api/v1/mandates: the visit mandates' progress table; POST /api/v1/bookings/<id>/record: a
visiting teacher's lesson delivered or not. Routes only parse and shape (booking.teachers decides)."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import BOOKING_SCHEMA, booking_json
from booking.api.core import ID, SCHOOL_REF_SCHEMA, declared_query_values, school_ref_json
from booking.api.openapi import enum_schema, obj, operation, schema
from booking.api.params import IntParam
from booking.bookings.errors import NotAllowed
from booking.bookings.models import LessonKind
from booking.bookings.services import visible_booking_or_404
from booking.errors import json_error
from booking.teachers.lessons import LessonRecord, record_lesson
from booking.teachers.mandates import mandate_progress, term_or_current
from booking.validation import ValidationFailed

COUNT = {"type": "integer", "minimum": 0}
LINE_SCHEMA = obj({
    "key": {"type": "string", "examples": ["demonstration-music", "training-any"]},
    "lesson_kind": enum_schema(LessonKind),
    "subject": {"type": "string", "description": "Empty: lessons of this kind in any subject count."},
    "required": COUNT,
})
CELL_SCHEMA = obj({
    "key": {"type": "string"}, "delivered": COUNT, "planned": COUNT,
    "expected": {**COUNT, "description": "Delivered lessons the share of the term passed calls for."},
    "status": {"type": "string", "enum": ["met", "on_track", "behind"]},
})
MANDATES_SCHEMA = schema("MandateProgress", obj({
    "term": obj({"id": ID, "name": {"type": "string"}, "start_date": {"type": "string", "format": "date"},
                 "end_date": {"type": "string", "format": "date"}}),
    "as_of": {"type": "string", "format": "date"},
    "elapsed": {"type": "number", "minimum": 0, "maximum": 1, "description": "Share of the term's days passed."},
    "mandates": {"type": "array", "items": LINE_SCHEMA},
    "schools": {"type": "array", "items": obj({"school": SCHOOL_REF_SCHEMA, "behind": {"type": "boolean"},
                                                "cells": {"type": "array", "items": CELL_SCHEMA}})},
}))
RECORD_BODY = {"type": "object", "additionalProperties": False, "required": ["delivered"], "properties": {
    "delivered": {"type": "boolean"},
    "lesson_kind": {**enum_schema(LessonKind), "description": "Default: the kind the lesson was booked as."},
    "note": {"type": "string", "maxLength": 500,
             "description": "What was taught; required (the reason) when the lesson was not delivered."},
}}


@bp.get("/mandates")
@operation("Mandate progress: each tied school × mandate, delivered / planned / required", response=MANDATES_SCHEMA,
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
    progress = mandate_progress(term)
    return jsonify({
        "term": {"id": term.id, "name": term.name, "start_date": term.start_date.isoformat(),
                 "end_date": term.end_date.isoformat()},
        "as_of": progress.today.isoformat(),
        "elapsed": round(progress.elapsed, 4),
        "mandates": [{"key": line.key, "lesson_kind": line.lesson_kind.value, "subject": line.subject,
                      "required": line.required} for line in progress.lines],
        "schools": [{"school": school_ref_json(row.school), "behind": row.behind,
                     "cells": [{"key": c.line.key, "delivered": c.delivered, "planned": c.planned,
                                "expected": c.expected, "status": c.status} for c in row.cells]}
                    for row in progress.rows],
    })


def _record_input(body: dict) -> LessonRecord:
    """The body, valid against RECORD_BODY (checked before the view), as a LessonRecord."""
    return LessonRecord(body["delivered"], body.get("lesson_kind"), body.get("note") or "")


@bp.post("/bookings/<id:booking_id>/record")
@operation("Record a visiting teacher's lesson: delivered or not, its kind, what was taught",
           response=BOOKING_SCHEMA, request_body=RECORD_BODY, errors=(403,),
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
    return jsonify(booking_json(booking))
