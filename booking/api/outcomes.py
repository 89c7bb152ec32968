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
from booking.api.core import INSTANT
from booking.api.openapi import enum_schema, operation
from booking.api.shapes import Shape, boolean, choice, identifier, instant, iso_instant, one, text, typed
from booking.bookings.models import BookingOutcome, BookingStatus
from booking.bookings.services import visible_booking_or_404
from booking.extensions import db
from booking.bookings import checkin, outcomes
from booking.resources.models import Resource
from booking.validation import ValidationFailed

CHECK_IN_WINDOW = Shape(None, {"enabled": boolean("resource.checks_in"),
                               "opens": instant(lambda booking: checkin.window(booking)[0]),
                               "closes": instant(lambda booking: checkin.window(booking)[1])})
OUTCOME = Shape("BookingOutcome", {
    "booking_id": identifier("id"),
    "status": choice(BookingStatus),
    "outcome": typed({"type": ["string", "null"], "enum": [*enum_schema(BookingOutcome)["enum"], None]},
                     convert=lambda outcome: outcome.value),
    "outcome_note": text(),
    "outcome_recorded_at": instant(nullable=True),
    "checked_in_at": instant(nullable=True),
    "checked_in_by_id": identifier(nullable=True),
    "released_at": typed({**INSTANT, "description": "Set when the scheduler released the booking because nobody "
                                                    "checked in (it is then cancelled, a no-show)."},
                         convert=iso_instant, nullable=True),
    "check_in": one(CHECK_IN_WINDOW, lambda booking: booking),
})
OUTCOME_BODY = {"type": "object", "additionalProperties": False, "required": ["outcome"], "properties": {
    "outcome": {"type": "string", "enum": [value.value for value in BookingOutcome]},
    "note": {"type": "string", "maxLength": outcomes.NOTE_MAX_LENGTH,
             "description": "Required to correct a recorded outcome, and for a visiting teacher's lesson not given."},
}}


@bp.get("/bookings/<id:booking_id>/outcome")
@operation("A booking's outcome: checked in, used, no-show, released", response=OUTCOME.ref)
def booking_outcome(booking_id: int):
    return jsonify(OUTCOME.dump(visible_booking_or_404(g.api_user, booking_id)))


@bp.post("/bookings/<id:booking_id>/check-in")
@operation("Check a booking in (recorded as used)", response=OUTCOME.ref,
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
    return jsonify(OUTCOME.dump(checkin.check_in(booking, g.api_user)))


@bp.post("/bookings/<id:booking_id>/outcome")
@operation("Record (or, as an administrator, correct) whether a booking was used", response=OUTCOME.ref,
           request_body=OUTCOME_BODY,
           description="The booker, the owner school's administrators, a coordinator, and for a visiting "
                       "teacher's lesson the teacher and the host school; once the booking has started. A second "
                       "recording is a correction: administrators only, with a `note`.")
def record_booking_outcome(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    body = _json_object()  # valid against OUTCOME_BODY, checked before the view
    return jsonify(OUTCOME.dump(outcomes.record_outcome(booking, body["outcome"], body.get("note", ""), g.api_user)))


SETTING_FIELDS = {
    "enabled": {"type": ["boolean", "null"], "description": "Null: the kind's default (on for rooms and visiting "
                                                            "teachers, off for equipment)."},
    "before_minutes": {"type": "integer", "minimum": 0, "maximum": checkin.MAX_WINDOW_MINUTES},
    "after_minutes": {"type": "integer", "minimum": 0, "maximum": checkin.MAX_WINDOW_MINUTES,
                      "description": "The grace: not checked in by then, the booking is released."},
}
SETTING = Shape("CheckInSetting", {
    "resource_id": identifier("id"),
    "enabled": typed(SETTING_FIELDS["enabled"], "check_in"),
    "before_minutes": typed(SETTING_FIELDS["before_minutes"], "check_in_before_minutes"),
    "after_minutes": typed(SETTING_FIELDS["after_minutes"], "check_in_after_minutes"),
    "effective": boolean("checks_in"),
})
SETTING_BODY = {"type": "object", "additionalProperties": False,
                "required": ["enabled", "before_minutes", "after_minutes"], "properties": SETTING_FIELDS}


@bp.get("/resources/<id:resource_id>/check-in")
@operation("A resource's check-in setting", response=SETTING.ref, role=Role.SCHOOL_ADMIN)
def resource_check_in(resource_id: int):
    return jsonify(SETTING.dump(db.get_or_404(Resource, resource_id)))


@bp.put("/resources/<id:resource_id>/check-in")
@operation("Set a resource's check-in: on, off or the default, and its window", response=SETTING.ref,
           request_body=SETTING_BODY, role=Role.SCHOOL_ADMIN,
           description="The owner school's administrators and coordinators. Minutes 0–240.")
def set_resource_check_in(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    body = _json_object()  # valid against SETTING_BODY, checked before the view
    return jsonify(SETTING.dump(checkin.set_check_in(g.api_user, resource, body["enabled"], body["before_minutes"],
                                                     body["after_minutes"])))
