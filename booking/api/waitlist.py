"""The waitlist through the API: join, list your places, leave, accept an offer.

GET/POST /waitlist, DELETE /waitlist/<id>, POST /waitlist/<id>/accept. The rules are booking.waitlist's,
the same as the booking page's "wait for this slot" button and the section on 我的预约.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import select

from booking.api import bp
from booking.api.booking_json import OCCURRENCE, booking_time
from booking.api.bookings import CONFLICT_DESCRIPTION
from booking.api.core import PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import component_schemas, operation, schema
from booking.api.shapes import Shape, choice, identifier, instant, one, page_shape, paged, text, typed
from booking.api.params import EnumParam, json_whole_number
from booking.bookings.planning import BookingInput
from booking.extensions import db
from booking.i18n import district_zone
from booking.permissions import visible_waitlist_clause
from booking.waitlist.models import ACTIVE_ENTRY_STATUSES, EntryStatus, WaitlistEntry
from booking.waitlist.services import accept_offer, join_waitlist, leave_waitlist, position, visible_entry

WAITLIST_DESCRIPTION = (
    "A place in line for a time of a resource that others hold (one date; not a visiting teacher). When the "
    "time frees, the first in line (weak schools first where the resource sets `waitlist_weak_first`) gets it "
    "at once if every booking rule allows it and it needs no approval; otherwise an offer "
    "(`status` offered, `offer.expires_at`) that `POST /waitlist/{entry_id}/accept` books and that lapses "
    "to the next in line when not taken in time.")

# The booking request's fields for one date: its time as start and end or as a bell period, as a booking's.
_WISH_FIELDS = ("resource_id", "start", "end", "day", "period_number", "period_to", "title", "class_name", "students",
                "quantity", "school_id")
_BOOKING_REQUEST = component_schemas()["BookingRequest"]
WAITLIST_BODY_SCHEMA = schema("WaitlistRequest", {
    "type": "object",
    "required": ["resource_id", "title"],
    "additionalProperties": False,
    "description": "When: `start` and `end`, or `day` and `period_number` (`period_to`), as for a booking.",
    "dependentRequired": _BOOKING_REQUEST["dependentRequired"],
    "properties": {name: _BOOKING_REQUEST["properties"][name] for name in _WISH_FIELDS},
})

OFFER = Shape(None, {"start": instant("offer_starts_at"), "end": instant("offer_ends_at"),
                     "expires_at": instant("offer_expires_at")})
ENTRY = Shape("WaitlistEntry", {
    "id": identifier(),
    "resource_id": identifier(),
    "user_id": identifier(),
    "school_id": identifier(),
    "start": instant("starts_at"),
    "end": instant("ends_at"),
    "title": text(),
    "class_name": text(),
    "students": typed({"type": "integer", "minimum": 0}, nullable=True),
    "quantity": typed({"type": "integer", "minimum": 1}),
    "status": choice(EntryStatus),
    "position": typed({"type": "integer", "minimum": 1,
                       "description": "1 = first in line among the active places overlapping this time."},
                      position, nullable=True),
    "offer": one(OFFER, lambda entry: entry if entry.status == EntryStatus.OFFERED else None, nullable=True,
                 description="The offered time (the wish, or the part of it that freed) and until when."),
    "booking_id": identifier(nullable=True),
    "created_at": instant(),
})
ENTRY_PAGE = page_shape("WaitlistPage", ENTRY)
ACCEPTED = Shape("WaitlistAccepted", {"entry": one(ENTRY), "booking": one(OCCURRENCE)})


def wish_input(body: dict) -> BookingInput:
    zone = district_zone()
    return BookingInput(
        resource_id=json_whole_number(body["resource_id"]), **booking_time(body, zone), title=body.get("title", ""),
        class_name=body.get("class_name", ""), students=json_whole_number(body.get("students")),
        quantity=json_whole_number(body.get("quantity", 1)), school_id=json_whole_number(body.get("school_id")))


def _entry_or_404(entry_id: int) -> WaitlistEntry:
    entry = visible_entry(g.api_user, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.post("/waitlist")
@operation("Wait for a time that others hold", response=ENTRY.ref, request_body=WAITLIST_BODY_SCHEMA,
           status=201, errors=(409,),
           description=WAITLIST_DESCRIPTION + " A free time is a 422 (book it); a time refused for other reasons "
                       "than being held is a 409 with `conflicts`, as for a booking. " + CONFLICT_DESCRIPTION)
def join():
    entry = join_waitlist(g.api_user, wish_input(request.get_json(silent=True)))
    return jsonify(ENTRY.dump(entry)), 201


@bp.get("/waitlist")
@operation("Your places in waitlists", response=ENTRY_PAGE.ref,
           query=(EnumParam("status", "Only places in this state (default: waiting and offered).", enum=EntryStatus),)
           + PAGE_PARAMS,
           description="Soonest first. " + WAITLIST_DESCRIPTION)
def my_waitlist():
    values = declared_query_values()
    query = select(WaitlistEntry).where(visible_waitlist_clause(g.api_user))
    if values["status"] is not None:
        query = query.where(WaitlistEntry.status == values["status"])
    else:
        query = query.where(WaitlistEntry.status.in_(ACTIVE_ENTRY_STATUSES))
    items, total = paginate(query.order_by(WaitlistEntry.starts_at, WaitlistEntry.id), values["limit"],
                            values["offset"])
    return jsonify(paged(ENTRY_PAGE, items, total, values))


@bp.delete("/waitlist/<id:entry_id>")
@operation("Leave a waitlist (or decline its offer)", response=ENTRY.ref, errors=(403,),
           description="An offer you held goes to the next in line. A place no longer active is a 422.")
def leave(entry_id: int):
    return jsonify(ENTRY.dump(leave_waitlist(g.api_user, _entry_or_404(entry_id))))


@bp.post("/waitlist/<id:entry_id>/accept")
@operation("Accept an offer: book the offered time", response=ACCEPTED.ref, status=201, errors=(403, 409),
           description="Booked as you, by every booking rule (a request where the resource needs approval). No offer "
                       "open (taken, left, lapsed) is a 422. " + CONFLICT_DESCRIPTION)
def accept(entry_id: int):
    entry = _entry_or_404(entry_id)
    created = accept_offer(g.api_user, entry)
    db.session.flush()
    return jsonify(ACCEPTED.dump({"entry": entry, "booking": created.bookings[0]})), 201
