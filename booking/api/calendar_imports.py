"""Importing closures and term dates from an .ics calendar through the API: preview, then apply.

The page's two steps (booking.calendars.import_views) through the same functions
(``booking.calendars.import_requests`` and ``imports``): ``POST /calendar-imports/preview`` reads the
uploaded file (multipart part ``file`` or the raw ``text/calendar`` body) or downloads ``url``, and answers
what the import would add, change and remove, the bookings its closures fall on, and a ``payload`` signed by
the server; ``POST /calendar-imports`` imports exactly that payload, planned again against the database as it
is then. Who may import where: ``import_requests.may_import``, like the page.
"""
from __future__ import annotations

from enum import StrEnum

from flask import abort, current_app, g, jsonify, request
from flask_babel import force_locale

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import OCCURRENCE
from booking.api.core import ID, declared_query_values
from booking.api.openapi import operation, schema
from booking.api.params import EnumParam, IntParam, ParamError, QueryParam, TextParam, json_whole_number
from booking.api.shapes import Shape, boolean, clock, day, identifier, many, one, text, typed
from booking.api.uploads import Upload
from booking.bookings.hits import ON_BOOKINGS
from booking.calendars.ics_import import ImportProblems, read_events
from booking.calendars.import_requests import (BadPayload, apply_previewed, calendar_bytes, import_target, may_import,
                                               sign_import, signed_import)
from booking.calendars.imports import plan_import
from booking.errors import json_error
from booking.i18n import district_zone
from booking.validation import ValidationFailed


class CalendarImportKind(StrEnum):
    CLOSURES = "closures"
    TERMS = "terms"


class BoolParam(QueryParam):
    """true or false."""

    def parse(self, raw: str) -> bool:
        if raw not in ("true", "false"):
            raise ParamError(f"Give true or false, not {raw!r}.")
        return raw == "true"

    def schema(self) -> dict:
        return {"type": "boolean"}


