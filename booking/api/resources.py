"""GET /api/v1/resources and /api/v1/resources/<id>: what a user may book, with its rules.

Visibility is the resources module's rule (``visible_resources_query``, ``can_see_resource``);
this module only parses strictly, pages and shapes the result.
"""
from __future__ import annotations

from flask import abort, g, jsonify

from booking.api import bp
from booking.api.core import (CLOCK_TIME, ID, INSTANT, PAGE_PARAMS, SCHOOL_REF_SCHEMA, clock_time,
                              declared_query_values, get_or_404, iso_instant, page_json, page_schema, paginate,
                              school_ref_json)
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.api.params import EnumParam, IntParam, TextParam
from booking.api.teachers import TEACHER_MEMBER, teacher_json
from booking.extensions import db
from booking.permissions import can_see_resource
from booking.resources.models import Category, Resource, ResourceKind, Sharing
from booking.resources.services import ResourceFilter, visible_resources_query
from booking.schools.models import School
from booking.validation import ValidationFailed

FILTER_PARAMS = (
    EnumParam("kind", "Only resources of this kind.", enum=ResourceKind),
    EnumParam("category", "Only resources of this category.", enum=Category),
    IntParam("school", "Only resources owned by the school with this id.", minimum=1),
    TextParam("q", "Only resources whose name contains this text.", max_length=100),
)

OPENING_HOURS_SCHEMA = schema("OpeningHours", obj({
    "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."},
    "opens": CLOCK_TIME,
    "closes": CLOCK_TIME,
}))

RULES_SCHEMA = schema("ResourceRules", obj({
    "sharing": enum_schema(Sharing),
    "approval_required": {"type": "boolean"},
    "min_duration_minutes": nullable({"type": "integer", "minimum": 1}),
    "max_duration_minutes": nullable({"type": "integer", "minimum": 1}),
    "max_advance_days": nullable({"type": "integer", "minimum": 0}),
}))

RESOURCE_SCHEMA = schema("Resource", obj({
    "id": ID,
    "name": {"type": "string"},
    "kind": enum_schema(ResourceKind),
    "category": enum_schema(Category),
    "subject": {"type": "string", "description": "Lab or teaching subject, e.g. physics or music; may be empty."},
    "location": {"type": "string"},
    "description": {"type": "string"},
    "owner_school": SCHOOL_REF_SCHEMA,
    "capacity": nullable({"type": "integer", "minimum": 1}),
    "stock": {"type": "integer", "minimum": 1, "description": "How many can be lent at once (equipment)."},
    "active": {"type": "boolean"},
    "opening_hours": {"type": "array", "items": OPENING_HOURS_SCHEMA},
    "rules": RULES_SCHEMA,
    "teacher": TEACHER_MEMBER,
    "created_at": INSTANT,
    "updated_at": INSTANT,
}))

RESOURCE_PAGE_SCHEMA = page_schema("ResourcePage", RESOURCE_SCHEMA)


def resource_json(resource: Resource) -> dict:
    return {
        "id": resource.id,
        "name": resource.name,
        "kind": resource.kind.value,
        "category": resource.category.value,
        "subject": resource.subject,
        "location": resource.location,
        "description": resource.description,
        "owner_school": school_ref_json(resource.owner_school),
        "capacity": resource.capacity,
        "stock": resource.stock,
        "active": resource.active,
        "opening_hours": [
            {"weekday": hours.weekday, "opens": clock_time(hours.opens), "closes": clock_time(hours.closes)}
            for hours in resource.opening_hours
        ],
        "rules": {
            "sharing": resource.sharing.value,
            "approval_required": resource.approval_required,
            "min_duration_minutes": resource.min_duration_minutes,
            "max_duration_minutes": resource.max_duration_minutes,
            "max_advance_days": resource.max_advance_days,
        },
        "teacher": teacher_json(resource),
        "created_at": iso_instant(resource.created_at),
        "updated_at": iso_instant(resource.updated_at),
    }


def resource_filter(values: dict) -> ResourceFilter:
    """The page's filter from strictly parsed values; an unknown school id is an error here, not a blank list."""
    if values["school"] is not None and db.session.get(School, values["school"]) is None:
        raise ValidationFailed({"school": f"No school has the id {values['school']}."})
    return ResourceFilter(kind=values["kind"], category=values["category"], school_id=values["school"],
                          q=values["q"] or None)


@bp.get("/resources")
@operation("Resources you may see, filtered and paged", response=RESOURCE_PAGE_SCHEMA,
           query=FILTER_PARAMS + PAGE_PARAMS,
           description="Shared resources of every school plus your own school's; coordinators see all. "
                       "Archived resources are left out.")
def resources():
    values = declared_query_values()
    query = visible_resources_query(g.api_user, resource_filter(values))
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(page_json([resource_json(item) for item in items], total, values["limit"], values["offset"]))


@bp.get("/resources/<int:resource_id>")
@operation("One resource with its opening hours and booking rules", response=RESOURCE_SCHEMA)
def resource_detail(resource_id: int):
    resource = get_or_404(Resource, resource_id)
    # A resource the user may not see answers exactly like one that does not exist.
    if not can_see_resource(g.api_user, resource):
        abort(404)
    return jsonify(resource_json(resource))
