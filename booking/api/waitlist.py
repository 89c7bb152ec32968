"""The waitlist through the API: join, list your places, leave, accept an offer.

GET/POST /waitlist, DELETE /waitlist/<id>, POST /waitlist/<id>/accept. The rules are booking.waitlist's,
the same as the booking page's "wait for this slot" button and the section on 我的预约.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import select

from booking.api import bp
from booking.api.booking_json import OCCURRENCE_SCHEMA, instant_field, occurrence_json
from booking.api.bookings import CONFLICT_DESCRIPTION
from booking.api.core import ID, INSTANT, PAGE_PARAMS, declared_query_values, iso_instant, page_json, \
    page_schema, paginate
from booking.api.openapi import component_schemas, enum_schema, nullable, obj, operation, schema
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

_WISH_FIELDS = ("resource_id", "start", "end", "title", "class_name", "students", "quantity", "school_id")
WAITLIST_BODY_SCHEMA = schema("WaitlistRequest", {
    "type": "object",
    "required": ["resource_id", "start", "end", "title"],
    "additionalProperties": False,
    "properties": {name: component_schemas()["BookingRequest"]["properties"][name] for name in _WISH_FIELDS},
})

ENTRY_SCHEMA = schema("WaitlistEntry", obj({
    "id": ID,
    "resource_id": ID,
    "user_id": ID,
    "school_id": ID,
    "start": INSTANT,
    "end": INSTANT,
    "title": {"type": "string"},
    "class_name": {"type": "string"},
    "students": nullable({"type": "integer", "minimum": 0}),
    "quantity": {"type": "integer", "minimum": 1},
    "status": enum_schema(EntryStatus),
    "position": nullable({"type": "integer", "minimum": 1,
                          "description": "1 = first in line among the active places overlapping this time."}),
    "offer": {"oneOf": [obj({"start": INSTANT, "end": INSTANT, "expires_at": INSTANT}), {"type": "null"}],
              "description": "The offered time (the wish, or the part of it that freed) and until when."},
    "booking_id": nullable(ID),
    "created_at": INSTANT,
}))
ENTRY_PAGE_SCHEMA = page_schema("WaitlistPage", ENTRY_SCHEMA)
ACCEPTED_SCHEMA = schema("WaitlistAccepted", obj({"entry": ENTRY_SCHEMA, "booking": OCCURRENCE_SCHEMA}))


def entry_json(entry: WaitlistEntry) -> dict:
    offer = None
    if entry.status == EntryStatus.OFFERED:
        offer = {"start": iso_instant(entry.offer_starts_at), "end": iso_instant(entry.offer_ends_at),
                 "expires_at": iso_instant(entry.offer_expires_at)}
    return {"id": entry.id, "resource_id": entry.resource_id, "user_id": entry.user_id, "school_id": entry.school_id,
            "start": iso_instant(entry.starts_at), "end": iso_instant(entry.ends_at), "title": entry.title,
            "class_name": entry.class_name, "students": entry.students, "quantity": entry.quantity,
            "status": entry.status.value, "position": position(entry), "offer": offer,
            "booking_id": entry.booking_id, "created_at": iso_instant(entry.created_at)}


def wish_input(body: dict) -> BookingInput:
    zone = district_zone()
    return BookingInput(
        resource_id=json_whole_number(body["resource_id"]), start=instant_field(body, "start", zone),
        end=instant_field(body, "end", zone), title=body.get("title", ""), class_name=body.get("class_name", ""),
        students=json_whole_number(body.get("students")), quantity=json_whole_number(body.get("quantity", 1)),
        school_id=json_whole_number(body.get("school_id")))


def _entry_or_404(entry_id: int) -> WaitlistEntry:
    entry = visible_entry(g.api_user, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.post("/waitlist")
@operation("Wait for a time that others hold", response=ENTRY_SCHEMA, request_body=WAITLIST_BODY_SCHEMA,
           status=201, errors=(409,),
           description=WAITLIST_DESCRIPTION + " A free time is a 422 (book it); a time refused for other reasons "
                       "than being held is a 409 with `conflicts`, as for a booking. " + CONFLICT_DESCRIPTION)
def join():
    entry = join_waitlist(g.api_user, wish_input(request.get_json(silent=True)))
    return jsonify(entry_json(entry)), 201


@bp.get("/waitlist")
@operation("Your places in waitlists", response=ENTRY_PAGE_SCHEMA,
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
    return jsonify(page_json([entry_json(e) for e in items], total, values["limit"], values["offset"]))


@bp.delete("/waitlist/<id:entry_id>")
@operation("Leave a waitlist (or decline its offer)", response=ENTRY_SCHEMA, errors=(403,),
           description="An offer you held goes to the next in line. A place no longer active is a 422.")
def leave(entry_id: int):
    return jsonify(entry_json(leave_waitlist(g.api_user, _entry_or_404(entry_id))))


@bp.post("/waitlist/<id:entry_id>/accept")
@operation("Accept an offer: book the offered time", response=ACCEPTED_SCHEMA, status=201, errors=(403, 409),
           description="Booked as you, by every booking rule (a request where the resource needs approval). No offer "
                       "open (taken, left, lapsed) is a 422. " + CONFLICT_DESCRIPTION)
def accept(entry_id: int):
    entry = _entry_or_404(entry_id)
    created = accept_offer(g.api_user, entry)
    db.session.flush()
    return jsonify({"entry": entry_json(entry), "booking": occurrence_json(created.bookings[0])}), 201
