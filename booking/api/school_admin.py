"""Administering schools through the API: add one, change it, archive or restore it, replace its bells.

The coordinator's pages' paths exactly: ``booking.schools.services`` (``create_school``, ``update_school``,
``set_school_active``, ``replace_bell_schedule``) checks the input and the area rules and writes the audit
entry; who may is ``permissions.can_manage_school`` (coordinators only, as on the pages; a school they do
not manage answers 404 like the pages). Every change names the ``version`` of the school it was made from
(GET /schools/{school_id}): a stale one answers 409 ``stale_version`` and changes nothing, and the write
itself is a compare-and-set on that version (``School.version``), so two changes at once cannot both win.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import CLOCK_TIME, ID
from booking.api.openapi import enum_schema, nullable, operation, schema
from booking.api.schools import SCHOOL_DETAIL
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_school
from booking.schools import rules, services
from booking.schools.models import School, Stage
from booking.validation import ValidationFailed

VERSION = {"type": "integer", "minimum": 1, "description": "The school's `version` as you read it (GET "
                                                           "/schools/{school_id}); a stale one answers 409."}
SCHOOL_FIELDS = {
    "code": {"type": "string", "minLength": 1, "maxLength": rules.CODE_MAX_LENGTH,
             "description": "Letters, digits, '-', '_' and '.', starting with a letter or digit; unique."},
    "name": {"type": "string", "minLength": 1, "maxLength": School.name.type.length},
    "stage": enum_schema(Stage),
    "enrollment": {"type": "integer", "minimum": 0, "maximum": rules.MAX_ENROLLMENT, "default": 0},
    "is_lead": {"type": "boolean", "default": False, "description": "The district's lead school (龙头学校)."},
    "is_weak": {"type": "boolean", "default": False, "description": "A weaker school the district supports."},
    "lead_school_id": {**nullable(ID), "description": "The active lead school it is tied to; null: none."},
    "area": {"type": "string", "maxLength": School.area.type.length,
             "description": "Its area (片区). A new school's default: an area coordinator's own area."},
    "address": {"type": "string", "maxLength": School.address.type.length},
}
NEW_SCHOOL_BODY = schema("SchoolRequest", {
    "type": "object", "required": ["code", "name", "stage"], "additionalProperties": False,
    "properties": SCHOOL_FIELDS,
})
SCHOOL_CHANGE_BODY = schema("SchoolChange", {
    "type": "object", "required": [*SCHOOL_FIELDS, "version"], "additionalProperties": False,
    "description": "Every field: the school as it is to be.",
    "properties": {**SCHOOL_FIELDS, "version": VERSION},
})
ACTIVE_BODY = schema("SchoolActiveRequest", {
    "type": "object", "required": ["active", "version"], "additionalProperties": False, "properties": {
        "active": {"type": "boolean", "description": "false deactivates it (no new bookings; its bookings, users "
                                                     "and history stay), true reactivates it."},
        "version": VERSION,
    },
})
BELL_PERIOD_ROW = {"type": "object", "required": ["start_time", "end_time"], "additionalProperties": False,
                   "properties": {"start_time": CLOCK_TIME, "end_time": CLOCK_TIME}}
BELLS_BODY = schema("BellScheduleRequest", {
    "type": "object", "required": ["periods", "version"], "additionalProperties": False, "properties": {
        "periods": {"type": "array", "items": BELL_PERIOD_ROW, "maxItems": 20,
                    "description": "Every period in order: the first is 第1节, the next 第2节 …; each ends after it "
                                   "starts and no later than the next one starts."},
        "version": VERSION,
    },
})
STALE = "The school changed since you read it: read it again (GET /schools/{school_id}) and retry."
FIELD_NAMES = {"lead_school_code": "lead_school_id"}


def managed_school_or_404(school_id: int) -> School:
    """A school the caller manages; another one answers as if there were none (as on the pages)."""
    school = db.get_or_404(School, school_id)
    if not can_manage_school(g.api_user, school.id):
        abort(404)
    return school


def school_to_change(school_id: int) -> tuple[School, dict]:
    """The school the caller manages and the body, once the body names the school's stored version (a stale
    one stops the request: 409 ``stale_version`` with the stored version)."""
    school = managed_school_or_404(school_id)
    body = request.get_json(silent=True)  # valid against the operation's schema: it has a version
    if body["version"] != school.version:
        abort(json_error(409, STALE, error="stale_version", version=school.version))
    return school, body


def renamed(failed: ValidationFailed, names) -> ValidationFailed:
    """The service's field names as the API's body names them (``names``: a mapping, or a function of a key)."""
    rename = names.get if isinstance(names, dict) else names
    return ValidationFailed({rename(key) or key: message for key, message in failed.errors.items()})


def _lead_school_code(body: dict) -> str | None:
    lead_id = body.get("lead_school_id")
    if lead_id is None:
        return None
    lead = db.session.get(School, lead_id)
    if lead is None:
        raise ValidationFailed({"lead_school_id": f"No school has the id {lead_id}."})
    return lead.code


def school_input(body: dict) -> services.SchoolInput:
    """The page's input from a body valid against its schema; absent optional fields take the page's defaults."""
    return services.SchoolInput(
        code=body["code"], name=body["name"], stage=body["stage"], enrollment=body.get("enrollment", 0),
        is_lead=body.get("is_lead", False), is_weak=body.get("is_weak", False),
        lead_school_code=_lead_school_code(body), area=body.get("area", g.api_user.area or ""),
        address=body.get("address", ""))


def _saved(save):
    try:
        return save()
    except ValidationFailed as failed:
        raise renamed(failed, FIELD_NAMES) from None


@bp.post("/schools")
@operation("Add a school", response=SCHOOL_DETAIL.ref, request_body=NEW_SCHOOL_BODY, role=Role.COORDINATOR,
           status=201, description="As the schools page: an area coordinator adds schools to their own area, tied "
                                   "to a lead school of it (422 naming `area` or `lead_school_id` otherwise). The "
                                   "code must be unused.")
def add_school():
    body = request.get_json(silent=True)
    school = _saved(lambda: services.create_school(school_input(body), g.api_user))
    return jsonify(SCHOOL_DETAIL.dump(school)), 201


def school_change(path: str, summary: str, body: dict, description: str):
    """A PUT of ``/schools/{school_id}`` + ``path``: coordinators who manage the school, a body naming its
    version (409 when stale); the view changes the school (given with the body), the answer shows it."""
    declared = operation(summary, response=SCHOOL_DETAIL.ref, request_body=body, role=Role.COORDINATOR,
                         errors=(409,), description=description)

    def decorator(change):
        @wraps(change)
        def view(school_id: int):
            school, body = school_to_change(school_id)
            change(school, body)
            return jsonify(SCHOOL_DETAIL.dump(school))

        return bp.put(f"/schools/<id:school_id>{path}")(declared(view))

    return decorator


@school_change("", "Change a school's details", SCHOOL_CHANGE_BODY,
               "Coordinators who manage the school (others: 404). A lead school with active tied schools "
               "stays a lead school (422 `is_lead`). A stale `version` answers 409 `stale_version` with the "
               "stored `version`, saving nothing.")
def change_school(school: School, body: dict):
    _saved(lambda: services.update_school(school, school_input(body), g.api_user))


@school_change("/active", "Deactivate or reactivate a school", ACTIVE_BODY,
               "Never deletes: a deactivated school takes no new bookings and its resources leave the "
               "lists; its bookings, users and history stay. A lead school with active tied schools is "
               "not deactivated (422 `active`). A stale `version` answers 409 `stale_version`.")
def set_school_active(school: School, body: dict):
    services.set_school_active(school, body["active"], g.api_user)


def _bell_field(key: str) -> str:
    """``periods-0-start`` (the page's input) as ``periods[0].start_time``."""
    parts = key.split("-")
    if len(parts) != 3:
        return key
    return f"periods[{parts[1]}]." + {"start": "start_time", "end": "end_time"}.get(parts[2], parts[2])


@school_change("/bells", "Replace a school's bell schedule", BELLS_BODY,
               "All periods at once, as the bells page: numbered 1, 2, 3 … in the order given; each must "
               "end after it starts and before the next starts (422 naming `periods[i].end_time`). A stale "
               "`version` answers 409 `stale_version`; a saved schedule makes a new version.")
def replace_bells(school: School, body: dict):
    rows = [rules.PeriodRow(number, row["start_time"], row["end_time"])
            for number, row in enumerate(body["periods"], start=1)]
    try:
        services.replace_bell_schedule(school, rows, g.api_user)
    except ValidationFailed as failed:
        raise renamed(failed, _bell_field) from None
