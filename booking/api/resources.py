"""GET /api/v1/resources and /api/v1/resources/<id>: what a user may book, with its rules; PATCH to change one.

Visibility is the resources module's rule (``visible_resources_query``, ``can_see_resource``);
this module only parses strictly, pages and shapes the result. A change that would break active
bookings answers 409 with them (nothing saved) until the body says ``on_bookings: cancel``.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.api import bp
from booking.api.core import PAGE_PARAMS, SCHOOL_REF, declared_query_values, paginate
from booking.api.openapi import enum_schema, operation, schema
from booking.api.params import EnumParam, IntParam, TextParam
from booking.accounts.models import Role
from booking.api.booking_json import OCCURRENCE, REFUSAL
from booking.api.params import MAX_ID, json_whole_number
from booking.api.shapes import Shape, boolean, choice, clock, identifier, instant, many, one, page_shape, paged, \
    text, typed
from booking.api.teachers import TEACHER_MEMBER_FIELD
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_school, can_see_resource
from booking.resources import edits
from booking.resources.models import Category, OutsideTerm, Resource, ResourceKind, Sharing
from booking.resources.rules import Window
from booking.resources import services
from booking.resources.services import ResourceFilter, resource_input, update_resource, visible_resources_query
from booking.schools.models import School
from booking.parsing import parse_clock
from booking.validation import ValidationFailed

FILTER_PARAMS = (
    EnumParam("kind", "Only resources of this kind.", enum=ResourceKind),
    EnumParam("category", "Only resources of this category.", enum=Category),
    IntParam("school", "Only resources owned by the school with this id.", minimum=1),
    TextParam("q", "Only resources whose name contains this text.", max_length=100),
)

WEEKDAY = {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."}
OPENING_HOURS = Shape("OpeningHours", {"weekday": typed(WEEKDAY), "opens": clock(), "closes": clock()},
                      additionalProperties=False)
OPENING_HOURS_SCHEMA = OPENING_HOURS.ref
POSITIVE = {"type": "integer", "minimum": 1}

RULES = Shape("ResourceRules", {
    "sharing": choice(Sharing),
    "approval_required": boolean(),
    "waitlist_weak_first": boolean(description="The waitlist serves weak schools' classes first."),
    "min_duration_minutes": typed(POSITIVE, nullable=True),
    "max_duration_minutes": typed(POSITIVE, nullable=True),
    "max_advance_days": typed({"type": "integer", "minimum": 0}, nullable=True),
    "outside_term": choice(OutsideTerm, lambda resource: resource.outside_term or OutsideTerm.CONFIRM,
                           description="A date in a gap between two terms: confirm (the booking needs "
                                       "`outside_term_ok`, else 422 `outside_term`), refuse (409) or allow."),
})

RESOURCE = Shape("Resource", {
    "id": identifier(),
    "name": text(),
    "kind": choice(ResourceKind),
    "category": choice(Category),
    "subject": text(description="Lab or teaching subject, e.g. physics or music; may be empty."),
    "location": text(),
    "description": text(),
    "owner_school": one(SCHOOL_REF),
    "capacity": typed(POSITIVE, nullable=True),
    "stock": typed({"type": "integer", "minimum": 1, "description": "How many can be lent at once (equipment)."}),
    "active": boolean(),
    "opening_hours": many(OPENING_HOURS),
    "rules": one(RULES, lambda resource: resource),
    "teacher": TEACHER_MEMBER_FIELD,
    "created_at": instant(),
    "updated_at": instant(),
})
RESOURCE_PAGE = page_shape("ResourcePage", RESOURCE)
resource_json = RESOURCE.dump  # the name other modules used before the shapes


def resource_filter(values: dict) -> ResourceFilter:
    """The page's filter from strictly parsed values; an unknown school id is an error here, not a blank list."""
    if values["school"] is not None and db.session.get(School, values["school"]) is None:
        raise ValidationFailed({"school": f"No school has the id {values['school']}."})
    return ResourceFilter(kind=values["kind"], category=values["category"], school_id=values["school"],
                          q=values["q"] or None)


@bp.get("/resources")
@operation("Resources you may see, filtered and paged", response=RESOURCE_PAGE.ref,
           query=FILTER_PARAMS + PAGE_PARAMS,
           description="Shared resources of every school plus your own school's; coordinators see all. "
                       "Archived resources are left out.")
def resources():
    values = declared_query_values()
    query = visible_resources_query(g.api_user, resource_filter(values))
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(paged(RESOURCE_PAGE, items, total, values))


