"""POST/GET /api/v1/feeds and DELETE /api/v1/feeds/<id>: calendar subscriptions of the token's owner.

The rules (who may subscribe to what) live in booking.calendars; this module parses strictly and
shapes the answers. A feed's secret URL is in the POST answer only: it is never stored.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.api import bp
from booking.api.core import ID, INSTANT, iso_instant
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.api.params import json_whole_number
from booking.calendars import services
from booking.calendars.models import FeedScope, FeedToken
from booking.calendars.views import feed_links

FEED_SCHEMA = schema("Feed", obj({
    "id": ID,
    "scope": enum_schema(FeedScope),
    "target_id": nullable(ID),
    "name": {"type": "string", "description": "The calendar's name; empty when its target is no longer yours."},
    "hint": {"type": "string", "description": "The secret's last four characters, to tell links apart."},
    "created_at": INSTANT,
    "revoked_at": nullable(INSTANT),
}))
FEED_LIST_SCHEMA = schema("FeedList", obj({"items": {"type": "array", "items": FEED_SCHEMA}}))
FEED_CREATED_SCHEMA = schema("FeedCreated", obj({
    "id": ID,
    "url": {"type": "string", "format": "uri", "description": "The feed's address with its secret; shown only now."},
    "webcal_url": {"type": "string", "description": "The same address as webcal://, which opens calendar apps."},
}))
FEED_BODY = {
    "type": "object", "additionalProperties": False, "required": ["scope"],
    "properties": {
        "scope": enum_schema(FeedScope),
        "id": {**nullable(ID), "description": "The user, resource, school or teacher (resource) id; "
                                              "none for district, yours for user."},
    },
}
SCOPES_DESCRIPTION = (
    "Scopes: `user` (your bookings), `resource`, `teacher` (a visiting teacher's resource), `school` (bookings "
    "at and by your school; coordinators any school), `district` (coordinators: bookings starting from "
    "DISTRICT_FEED_WEEKS_BACK weeks back to DISTRICT_FEED_WEEKS_AHEAD weeks ahead, 4 and 12 by default, at most "
    "DISTRICT_FEED_MAX_EVENTS events, 5000 by default, the earliest first, with a marker event when more were left "
    "out). A resource or school feed shows "
    "other schools' bookings as \"booked by <school>\" unless you may see their details."
)


def feed_json(feed: FeedToken) -> dict:
    return {"id": feed.id, "scope": feed.scope.value, "target_id": feed.target_id,
            "name": (target.name if (target := services.target_of(feed)) else ""), "hint": feed.hint,
            "created_at": iso_instant(feed.created_at), "revoked_at": iso_instant(feed.revoked_at)}


def _feed_request(body: dict) -> tuple[str, int | None]:
    """The scope and target id of a body valid against FEED_BODY (checked before the view)."""
    return body["scope"], json_whole_number(body.get("id"))


@bp.post("/feeds")
@operation("Subscribe to a calendar feed", response=FEED_CREATED_SCHEMA, request_body=FEED_BODY, status=201,
           description=SCOPES_DESCRIPTION + " The answer holds the secret URL; keep it, it is not shown again.")
def create_feed():
    scope, target_id = _feed_request(request.get_json(silent=True))
    issued = services.create_feed(g.api_user, scope, target_id)
    links = feed_links(issued.secret)
    return jsonify({"id": issued.feed.id, "url": links["url"], "webcal_url": links["webcal"]}), 201


@bp.get("/feeds")
@operation("Your active calendar feeds", response=FEED_LIST_SCHEMA)
def list_feeds():
    return jsonify({"items": [feed_json(feed) for feed in services.active_feeds(g.api_user)]})


@bp.delete("/feeds/<id:feed_id>")
@operation("Revoke a calendar feed: its URL answers 404 from now on", response=FEED_SCHEMA)
def revoke_feed(feed_id: int):
    feed = services.owned_feed(g.api_user, feed_id)
    if feed is None:
        abort(404)
    return jsonify(feed_json(services.revoke_feed(g.api_user, feed)))
