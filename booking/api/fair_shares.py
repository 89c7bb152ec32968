"""Priority booking windows, term quotas and quota exceptions (booking.quotas) in the API.

Coordinators read their district's settings (a county coordinator's ``district``: ``quotas.districts``); its
coordinators write windows and quotas; coordinators grant exceptions to the schools they manage (audited).
Anyone who may see a resource reads its fair-share standing for their school: the window and the hours used
against each term quota, what the booking form shows.
A booking past the window answers 409 with a `not_open_yet` conflict naming the day it opens; one over a
quota a `quota` conflict.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import ID, declared_query_values
from booking.api.openapi import operation, schema
from booking.api.shapes import Shape, boolean, identifier, instant, many, one, text, typed
from booking.api.params import IntParam
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import can_grant_quota_exception, can_manage_school, can_see_resource, can_set_fair_shares
from booking.quotas import services, settings
from booking.quotas.models import MAX_QUOTA_HOURS, MAX_WINDOW_DAYS, QuotaException, TermQuota
from booking.resources.models import Category, Resource
from booking.schools.models import School
from booking.quotas.districts import settings_district

DAYS = {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW_DAYS}
HOURS = {"type": "number", "minimum": 0, "maximum": MAX_QUOTA_HOURS}
CATEGORY = {"type": ["string", "null"], "enum": [c.value for c in Category] + [None]}
SCOPE_DESCRIPTION = "Give `resource_id` or `category` (not both); neither is the district's default (windows only)."

WINDOW = Shape("BookingWindow", {
    "id": identifier(), "category": typed(CATEGORY), "resource_id": identifier(nullable=True),
    "weak_days": typed(DAYS, nullable=True), "other_days": typed(DAYS, nullable=True),
    "owner_days": typed(DAYS, nullable=True),
}, description="Days ahead a booking opens for classes of weak schools, of other schools and of the owner school; "
               "an empty field takes the broader level's (resource → category → district).")
QUOTA = Shape("TermQuota", {
    "id": identifier(), "category": typed(CATEGORY), "resource_id": identifier(nullable=True),
    "hours": typed(HOURS, nullable=True), "hours_per_100": typed(HOURS, nullable=True),
    "owner_hours": typed(HOURS, nullable=True),
}, description="Hours per school per term: `hours`, else `hours_per_100` × enrollment / 100; the owner school's "
               "use of its own resources against `owner_hours` (null: not limited).")
EXCEPTION = Shape("QuotaException", {
    "id": identifier(), "quota_id": identifier(), "school_id": identifier(), "term_id": identifier(),
    "extra_hours": typed(HOURS), "reason": text(), "granted_by_id": identifier(nullable=True), "created_at": instant(),
})
SETTINGS = Shape("FairShares", {"windows": many(WINDOW), "quotas": many(QUOTA), "exceptions": many(EXCEPTION)})
QUOTA_USE = Shape(None, {
    "quota_id": identifier("quota.id"), "scope": text(), "term_id": identifier("term.id"), "term": text("term.name"),
    "used_hours": typed({"type": "number"}, lambda use: round(use.used_minutes / 60, 2)),
    "limit_hours": typed({"type": "number"}, lambda use: round(use.limit_minutes / 60, 2)),
    "own_use": boolean(),
})
STANDING = Shape("FairShareStanding", {
    "school_id": identifier("school.id", nullable=True),
    "window_days": typed(DAYS, "window.days", nullable=True),
    "last_open_day": typed({"type": ["string", "null"], "format": "date",
                            "description": "The last date the school may book today (district time)."},
                           "window.last_day", convert=lambda last: last.isoformat()),
    "quotas": many(QUOTA_USE),
})
# PUT answers: the setting as saved, or null once all its figures are cleared.
WINDOW_SAVED = Shape(None, {"window": one(WINDOW, nullable=True)})
QUOTA_SAVED = Shape(None, {"quota": one(QUOTA, nullable=True)})


def _nullable_body(definition: dict) -> dict:
    return {**definition, "type": [definition["type"], "null"]}


WINDOW_BODY = schema("BookingWindowRequest", {
    "type": "object", "additionalProperties": False,
    "description": SCOPE_DESCRIPTION + " All three fields null (or absent) removes the setting.",
    "properties": {"category": CATEGORY, "resource_id": _nullable_body(ID), "weak_days": _nullable_body(DAYS),
                   "other_days": _nullable_body(DAYS), "owner_days": _nullable_body(DAYS)},
})
QUOTA_BODY = schema("TermQuotaRequest", {
    "type": "object", "additionalProperties": False,
    "description": SCOPE_DESCRIPTION + " All three figures null (or absent) removes the quota.",
    "properties": {"category": CATEGORY, "resource_id": _nullable_body(ID), "hours": _nullable_body(HOURS),
                   "hours_per_100": _nullable_body(HOURS), "owner_hours": _nullable_body(HOURS)},
})
EXCEPTION_BODY = schema("QuotaExceptionRequest", {
    "type": "object", "additionalProperties": False, "required": ["quota_id", "school_id", "term_id", "extra_hours",
                                                                  "reason"],
    "properties": {"quota_id": ID, "school_id": ID, "term_id": ID,
                   "extra_hours": {"type": "number", "minimum": 0, "maximum": MAX_QUOTA_HOURS,
                                   "description": "More than 0."},
                   "reason": {"type": "string", "minLength": 1, "maxLength": 500}},
})


DISTRICT_PARAM = (IntParam("district", "The district whose settings: county coordinators choose any (omitted: the "
                                        "installation's first); everyone else has their own district's only.",
                            minimum=1),)


def _district_id() -> int:
    """The caller's district; a county coordinator's ``district`` (404: not one the caller may see)."""
    district = settings_district(g.api_user, declared_query_values()["district"])
    if district is None:
        abort(404)
    return district.id


def _may_set() -> int:
    district_id = _district_id()
    if not can_set_fair_shares(g.api_user, district_id):
        abort(403)
    return district_id


@bp.get("/fair-shares")
@operation("Booking windows, term quotas and exceptions", response=SETTINGS.ref, role=Role.COORDINATOR,
           errors=(404,), query=DISTRICT_PARAM,
           description="The district's settings; exceptions of the schools the caller manages.")
def fair_shares():
    district_id = _district_id()
    exceptions = db.session.scalars(db.select(QuotaException).join(TermQuota).where(
        TermQuota.district_id == district_id).order_by(QuotaException.id))
    granted = [row for row in exceptions if can_grant_quota_exception(g.api_user, row.school_id)]
    return jsonify(SETTINGS.dump({"windows": settings.list_windows(district_id),
                                  "quotas": settings.list_quotas(district_id), "exceptions": granted}))


@bp.put("/fair-shares/windows")
@operation("Set a booking window", response=WINDOW_SAVED.ref,
           request_body=WINDOW_BODY, errors=(404,), query=DISTRICT_PARAM,
           role=Role.COORDINATOR, description="The district's coordinators. Audited. " + SCOPE_DESCRIPTION)
def put_window():
    district_id = _may_set()
    body = request.get_json(silent=True)
    row = settings.set_window(g.api_user, district_id, body, body.get("resource_id"), body.get("category"))
    return jsonify(WINDOW_SAVED.dump({"window": row}))


@bp.put("/fair-shares/quotas")
@operation("Set a term quota", response=QUOTA_SAVED.ref, request_body=QUOTA_BODY, query=DISTRICT_PARAM,
           role=Role.COORDINATOR, errors=(404,),
           description="The district's coordinators. Audited. " + SCOPE_DESCRIPTION)
def put_quota():
    district_id = _may_set()
    body = request.get_json(silent=True)
    row = settings.set_quota(g.api_user, district_id, body, body.get("resource_id"), body.get("category"))
    return jsonify(QUOTA_SAVED.dump({"quota": row}))


@bp.post("/fair-shares/exceptions")
@operation("Grant a quota exception", response=EXCEPTION.ref, request_body=EXCEPTION_BODY, role=Role.COORDINATOR,
           status=201, errors=(404,), query=DISTRICT_PARAM,
           description="Extra hours for one school against one quota in one term, with the reason; coordinators of "
                       "that school. Audited (`quota.exception`).")
def post_exception():
    body = request.get_json(silent=True)
    quota = db.session.get(TermQuota, int(body["quota_id"]))
    if quota is None or quota.district_id != _district_id():
        abort(404)
    row = settings.grant_exception(g.api_user, quota, body["school_id"], body["term_id"], body["extra_hours"],
                                   body["reason"])
    return jsonify(EXCEPTION.dump(row)), 201


@bp.get("/resources/<id:resource_id>/fair-share")
@operation("A school's booking window and term quotas for a resource", response=STANDING.ref,
           query=(IntParam("school", "Another school than the caller's (one the caller manages).", minimum=1),),
           description="What the booking form says: how far ahead the school may book and the hours it has used. "
                       "Coordinators book outside the windows; for them `window_days` is the school's all the same.")
def fair_share_standing(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    if not can_see_resource(g.api_user, resource):
        abort(404)
    school_id = declared_query_values()["school"] or g.api_user.school_id
    if school_id is not None and school_id != g.api_user.school_id and not can_manage_school(g.api_user, school_id):
        abort(403)
    school = db.session.get(School, school_id) if school_id else None
    if school_id is not None and school is None:
        abort(404)
    today = local_today()
    return jsonify(STANDING.dump({"school": school, "window": services.window_notice(resource, school, today),
                                  "quotas": services.usage_on(resource, school, today)}))
