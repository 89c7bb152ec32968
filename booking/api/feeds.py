"""POST/GET /api/v1/feeds and DELETE /api/v1/feeds/<id>: calendar subscriptions of the token's owner.

The rules (who may subscribe to what) live in booking.calendars; this module parses strictly and
shapes the answers. A feed's secret URL is in the POST answer only: it is never stored.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.api import bp
from booking.api.core import ID
from booking.api.openapi import enum_schema, nullable, operation
from booking.api.shapes import Shape, choice, identifier, instant, many, text, typed
from booking.api.params import json_whole_number
from booking.calendars import services
from booking.calendars.models import FeedScope, FeedToken
from booking.calendars.views import feed_links



def _target_name(feed: FeedToken) -> str:
    target = services.target_of(feed)
    return target.name if target else ""


FEED = Shape("Feed", {
    "id": identifier(),
    "scope": choice(FeedScope),
    "target_id": identifier(nullable=True),
    "name": text(_target_name, description="The calendar's name; empty when its target is no longer yours."),
    "hint": text(description="The secret's last four characters, to tell links apart."),
    "created_at": instant(),
    "revoked_at": instant(nullable=True),
})
FEED_LIST = Shape("FeedList", {"items": many(FEED)})
FEED_CREATED = Shape("FeedCreated", {
    "id": identifier("feed.id"),
    "url": typed({"type": "string", "format": "uri"}, lambda issued: feed_links(issued.secret)["url"],
                 description="The feed's address with its secret; shown only now."),
    "webcal_url": text(lambda issued: feed_links(issued.secret)["webcal"],
                       description="The same address as webcal://, which opens calendar apps."),
})
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


def _feed_request(body: dict) -> tuple[str, int | None]:
    """The scope and target id of a body valid against FEED_BODY (checked before the view)."""
    return body["scope"], json_whole_number(body.get("id"))


@bp.post("/feeds")
@operation("Subscribe to a calendar feed", response=FEED_CREATED.ref, request_body=FEED_BODY, status=201,
           description=SCOPES_DESCRIPTION + " The answer holds the secret URL; keep it, it is not shown again.")
def create_feed():
    scope, target_id = _feed_request(request.get_json(silent=True))
    return jsonify(FEED_CREATED.dump(services.create_feed(g.api_user, scope, target_id))), 201


@bp.get("/feeds")
@operation("Your active calendar feeds", response=FEED_LIST.ref)
def list_feeds():
    return jsonify(FEED_LIST.dump({"items": services.active_feeds(g.api_user)}))


@bp.delete("/feeds/<id:feed_id>")
@operation("Revoke a calendar feed: its URL answers 404 from now on", response=FEED.ref)
def revoke_feed(feed_id: int):
    feed = services.owned_feed(g.api_user, feed_id)
    if feed is None:
        abort(404)
    return jsonify(FEED.dump(services.revoke_feed(g.api_user, feed)))


@bp.post("/feeds/<id:feed_id>/regenerate")
@operation("Give a calendar feed a new secret URL: the old one answers 404 from now on", response=FEED_CREATED.ref,
           status=201, description="The same subscription under a new id; the answer holds the new secret URL "
                                   "(shown only now). A target no longer yours is a 422.")
def regenerate_feed(feed_id: int):
    feed = services.owned_feed(g.api_user, feed_id)
    if feed is None:
        abort(404)
    return jsonify(FEED_CREATED.dump(services.regenerate_feed(g.api_user, feed))), 201
