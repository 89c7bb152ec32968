"""A booking's outcome through the API: read it, check in, record used / no-show; a resource's check-in setting.

GET /bookings/<id>/outcome, POST /bookings/<id>/check-in, POST /bookings/<id>/outcome,
GET/PUT /resources/<id>/check-in. The rules are booking.bookings.checkin and booking.bookings.outcomes,
the same as the buttons on the pages.
"""
from __future__ import annotations

from flask import g, jsonify

from booking.api import bp
from booking.api.bookings import CHANGED_MEANWHILE, _json_object
from booking.accounts.models import Role
from booking.api.core import ID, INSTANT, iso_instant
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.bookings.services import visible_booking_or_404
from booking.extensions import db
from booking.bookings import checkin, outcomes
from booking.resources.models import Resource
from booking.validation import ValidationFailed

OUTCOME_SCHEMA = schema("BookingOutcome", obj({
    "booking_id": ID,
    "status": enum_schema(BookingStatus),
    "outcome": nullable({**enum_schema(BookingOutcome), "enum": [*enum_schema(BookingOutcome)["enum"], None]}),
    "outcome_note": {"type": "string"},
    "outcome_recorded_at": nullable(INSTANT),
    "checked_in_at": nullable(INSTANT),
    "checked_in_by_id": nullable(ID),
    "released_at": nullable({**INSTANT, "description": "Set when the scheduler released the booking because "
                                                       "nobody checked in (it is then cancelled, a no-show)."}),
    "check_in": obj({"enabled": {"type": "boolean"}, "opens": INSTANT, "closes": INSTANT}),
}))
OUTCOME_BODY = {"type": "object", "additionalProperties": False, "required": ["outcome"], "properties": {
    "outcome": {"type": "string", "enum": [value.value for value in BookingOutcome]},
    "note": {"type": "string", "maxLength": outcomes.NOTE_MAX_LENGTH,
             "description": "Required to correct a recorded outcome, and for a visiting teacher's lesson not given."},
}}


def outcome_json(booking: Booking) -> dict:
    opens, closes = checkin.window(booking)
    return {"booking_id": booking.id, "status": booking.status.value,
            "outcome": booking.outcome.value if booking.outcome else None, "outcome_note": booking.outcome_note,
            "outcome_recorded_at": iso_instant(booking.outcome_recorded_at),
            "checked_in_at": iso_instant(booking.checked_in_at), "checked_in_by_id": booking.checked_in_by_id,
            "released_at": iso_instant(booking.released_at),
            "check_in": {"enabled": booking.resource.checks_in, "opens": iso_instant(opens),
                         "closes": iso_instant(closes)}}


@bp.get("/bookings/<id:booking_id>/outcome")
@operation("A booking's outcome: checked in, used, no-show, released", response=OUTCOME_SCHEMA)
def booking_outcome(booking_id: int):
    return jsonify(outcome_json(visible_booking_or_404(g.api_user, booking_id)))


@bp.post("/bookings/<id:booking_id>/check-in")
@operation("Check a booking in (recorded as used)", response=OUTCOME_SCHEMA,
           description="The booker, the visiting teacher booked or an administrator of the owner school, from "
                       "`check_in.opens` to `check_in.closes` (by default 15 minutes before to 15 after the start; "
                       "set per resource, off by default for equipment). A booking not checked in by then is "
                       "released by the scheduler: cancelled, outcome `no_show`, `released_at` set. Refusals are "
                       "422 with `fields.booking`. " + CHANGED_MEANWHILE.replace("409 `conflict`", "422"))
def booking_check_in(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    extra = sorted(_json_object())
    if extra:
        raise ValidationFailed({name: "Unknown field." for name in extra})
    return jsonify(outcome_json(checkin.check_in(booking, g.api_user)))


@bp.post("/bookings/<id:booking_id>/outcome")
@operation("Record (or, as an administrator, correct) whether a booking was used", response=OUTCOME_SCHEMA,
           request_body=OUTCOME_BODY,
           description="The booker, the owner school's administrators, a coordinator, and for a visiting "
                       "teacher's lesson the teacher and the host school; once the booking has started. A second "
                       "recording is a correction: administrators only, with a `note`.")
def record_booking_outcome(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    body = _json_object()  # valid against OUTCOME_BODY, checked before the view
    return jsonify(outcome_json(outcomes.record_outcome(booking, body["outcome"], body.get("note", ""), g.api_user)))


SETTING_FIELDS = {
    "enabled": {"type": ["boolean", "null"], "description": "Null: the kind's default (on for rooms and visiting "
                                                            "teachers, off for equipment)."},
    "before_minutes": {"type": "integer", "minimum": 0, "maximum": checkin.MAX_WINDOW_MINUTES},
    "after_minutes": {"type": "integer", "minimum": 0, "maximum": checkin.MAX_WINDOW_MINUTES,
                      "description": "The grace: not checked in by then, the booking is released."},
}
SETTING_SCHEMA = schema("CheckInSetting", obj({"resource_id": ID, **SETTING_FIELDS,
                                               "effective": {"type": "boolean"}}))
SETTING_BODY = {"type": "object", "additionalProperties": False,
                "required": ["enabled", "before_minutes", "after_minutes"], "properties": SETTING_FIELDS}


def setting_json(resource: Resource) -> dict:
    return {"resource_id": resource.id, "enabled": resource.check_in,
            "before_minutes": resource.check_in_before_minutes, "after_minutes": resource.check_in_after_minutes,
            "effective": resource.checks_in}


@bp.get("/resources/<id:resource_id>/check-in")
@operation("A resource's check-in setting", response=SETTING_SCHEMA, role=Role.SCHOOL_ADMIN)
def resource_check_in(resource_id: int):
    return jsonify(setting_json(db.get_or_404(Resource, resource_id)))


@bp.put("/resources/<id:resource_id>/check-in")
@operation("Set a resource's check-in: on, off or the default, and its window", response=SETTING_SCHEMA,
           request_body=SETTING_BODY, role=Role.SCHOOL_ADMIN,
           description="The owner school's administrators and coordinators. Minutes 0–240.")
def set_resource_check_in(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    body = _json_object()  # valid against SETTING_BODY, checked before the view
    return jsonify(setting_json(checkin.set_check_in(g.api_user, resource, body["enabled"], body["before_minutes"],
                                                     body["after_minutes"])))