@bp.get("/resources/<id:resource_id>")
@operation("One resource with its opening hours and booking rules", response=RESOURCE.ref)
def resource_detail(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    # A resource the user may not see answers exactly like one that does not exist.
    if not can_see_resource(g.api_user, resource):
        abort(404)
    return jsonify(RESOURCE.dump(resource))


# --- Changing a resource ------------------------------------------------------------------------

TEXT_FIELDS = ("kind", "category", "subject", "name", "location", "description", "sharing", "outside_term")
NUMBER_FIELDS = {"owner_school_id": 1, "capacity": 1, "stock": 1, "min_duration_minutes": 1,
                 "max_duration_minutes": 1, "max_advance_days": 0}  # field → smallest value
NULLABLE_NUMBERS = {"capacity", "min_duration_minutes", "max_duration_minutes", "max_advance_days"}

def _max_length(name: str) -> dict:
    """The column's length, as the write-time check enforces it (booking.db_setup)."""
    length = getattr(getattr(Resource, name).type, "length", None)
    return {"maxLength": length} if length else {}


RESOURCE_CHANGE_BODY = schema("ResourceChange", {
    "type": "object",
    "additionalProperties": False,
    "description": "Only the fields to change; the others keep their values.",
    "properties": {
        **{name: {"type": "string"} | _max_length(name) for name in TEXT_FIELDS},
        "kind": enum_schema(ResourceKind), "category": enum_schema(Category), "sharing": enum_schema(Sharing),
        "outside_term": {**enum_schema(OutsideTerm), "description": "Bookings in a gap between two terms."},
        **{name: ({"type": ["integer", "null"]} if name in NULLABLE_NUMBERS else {"type": "integer"})
           | {"minimum": minimum, "maximum": MAX_ID} for name, minimum in NUMBER_FIELDS.items()},
        "approval_required": {"type": "boolean"},
        "waitlist_weak_first": {"type": "boolean", "description": "The waitlist serves weak schools' classes first."},
        "opening_hours": {"type": "array", "items": OPENING_HOURS_SCHEMA,
                          "description": "Replaces every window; an empty list means always open."},
        "on_bookings": {"type": "string", "enum": ["cancel"],
                        "description": "Cancel the active bookings the change would break (each keeps the "
                                       "reason). Without it such a change answers 409 and saves nothing."},
    },
})
BROKEN_BOOKING = OCCURRENCE.extended("BrokenBooking", {
    "reasons": many(REFUSAL, "refusals",
                    description="The booking rules' refusals under the change: `{kind, start, end, booking_id, "
                                "message}`."),
}, under="booking")
RESOURCE_CHANGED = Shape("ResourceChanged", {
    "resource": one(RESOURCE),
    "cancelled": many(OCCURRENCE, description="Active bookings the change broke, cancelled as asked."),
    "confirmed": many(OCCURRENCE, description="Requests confirmed because the resource no longer needs approval."),
})


def _opening_hours(value: list) -> list[Window]:
    return [Window(json_whole_number(item["weekday"]), parse_clock(item["opens"]), parse_clock(item["closes"]))
            for item in value]


def resource_change(resource: Resource, body: dict) -> tuple:
    """The resource's values with the body's changes applied, and whether to cancel what they break.

    The body is valid against RESOURCE_CHANGE_BODY (checked before the view); what is left here is
    converting, and whom the resource may move to."""
    data = with_body(resource_input(resource), body)
    if "owner_school_id" in body and not can_manage_school(g.api_user, data.owner_school_id):
        raise ValidationFailed({"owner_school_id": "You may only move it to a school you manage."})
    return data, body.get("on_bookings") == "cancel"


def with_body(data, body: dict):
    """``data`` (a ResourceInput) with the fields ``body`` gives, converted."""
    for name in (*TEXT_FIELDS, "approval_required", "waitlist_weak_first"):
        if name in body:
            setattr(data, name, body[name])
    for name in NUMBER_FIELDS:
        if name in body:
            setattr(data, name, json_whole_number(body[name]))
    if "opening_hours" in body:
        data.opening_hours = _opening_hours(body["opening_hours"])
    return data


@bp.patch("/resources/<id:resource_id>")
@operation("Change a resource: its kind, stock, opening hours, sharing, approval rule …",
           response=RESOURCE_CHANGED.ref, request_body=RESOURCE_CHANGE_BODY, role=Role.SCHOOL_ADMIN, errors=(409,),
           description="Admins of the owner school and coordinators. The change is checked against the resource's "
                       "active bookings under its lock, so no booking slips in meanwhile. When it would break some "
                       "(over the new stock, overlapping once the resource is exclusive, outside the new opening "
                       "hours, of other schools once it is for its own school only …) and `on_bookings` is not "
                       "`cancel`, answers 409 `{\"error\": \"broken_bookings\", \"broken\": [occurrences with "
                       "`reasons`]}` and saves nothing; with `on_bookings: cancel` those bookings are cancelled, "
                       "each with the reason, in the same transaction. Requests that no longer need approval are "
                       "confirmed when they fit.")
def change_resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not can_see_resource(g.api_user, resource):
        abort(404)
    if not can_manage_school(g.api_user, resource.owner_school_id):
        abort(403)
    data, cancel = resource_change(resource, request.get_json(silent=True))
    try:
        saved = update_resource(resource, data, g.api_user, cancel_broken=cancel)
    except edits.BookingsBroken as refused:
        return json_error(409, "The change would break active bookings: send on_bookings cancel to cancel them.",
                          error="broken_bookings", broken=[BROKEN_BOOKING.dump(b) for b in refused.broken])
    return jsonify(RESOURCE_CHANGED.dump(saved))


ACTIVE_BODY = {"type": "object", "additionalProperties": False, "required": ["active"], "properties": {
    "active": {"type": "boolean", "description": "false archives it (no new bookings; its bookings and history "
                                                 "stay), true restores it."},
}}


@bp.put("/resources/<id:resource_id>/active")
@operation("Archive or restore a resource", response=RESOURCE.ref, request_body=ACTIVE_BODY,
           role=Role.SCHOOL_ADMIN, errors=(403,), description="Admins of the owner school and coordinators, as on "
                                                                "the resources page. Audited.")
def set_resource_active(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not can_manage_school(g.api_user, resource.owner_school_id):
        abort(403)
    services.set_resource_active(resource, request.get_json(silent=True)["active"], g.api_user)
    return jsonify(RESOURCE.dump(resource))
