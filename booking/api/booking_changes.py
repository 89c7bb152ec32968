"""PATCH /api/v1/bookings/<id>: change a booking, one date, this and the following, or the whole series.

The change page's path exactly: the body is read as the change form's values (``read_changes``, only
what differs from the booking moves it; a bell period or a start and end time), then
``booking.bookings.changes.change_booking`` checks every rule for every date in scope under the
resource's lock, all or nothing. Who may: ``permissions.can_change_booking`` (the booker, whoever
manages the class's school or the owner school); others get 403, and 404 where they may not see it.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.api import bp
from booking.api.booking_json import PERIOD
from booking.api.bookings import CHANGED, CHANGED_MEANWHILE, CONFLICT_DESCRIPTION
from booking.api.core import CLOCK_TIME
from booking.api.openapi import enum_schema, operation, schema
from booking.bookings.changes import change_booking
from booking.bookings.models import Booking
from booking.bookings.planning import MAX_STUDENTS, period_clock
from booking.bookings.services import Scope, visible_booking_or_404
from booking.bookings.web.form_input import read_changes
from booking.bookings.web.manage import is_changeable
from booking.i18n import district_zone
from booking.parsing import parse_day
from booking.permissions import can_change_booking
from booking.validation import ValidationFailed

BOOKING_CHANGE_BODY = schema("BookingChange", {
    "type": "object", "additionalProperties": False,
    "description": "Only the fields to change. A time is a bell period of the owner school (`period_number`, "
                   "`period_to` for a double lesson) or `start_time` and `end_time`, local wall-clock.",
    "properties": {
        "scope": {**enum_schema(Scope), "default": "occurrence",
                  "description": "A series' date only, this and the following ones, or every date still to come. "
                                 "A booking outside a series is always just itself."},
        "title": {"type": "string", "minLength": 1, "maxLength": Booking.title.type.length},
        "class_name": {"type": "string", "maxLength": Booking.class_name.type.length},
        "students": {"type": "integer", "minimum": 0, "maximum": MAX_STUDENTS},
        "day": {"type": "string", "format": "date", "description": "Move to this local date (scope occurrence)."},
        "start_time": CLOCK_TIME,
        "end_time": CLOCK_TIME,
        "period_number": PERIOD,
        "period_to": {**PERIOD, "description": "The last period of a double lesson."},
        "outside_term_ok": {"type": "boolean", "default": False,
                            "description": "A new date between two terms is meant (see POST /bookings)."},
    },
})


def change_values(booking: Booking, body: dict) -> dict:
    """The change form's values: the booking as it is, with the body's fields over it."""
    zone = district_zone()
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    values = {"title": booking.title, "class_name": booking.class_name,
              "students": "" if booking.students is None else str(booking.students),
              "day": start.date().isoformat(), "start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}"}
    if "period_number" in body:
        values.pop("start_time"), values.pop("end_time")
    for name, value in body.items():
        values[name] = value if isinstance(value, (str, bool)) else str(value)
    return values


@bp.patch("/bookings/<id:booking_id>")
@operation("Change a booking: its title, class, size, date or time, for one date or more of a series",
           response=CHANGED.ref, request_body=BOOKING_CHANGE_BODY, errors=(403, 409),
           description="The booker and whoever manages the class's or the owner school (403 otherwise). A "
                       "booking that has ended or is no longer active is a 422 naming `booking`. Moving a "
                       "confirmed booking of a resource that needs approval makes it a request again unless you "
                       "may approve it. Only a single date moves to another day. `changed` lists every date "
                       "changed. " + CONFLICT_DESCRIPTION + " " + CHANGED_MEANWHILE)
def change(booking_id: int):
    booking = visible_booking_or_404(g.api_user, booking_id)
    if not can_change_booking(g.api_user, booking):
        abort(403)
    if not is_changeable(booking):
        raise ValidationFailed({"booking": "This booking can no longer be changed."})
    body = request.get_json(silent=True) or {}  # valid against BOOKING_CHANGE_BODY, checked before the view
    scope = body.get("scope", "occurrence") if booking.series_id else "occurrence"
    owner = booking.resource.owner_school_id
    changes, errors = read_changes(change_values(booking, body), booking.starts_at, booking.ends_at, district_zone(),
                                   lambda number: period_clock(owner, number), one_date=scope == "occurrence")
    if errors:
        raise ValidationFailed(errors)
    if "day" in body and scope != "occurrence":
        changes.day = parse_day(body["day"])  # the page has no day then; the service refuses it, naming `day`
    changed = change_booking(g.api_user, booking, changes, scope)
    return jsonify(CHANGED.dump({"changed": changed, "rejected": []}))
