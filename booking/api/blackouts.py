"""Maintenance blackouts of a resource: list, add (deciding about the bookings inside), delete.

The rules live in ``booking.resources.blackouts``; this module parses strictly and shapes. A new
blackout over active bookings answers 409 with them (nothing saved) until the body says
``on_bookings``: ``cancel`` (cancelled with the blackout's reason) or ``keep``.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import INSTANT_RANGE_DESCRIPTION, OCCURRENCE, InstantParam, instant_field
from booking.api.core import PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import operation, schema
from booking.api.shapes import Shape, identifier, instant, many, one, page_shape, paged, text
from booking.clock import utcnow
from booking.errors import json_error
from booking.extensions import db
from booking.i18n import district_zone
from booking.permissions import can_manage_school, can_see_resource
from booking.resources import blackouts
from booking.resources.models import Resource

BLACKOUT = Shape("Blackout", {
    "id": identifier(),
    "resource_id": identifier(),
    "start": instant("starts_at"),
    "end": instant("ends_at"),
    "reason": text(),
    "created_by_id": identifier(nullable=True),
    "created_at": instant(),
})
BLACKOUT_PAGE = page_shape("BlackoutPage", BLACKOUT)
BLACKOUT_ADDED = Shape("BlackoutAdded", {
    "blackout": one(BLACKOUT),
    "cancelled": many(OCCURRENCE, description="Bookings cancelled for it."),
    "kept": many(OCCURRENCE, description="Active bookings inside it that stay (chosen, or not yours to cancel)."),
})
BLACKOUT_BODY_SCHEMA = schema("BlackoutRequest", {
    "type": "object",
    "required": ["start", "end", "reason"],
    "additionalProperties": False,
    "properties": {
        "start": {"type": "string", "format": "date-time", "description": INSTANT_RANGE_DESCRIPTION},
        "end": {"type": "string", "format": "date-time",
                "description": "After start, at most a year later, not yet past. " + INSTANT_RANGE_DESCRIPTION},
        "reason": {"type": "string", "maxLength": blackouts.REASON_MAX_LENGTH,
                   "description": "Shown to teachers whose booking it refuses."},
        "on_bookings": {"type": "string", "enum": list(blackouts.ON_BOOKINGS),
                        "description": "What to do with active bookings inside: required when there are any."},
    },
})
LIST_PARAMS = (InstantParam("since", "Only blackouts ending after this instant (default: now)."),) + PAGE_PARAMS


def _visible_resource(resource_id: int) -> Resource:
    """The resource, 404 when it does not exist or is hidden from the caller."""
    resource = db.get_or_404(Resource, resource_id)
    if not can_see_resource(g.api_user, resource):
        abort(404)
    return resource


def _managed_resource(resource_id: int) -> Resource:
    resource = _visible_resource(resource_id)
    if not can_manage_school(g.api_user, resource.owner_school_id):
        abort(403)
    return resource


def blackout_input(body: dict) -> tuple[blackouts.BlackoutInput, str | None]:
    """The POST body (valid against BLACKOUT_BODY_SCHEMA, checked before the view) and its ``on_bookings``."""
    zone = district_zone()
    data = blackouts.BlackoutInput(start=instant_field(body, "start", zone), end=instant_field(body, "end", zone),
                                   reason=body["reason"])
    return data, body.get("on_bookings")


@bp.get("/resources/<id:resource_id>/blackouts")
@operation("Maintenance blackouts of a resource", response=BLACKOUT_PAGE.ref, query=LIST_PARAMS,
           description="Spans in which the resource cannot be booked, by start. By default the current and "
                       "upcoming ones.")
def resource_blackouts(resource_id: int):
    resource = _visible_resource(resource_id)
    values = declared_query_values()
    query = blackouts.blackouts_query(resource, values["since"] or utcnow())
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(paged(BLACKOUT_PAGE, items, total, values))


@bp.post("/resources/<id:resource_id>/blackouts")
@operation("Add a maintenance blackout", response=BLACKOUT_ADDED.ref, request_body=BLACKOUT_BODY_SCHEMA,
           role=Role.SCHOOL_ADMIN, status=201, errors=(403, 409),
           description="Admins of the owner school and coordinators. When active bookings fall inside and "
                       "`on_bookings` is not given, answers 409 `{\"error\": \"affected_bookings\", \"affected\": "
                       "[occurrences]}` and saves nothing. Cancelled bookings keep the reason.")
def add_blackout(resource_id: int):
    resource = _managed_resource(resource_id)
    data, on_bookings = blackout_input(request.get_json(silent=True))
    affected = blackouts.affected_bookings(resource, blackouts.validated(data, on_bookings or "keep"))
    if affected and on_bookings is None:
        return json_error(409, "Active bookings fall inside the blackout: send on_bookings cancel or keep.",
                          error="affected_bookings", affected=[OCCURRENCE.dump(b) for b in affected])
    added = blackouts.create_blackout(g.api_user, resource, data, on_bookings or "keep")
    return jsonify(BLACKOUT_ADDED.dump(added)), 201


@bp.delete("/resources/<id:resource_id>/blackouts/<id:blackout_id>")
@operation("Delete a maintenance blackout", response=BLACKOUT.ref, role=Role.SCHOOL_ADMIN, errors=(403,),
           description="The resource can be booked again then; bookings cancelled for it stay cancelled.")
def delete_blackout(resource_id: int, blackout_id: int):
    resource = _managed_resource(resource_id)
    blackout = blackouts.find_blackout(resource, blackout_id)
    if blackout is None:
        abort(404)
    shown = BLACKOUT.dump(blackout)
    blackouts.delete_blackout(g.api_user, blackout)
    return jsonify(shown)
