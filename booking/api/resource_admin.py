"""POST /api/v1/resources: add a resource, as the resources page's "new resource" form.

The page's path: ``booking.resources.services.create_resource`` checks the resource rules (kind and
category, a lab's subject, a facility's capacity, equipment's stock, opening hours …) and writes the audit
entry. Who may: school admins for their own school, coordinators for the schools they manage
(``permissions.can_manage_school``); another school answers 403. The body is the change body's fields
(``ResourceChange``), those a new resource needs required; absent ones take the form's defaults
(Monday to Friday 08:00–17:00, a stock of 1, shared with the district).
"""
from __future__ import annotations

from flask import g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.openapi import component_schemas, operation, schema
from booking.api.resources import RESOURCE, with_body
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_school
from booking.resources import services
from booking.resources.rules import ResourceInput
from booking.schools.models import School
from booking.validation import ValidationFailed

_CHANGE = component_schemas()["ResourceChange"]
NEW_RESOURCE_BODY = schema("ResourceRequest", {
    "type": "object", "additionalProperties": False, "required": ["kind", "category", "name", "owner_school_id"],
    "description": "A new resource; the fields left out take the new-resource form's defaults.",
    "properties": {name: value for name, value in _CHANGE["properties"].items() if name != "on_bookings"},
})


@bp.post("/resources")
@operation("Add a resource", response=RESOURCE.ref, request_body=NEW_RESOURCE_BODY, role=Role.SCHOOL_ADMIN,
           status=201, errors=(403,),
           description="Admins of the owner school and coordinators who manage it (403 for another school). The "
                       "resource rules answer 422 naming each field: a category of another kind, a lab without its "
                       "subject, a facility without a capacity, equipment without stock, overlapping opening hours. "
                       "Opening hours default to Monday to Friday 08:00–17:00; an empty list means always open.")
def add_resource():
    body = request.get_json(silent=True)
    owner = db.session.get(School, body["owner_school_id"])
    if owner is None:
        raise ValidationFailed({"owner_school_id": f"No school has the id {body['owner_school_id']}."})
    if not can_manage_school(g.api_user, owner.id):
        return json_error(403, "You can only add resources of the schools you manage.")
    # The form's defaults (stock 1, Monday to Friday 08:00–17:00 …) under the body's fields.
    data = with_body(ResourceInput(body["kind"], body["category"], body["name"], owner.id, stock=1), body)
    resource = services.create_resource(data, g.api_user)
    return jsonify(RESOURCE.dump(resource)), 201