WEEKDAY = {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."}
PREVIEW_PARAMS = (
    EnumParam("kind", "Import as closures (days nothing can be booked) or as the term dates.",
              default=CalendarImportKind.CLOSURES.value, enum=CalendarImportKind),
    IntParam("school_id", "Closures of this school; absent: of every school of district_id.", minimum=1),
    IntParam("district_id", "With no school_id: closures of this district's schools; absent: of the whole county.",
             minimum=1),
    BoolParam("remove_missing", "Remove what an earlier import into the same target added but this calendar no "
                                "longer has.", default=True),
    TextParam("url", "The calendar's web address (https, http or webcal), instead of a file.", max_length=2000),
)
UPLOAD = Upload(("text/calendar",), "An iCalendar (.ics) file, at most 1 MiB.", required=False)

BEFORE = Shape(None, {"title": text(), "start_date": day(), "end_date": day()})
CHANGE = Shape("CalendarImportChange", {
    "action": typed({"type": "string", "enum": ["add", "change", "remove", "keep"]}),
    "uid": text(description="The event's UID: an event imported before is changed in place."),
    "title": text(),
    "start_date": day("start"),
    "end_date": day("end"),
    "start_time": clock(nullable=True, description="A closure of this time range on its days; null: whole days."),
    "end_time": clock(nullable=True),
    "makeup": boolean(description="A make-up teaching day (补班), not a closure."),
    "follows_weekday": typed(WEEKDAY, "follows", nullable=True,
                             description="Make-up days: the weekday's timetable taught that day."),
    "follows_from_file": boolean(description="The file says the weekday; otherwise it may be chosen on apply."),
    "before": one(BEFORE, lambda change: None if change.before is None else dict(
        zip(("title", "start_date", "end_date"), change.before)), nullable=True,
        description="The stored values, for change and remove."),
})
TARGET_FIELDS = {
    "kind": text("target.kind"),
    "school_id": identifier("target.school_id", nullable=True, description="null: every school of district_id."),
    "district_id": identifier("target.district_id", nullable=True,
                              description="With school_id null: the district imported into; null: the county."),
    "remove_missing": boolean("target.remove_missing"),
    "changes": many(CHANGE),
}
PREVIEW = Shape("CalendarImportPreview", {
    **TARGET_FIELDS,
    "affected": many(OCCURRENCE, description="The active bookings the added or changed closures fall on: send "
                                             "their ids as `affected` with `on_bookings` to apply."),
    "payload": text(description="The previewed import, signed: send it unchanged to POST /calendar-imports."),
})
RESULT = Shape("CalendarImportResult", {
    **TARGET_FIELDS,
    "cancelled": many(OCCURRENCE, "decided.cancelled", description="Bookings cancelled for the closures."),
    "kept": many(OCCURRENCE, "decided.kept", description="Bookings on the closures that stay, flagged."),
})
APPLY_BODY = schema("CalendarImportRequest", {
    "type": "object", "required": ["payload"], "additionalProperties": False, "properties": {
        "payload": {"type": "string", "minLength": 1, "description": "The preview's `payload`, unchanged."},
        "on_bookings": {"type": "string", "enum": list(ON_BOOKINGS),
                        "description": "What to do with the bookings the closures fall on: required when any."},
        "affected": {"type": "array", "items": ID, "maxItems": 10000,
                     "description": "The ids of the preview's `affected` bookings: the choice counts for exactly "
                                    "these (409 when the bookings changed since)."},
        "makeup_weekdays": {"type": "array", "maxItems": 2000, "description": "The weekday each make-up day "
                            "whose file does not say follows.", "items": {
                                "type": "object", "required": ["uid", "weekday"], "additionalProperties": False,
                                "properties": {"uid": {"type": "string", "maxLength": 255}, "weekday": WEEKDAY}}},
    },
})


def _refuse_unless_allowed(target) -> None:
    if not may_import(g.api_user, target):
        abort(json_error(403, "Term dates are the county coordinators' to import; closures go to the schools or the "
                              "district you manage."))


def _problems(field: str, messages) -> None:
    with force_locale("en"):  # the API's messages are English, like json_error's
        raise ValidationFailed({field: " ".join(str(message) for message in messages)})


@bp.post("/calendar-imports/preview")
@operation("Preview an .ics calendar import: what it adds, changes and removes", response=PREVIEW.ref,
           query=PREVIEW_PARAMS, upload=UPLOAD, role=Role.COORDINATOR, errors=(403,),
           description="County coordinators (the term dates, the county's closures, any district's or school's); "
                       "a district's coordinator their district's and its schools' closures; an area coordinator "
                       "their schools'. Send the file (multipart part `file`, or the raw text/calendar "
                       "body) or give `url`, not both. Saves nothing. A file that cannot be read, or an import "
                       "that would be refused (terms overlapping, a term bookings use removed), answers 422 naming "
                       "`file` (or `url`).")
def preview_calendar_import():
    values = declared_query_values()
    target = import_target(str(values["kind"]), values["school_id"], values["remove_missing"], values["district_id"])
    _refuse_unless_allowed(target)
    uploaded = UPLOAD.read(request)
    try:
        events = read_events(calendar_bytes(uploaded.data if uploaded else None, values["url"] or "",
                                            current_app.config), district_zone())
    except ImportProblems as problems:
        _problems("url" if values["url"] and uploaded is None else "file", problems.messages)
    plan = plan_import(events, target)
    if plan.problems:
        _problems("file", plan.problems)
    payload = sign_import(events, target, current_app.config["SECRET_KEY"])
    return jsonify(PREVIEW.dump({"target": target, "changes": plan.changes, "affected": plan.affected,
                                 "payload": payload}))


@bp.post("/calendar-imports")
@operation("Apply a previewed .ics calendar import", response=RESULT.ref, request_body=APPLY_BODY,
           role=Role.COORDINATOR, errors=(403, 409),
           description="Those who may preview it. Imports the preview's `payload` all or nothing, planned again "
                       "against the database as it is now. When the closures fall on active bookings, `on_bookings` "
                       "(cancel or keep) and `affected` (the ids the preview listed) are needed; without them, or "
                       "when the bookings changed since the preview, answers 409 `affected_bookings` with the "
                       "bookings as they are now (`affected`, `changed`) and imports nothing.")
def apply_calendar_import():
    body = request.get_json(silent=True)  # valid against APPLY_BODY, checked before the view
    try:
        events, target = signed_import(body["payload"], current_app.config["SECRET_KEY"])
    except BadPayload:
        raise ValidationFailed({"payload": "Not a preview this server signed: send the `payload` of "
                                           "POST /calendar-imports/preview unchanged."}) from None
    _refuse_unless_allowed(target)
    weekdays = {entry["uid"]: json_whole_number(entry["weekday"]) for entry in body.get("makeup_weekdays", [])}
    applied = apply_previewed(events, target, g.api_user, body.get("on_bookings"),
                              _shown(body.get("affected")), weekdays)
    if applied.ask:
        return json_error(409, "The closures fall on active bookings: send on_bookings (cancel or keep) with the "
                               "ids of these bookings as affected.", error="affected_bookings",
                          changed=applied.changed, affected=[OCCURRENCE.dump(b) for b in applied.plan.affected])
    return jsonify(RESULT.dump({"target": target, "changes": applied.plan.changes, "decided": applied.plan.decided}))


def _shown(affected: list[int] | None) -> set[int] | None:
    """The ids the client says the preview listed."""
    return None if affected is None else {json_whole_number(booking_id) for booking_id in affected}
