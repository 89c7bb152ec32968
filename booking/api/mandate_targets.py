"""The coordinator's settings on the mandates page through the API: each term's mandate targets, and
whether visit requests confirm at once.

The same functions as the page (booking.teachers.admin_views): ``mandates.save_mandates`` and
``profiles.set_visits_auto_confirm``, both audited; who may: ``can_manage_district`` (district
coordinators), checked by the services themselves.
"""
from __future__ import annotations

from flask import g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.mandates import LINE
from booking.api.openapi import operation, schema
from booking.api.params import json_whole_number
from booking.api.shapes import Shape, boolean, identifier, many
from booking.bookings.errors import NotAllowed
from booking.errors import json_error
from booking.extensions import db
from booking.permissions import can_manage_district
from booking.schools.models import Term
from booking.teachers.mandates import MAX_REQUIRED, mandate_lines, save_mandates
from booking.teachers.profiles import set_visits_auto_confirm, visits_auto_confirm
from booking.validation import ValidationFailed

TARGETS = Shape("MandateTargets", {
    "term_id": identifier("id"),
    "mandates": many(LINE, mandate_lines, description="What each tied school must get in the term; the district's "
                                                      "defaults until a coordinator sets them."),
})
TARGETS_BODY = schema("MandateTargetsRequest", {
    "type": "object", "additionalProperties": False, "required": ["mandates"], "properties": {
        "mandates": {"type": "array", "maxItems": 100, "description": "Every mandate of the term (its `key` as GET "
                     "answers it) with the lessons it requires; 0 switches one off.", "items": {
                         "type": "object", "additionalProperties": False, "required": ["key", "required"],
                         "properties": {"key": {"type": "string", "maxLength": 100},
                                        "required": {"type": "integer", "minimum": 0, "maximum": MAX_REQUIRED}}}},
    },
})
VISIT_SETTINGS = Shape("VisitSettings", {
    "auto_confirm": boolean(description="true: visit requests confirm at once; false: they wait for the lead "
                                        "school's admin."),
})
VISIT_SETTINGS_BODY = {"type": "object", "additionalProperties": False, "required": ["auto_confirm"],
                       "properties": {"auto_confirm": {"type": "boolean"}}}
DISTRICT_ONLY = "Only district coordinators set this."


def _required_by_key(term: Term, given: list[dict]) -> dict[str, int]:
    """The body's numbers by mandate key; every key of the term exactly once, none other (else ValidationFailed)."""
    keys = [line.key for line in mandate_lines(term)]
    errors, chosen = {}, {}
    for index, entry in enumerate(given):
        if entry["key"] not in keys:
            errors[f"mandates[{index}].key"] = f"Not a mandate of this term; its mandates are: {', '.join(keys)}."
        elif entry["key"] in chosen:
            errors[f"mandates[{index}].key"] = "Given twice."
        chosen[entry["key"]] = json_whole_number(entry["required"])  # JSON Schema's integer includes 3.0
    missing = [key for key in keys if key not in chosen]
    if missing:
        errors["mandates"] = f"Give every mandate of the term; missing: {', '.join(missing)}."
    if errors:
        raise ValidationFailed(errors)
    return chosen


@bp.get("/terms/<id:term_id>/mandates")
@operation("A term's mandate targets", response=TARGETS.ref, role=Role.SCHOOL_ADMIN,
           description="The progress against them: GET /mandates.")
def mandate_targets(term_id: int):
    return jsonify(TARGETS.dump(db.get_or_404(Term, term_id)))


@bp.put("/terms/<id:term_id>/mandates")
@operation("Set a term's mandate targets", response=TARGETS.ref, request_body=TARGETS_BODY, role=Role.COORDINATOR,
           errors=(403,), description="District coordinators, as on the mandates page. Audited (`mandates.update`).")
def set_mandate_targets(term_id: int):
    term = db.get_or_404(Term, term_id)
    if not can_manage_district(g.api_user):
        return json_error(403, DISTRICT_ONLY)
    save_mandates(g.api_user, term, _required_by_key(term, request.get_json(silent=True)["mandates"]))
    return jsonify(TARGETS.dump(term))


@bp.get("/visit-settings")
@operation("Whether visit requests confirm at once", response=VISIT_SETTINGS.ref)
def visit_settings():
    return jsonify(VISIT_SETTINGS.dump({"auto_confirm": visits_auto_confirm()}))


@bp.put("/visit-settings")
@operation("Set whether visit requests confirm at once", response=VISIT_SETTINGS.ref,
           request_body=VISIT_SETTINGS_BODY, role=Role.COORDINATOR, errors=(403,),
           description="District coordinators. Every visiting teacher's resource follows: approval required or "
                       "not. Audited (`teacher.settings`).")
def set_visit_settings():
    try:
        set_visits_auto_confirm(g.api_user, request.get_json(silent=True)["auto_confirm"])
    except NotAllowed:
        return json_error(403, DISTRICT_ONLY)
    return jsonify(VISIT_SETTINGS.dump({"auto_confirm": visits_auto_confirm()}))
