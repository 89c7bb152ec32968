"""The signed-in person's notifications through the API: the list, and marking them read.

GET /notifications (newest first; ``show=unread`` for the unread ones), POST /notifications/read with
``{"ids": [...]}`` or ``{"all": true}``; GET/PUT /notifications/settings (email on/off, the reminder).
The words are in the caller's language (their profile's). Robots are set up on the pages only (their
addresses are secrets, never sent back).
"""
from __future__ import annotations

from enum import StrEnum

from flask import g, jsonify, request
from flask_babel import force_locale

from booking.api import bp
from booking.api.core import ID, PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import operation
from booking.api.shapes import Shape, boolean, choice, identifier, instant, many, page_shape, paged, text, typed
from booking.api.params import EnumParam
from booking.digests.render import locale_of
from booking.notifications import services
from booking.notifications.models import NotificationKind
from booking.notifications.services import REMINDER_CHOICES
from booking.validation import ValidationFailed

MARK_MAX = 200


class Show(StrEnum):
    ALL = "all"
    UNREAD = "unread"


NOTIFICATION = Shape("Notification", {
    "id": identifier(),
    "kind": choice(NotificationKind),
    "headline": text(lambda notification: services.describe(notification)["headline"],
                     description="What happened, in the caller's language."),
    "lines": many({"type": "string"}, lambda notification: services.describe(notification)["lines"],
                  description="Where, when, why."),
    "booking_id": identifier(nullable=True),
    "created_at": instant(),
    "read_at": instant(nullable=True),
})
NOTIFICATION_PAGE = page_shape("NotificationPage", NOTIFICATION)
LIST_PARAMS = (EnumParam("show", "All notifications, or only the unread ones.", default="all", enum=Show),) + PAGE_PARAMS
MARK_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "ids": {"type": "array", "items": ID,
            "description": f"Up to {MARK_MAX} notifications of yours to mark read (others' and unknown ones are "
                           "ignored)."},
    "all": {"type": "boolean", "description": "true: mark every notification of yours read."},
}}
COUNT = {"type": "integer", "minimum": 0}
MARKED = Shape("NotificationsMarked", {
    "marked": typed(COUNT, description="How many were unread and are now read."),
    "unread": typed(COUNT, description="How many are still unread."),
})


@bp.get("/notifications")
@operation("Your notifications, newest first", response=NOTIFICATION_PAGE.ref, query=LIST_PARAMS,
           description="What happened to your bookings (approved, rejected, displaced, cancelled or changed by "
                       "someone else, released, hit by a closure, waitlist offers, reminders).")
def list_notifications():
    values = declared_query_values()
    query = services.notifications_query(g.api_user, unread_only=values["show"] == Show.UNREAD)
    items, total = paginate(query, values["limit"], values["offset"])
    with force_locale(locale_of(g.api_user)):
        return jsonify(paged(NOTIFICATION_PAGE, items, total, values))


@bp.post("/notifications/read")
@operation("Mark notifications read", response=MARKED.ref, request_body=MARK_BODY,
           description="Give `ids` (your notifications to mark) or `all: true`. Marking one already read "
                       "changes nothing.")
def mark_notifications_read():
    body = request.get_json(silent=True) or {}  # valid against MARK_BODY, checked before the view
    if body.get("all") is True:
        marked = services.mark_read(g.api_user)
    elif body.get("ids") and len(body["ids"]) > MARK_MAX:
        raise ValidationFailed({"ids": f"At most {MARK_MAX} ids at once."})
    elif body.get("ids"):
        marked = services.mark_read(g.api_user, sorted(set(body["ids"])))
    else:
        raise ValidationFailed({"ids": "Give the ids to mark read, or \"all\": true."})
    return jsonify(MARKED.dump({"marked": marked, "unread": services.unread_count(g.api_user)}))


SETTINGS = Shape("NotificationSettings", {
    "email": boolean(description="Email each notification (on by default)."),
    "reminder_minutes": typed({"type": ["integer", "null"], "enum": [*REMINDER_CHOICES, None],
                               "description": "A reminder this many minutes before each of your bookings; "
                                              "null: none."}),
})
SETTINGS_BODY = {"type": "object", "additionalProperties": False, "required": ["email", "reminder_minutes"],
                 "properties": SETTINGS.definition["properties"]}


@bp.get("/notifications/settings")
@operation("How you are told: email, and a reminder before each booking", response=SETTINGS.ref)
def notification_settings():
    return jsonify(SETTINGS.dump(services.settings_of(g.api_user)))


@bp.put("/notifications/settings")
@operation("Set how you are told", response=SETTINGS.ref, request_body=SETTINGS_BODY)
def set_notification_settings():
    body = request.get_json(silent=True)  # valid against SETTINGS_BODY, checked before the view
    services.save_settings(g.api_user, body["email"], body["reminder_minutes"], g.api_user)
    return jsonify(SETTINGS.dump(services.settings_of(g.api_user)))
