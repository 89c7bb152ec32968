"""POST /api/v1/users and PATCH /api/v1/users/<id>: the users pages' add and change (``users_admin.new_user``,
``users_admin.edit_user``) through the same services (``accounts.services.create_user``,
``update_user_by_admin``) and the same rules: an account within the caller's scope (``permissions.can_hold_account``);
a coordinator's district (``district_id``: only a county coordinator gives another district or none, which
makes a county coordinator), area and staff number (工号, what single sign-on matches people by).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts import services
from booking.accounts.checks import STAFF_NUMBER_LENGTH, UserInput
from booking.accounts.models import Role, User
from booking.accounts.passwords import MIN_PASSWORD_LENGTH
from booking.api import bp
from booking.api.core import USER
from booking.api.openapi import operation
from booking.api.shapes import ID, boolean, identifier, typed
from booking.extensions import db
from booking.i18n import LANGUAGE_NAMES
from booking.permissions import can_change_user
from booking.schools.models import School
from booking.validation import NotAllowed, ValidationFailed

MANAGED_USER = USER.extended("ManagedUser", {
    "district_id": identifier(nullable=True, description="A coordinator's district (学区); null with an empty `area`: "
                                                         "a county coordinator. Other roles: null (their school's)."),
    "staff_number": typed({"type": "string", "maxLength": STAFF_NUMBER_LENGTH}, nullable=True,
                          description="The staff number (工号) single sign-on recognises the person by."),
    "active": boolean(description="May sign in."),
})


def _nullable(definition: dict) -> dict:
    return {**definition, "type": [definition["type"], "null"]}


USER_PROPERTIES = {
    "email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 255},
    "display_name": {"type": "string", "minLength": 1, "maxLength": User.display_name.type.length},
    "role": {"type": "string", "enum": [role.value for role in Role]},
    "school_id": _nullable({**ID, "description": "Teachers and school admins belong to a school."}),
    "area": {"type": "string", "maxLength": 100, "description": "A coordinator's area (片区); empty: all of the "
                                                                 "district."},
    "district_id": _nullable({**ID, "description": "Coordinators only (ignored for other roles): their district; "
                                                  "null: a county coordinator. Only a county coordinator gives a "
                                                  "district other than their own."}),
    "staff_number": _nullable({"type": "string", "maxLength": STAFF_NUMBER_LENGTH}),
    "locale": {"type": "string", "enum": list(LANGUAGE_NAMES)},
    "password": {"type": "string", "minLength": MIN_PASSWORD_LENGTH, "maxLength": 1024},
    "active": {"type": "boolean"},
}
NEW_USER_BODY = {"type": "object", "additionalProperties": False, "required": ["email", "display_name", "role", "password"],
                 "properties": {name: value for name, value in USER_PROPERTIES.items() if name != "active"},
                 "description": "A new account is active; `district_id` omitted: the caller's own."}
USER_CHANGE_BODY = {"type": "object", "additionalProperties": False, "properties": USER_PROPERTIES,
                    "description": "Only the fields given change; `password` sets a new one (and signs the user out "
                                   "everywhere)."}
FIELD_NAMES = {"school": "school_id", "district": "district_id"}  # the services' field names → the body's
SCOPE = ("Coordinators, within their scope: an area coordinator the teachers and school admins of their area's "
         "schools and the coordinators of that area, a district's coordinator those of their district, a county "
         "coordinator everyone. The same checks and messages as the users pages. Audited.")


def _school_code(school_id) -> str | None:
    if school_id is None:
        return None
    school = db.session.get(School, school_id)
    if school is None:
        raise ValidationFailed({"school_id": "Unknown school."})
    return school.code


def _input(body: dict, start: UserInput) -> UserInput:
    """``start`` with the body's fields put over it (a checked body: ``USER_PROPERTIES``)."""
    values = dict(vars(start))
    for name in ("email", "display_name", "role", "area", "locale", "password", "district_id"):
        if name in body:
            values[name] = body[name]
    if "school_id" in body:
        values["school_code"] = _school_code(body["school_id"])
    if "staff_number" in body:
        values["staff_number"] = body["staff_number"] or ""
    return UserInput(**values)


def _saved(save):
    try:
        return save()
    except ValidationFailed as failed:
        raise ValidationFailed({FIELD_NAMES.get(name, name): message
                                for name, message in failed.errors.items()}) from failed


@bp.post("/users")
@operation("Add a user", response=MANAGED_USER.ref, request_body=NEW_USER_BODY, role=Role.COORDINATOR, status=201,
           description=SCOPE)
def create_user():
    body = request.get_json(silent=True)
    data = _input(body, UserInput("", "", Role.TEACHER.value, district_id=g.api_user.district_id))
    user = _saved(lambda: services.create_user(data, g.api_user))
    return jsonify(MANAGED_USER.dump(user)), 201


@bp.patch("/users/<id:user_id>")
@operation("Change a user", response=MANAGED_USER.ref, request_body=USER_CHANGE_BODY, role=Role.COORDINATOR,
           description=SCOPE + " Nobody deactivates or demotes themself, nor the county's last county coordinator.")
def change_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not can_change_user(g.api_user, user):
        abort(404)
    body = request.get_json(silent=True) or {}
    data = _input(body, UserInput.of(user))
    try:
        saved = _saved(lambda: services.update_user_by_admin(user, data, body.get("active", user.active), g.api_user))
    except NotAllowed:
        abort(404)
    return jsonify(MANAGED_USER.dump(saved))
