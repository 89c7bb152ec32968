"""Priority booking windows, term quotas and quota exceptions (booking.quotas) in the API.

Coordinators read the settings; district coordinators write windows and quotas; coordinators grant
exceptions to the schools they manage (audited). Anyone who may see a resource reads its fair-share
standing for their school: the window and the hours used against each term quota, what the booking form shows.
A booking past the window answers 409 with a `not_open_yet` conflict naming the day it opens; one over a
quota a `quota` conflict.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import ID, INSTANT, declared_query_values, iso_instant
from booking.api.openapi import nullable, obj, operation, schema
from booking.api.params import IntParam
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import can_grant_quota_exception, can_manage_school, can_see_resource, can_set_fair_shares
from booking.quotas import services
from booking.quotas.models import MAX_QUOTA_HOURS, MAX_WINDOW_DAYS, BookingWindow, QuotaException, TermQuota
from booking.resources.models import Category, Resource
from booking.schools.models import School
from booking.schools.services import current_district

DAYS = {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW_DAYS}
HOURS = {"type": "number", "minimum": 0, "maximum": MAX_QUOTA_HOURS}
CATEGORY = {"type": ["string", "null"], "enum": [c.value for c in Category] + [None]}
SCOPE_DESCRIPTION = "Give `resource_id` or `category` (not both); neither is the district's default (windows only)."

WINDOW_SCHEMA = schema("BookingWindow", obj({
    "id": ID, "category": CATEGORY, "resource_id": nullable(ID),
    "weak_days": nullable(DAYS), "other_days": nullable(DAYS), "owner_days": nullable(DAYS),
}, description="Days ahead a booking opens for classes of weak schools, of other schools and of the owner school; "
               "an empty field takes the broader level's (resource → category → district)."))
QUOTA_SCHEMA = schema("TermQuota", obj({
    "id": ID, "category": CATEGORY, "resource_id": nullable(ID),
    "hours": nullable(HOURS), "hours_per_100": nullable(HOURS), "owner_hours": nullable(HOURS),
}, description="Hours per school per term: `hours`, else `hours_per_100` × enrollment / 100; the owner school's "
               "use of its own resources against `owner_hours` (null: not limited)."))
EXCEPTION_SCHEMA = schema("QuotaException", obj({
    "id": ID, "quota_id": ID, "school_id": ID, "term_id": ID, "extra_hours": HOURS, "reason": {"type": "string"},
    "granted_by_id": nullable(ID), "created_at": INSTANT,
}))
SETTINGS_SCHEMA = schema("FairShares", obj({
    "windows": {"type": "array", "items": WINDOW_SCHEMA},
    "quotas": {"type": "array", "items": QUOTA_SCHEMA},
    "exceptions": {"type": "array", "items": EXCEPTION_SCHEMA},
}))
STANDING_SCHEMA = schema("FairShareStanding", obj({
    "school_id": nullable(ID),
    "window_days": nullable(DAYS),
    "last_open_day": {"type": ["string", "null"], "format": "date",
                      "description": "The last date the school may book today (district time)."},
    "quotas": {"type": "array", "items": obj({
        "quota_id": ID, "scope": {"type": "string"}, "term_id": ID, "term": {"type": "string"},
        "used_hours": {"type": "number"}, "limit_hours": {"type": "number"}, "own_use": {"type": "boolean"},
    })},
}))


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


def window_json(row: BookingWindow) -> dict:
    return {"id": row.id, "category": row.category, "resource_id": row.resource_id, "weak_days": row.weak_days,
            "other_days": row.other_days, "owner_days": row.owner_days}


def quota_json(row: TermQuota) -> dict:
    return {"id": row.id, "category": row.category, "resource_id": row.resource_id, "hours": row.hours,
            "hours_per_100": row.hours_per_100, "owner_hours": row.owner_hours}


def exception_json(row: QuotaException) -> dict:
    return {"id": row.id, "quota_id": row.quota_id, "school_id": row.school_id, "term_id": row.term_id,
            "extra_hours": row.extra_hours, "reason": row.reason, "granted_by_id": row.granted_by_id,
            "created_at": iso_instant(row.created_at)}


def _district_id() -> int:
    district = current_district()
    if district is None:
        abort(404)
    return district.id


def _may_set() -> None:
    if not can_set_fair_shares(g.api_user):
        abort(403)


@bp.get("/fair-shares")
@operation("Booking windows, term quotas and exceptions", response=SETTINGS_SCHEMA, role=Role.COORDINATOR,
           errors=(404,), description="The district's settings; exceptions of the schools the caller manages.")
def fair_shares():
    district_id = _district_id()
    exceptions = db.session.scalars(db.select(QuotaException).join(TermQuota).where(
        TermQuota.district_id == district_id).order_by(QuotaException.id))
    return jsonify({"windows": [window_json(w) for w in services.list_windows(district_id)],
                    "quotas": [quota_json(q) for q in services.list_quotas(district_id)],
                    "exceptions": [exception_json(e) for e in exceptions
                                   if can_grant_quota_exception(g.api_user, e.school_id)]})


@bp.put("/fair-shares/windows")
@operation("Set a booking window", response=obj({"window": {"oneOf": [WINDOW_SCHEMA, {"type": "null"}]}}),
           request_body=WINDOW_BODY, errors=(404,),
           role=Role.COORDINATOR, description="District coordinators. Audited. " + SCOPE_DESCRIPTION)
def put_window():
    _may_set()
    body = request.get_json(silent=True)
    row = services.set_window(g.api_user, _district_id(), body, body.get("resource_id"), body.get("category"))
    return jsonify({"window": window_json(row) if row else None})


@bp.put("/fair-shares/quotas")
@operation("Set a term quota", response=obj({"quota": {"oneOf": [QUOTA_SCHEMA, {"type": "null"}]}}), request_body=QUOTA_BODY,
           role=Role.COORDINATOR, errors=(404,), description="District coordinators. Audited. " + SCOPE_DESCRIPTION)
def put_quota():
    _may_set()
    body = request.get_json(silent=True)
    row = services.set_quota(g.api_user, _district_id(), body, body.get("resource_id"), body.get("category"))
    return jsonify({"quota": quota_json(row) if row else None})


@bp.post("/fair-shares/exceptions")
@operation("Grant a quota exception", response=EXCEPTION_SCHEMA, request_body=EXCEPTION_BODY, role=Role.COORDINATOR,
           status=201, errors=(404,),
           description="Extra hours for one school against one quota in one term, with the reason; coordinators of "
                       "that school. Audited (`quota.exception`).")
def post_exception():
    body = request.get_json(silent=True)
    quota = db.session.get(TermQuota, int(body["quota_id"]))
    if quota is None or quota.district_id != _district_id():
        abort(404)
    row = services.grant_exception(g.api_user, quota, body["school_id"], body["term_id"], body["extra_hours"],
                                   body["reason"])
    return jsonify(exception_json(row)), 201


@bp.get("/resources/<id:resource_id>/fair-share")
@operation("A school's booking window and term quotas for a resource", response=STANDING_SCHEMA,
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
    window = services.window_notice(resource, school, today)
    return jsonify({
        "school_id": school.id if school else None,
        "window_days": window.days if window else None,
        "last_open_day": window.last_day.isoformat() if window else None,
        "quotas": [{"quota_id": u.quota.id, "scope": u.scope, "term_id": u.term.id, "term": u.term.name,
                    "used_hours": round(u.used_minutes / 60, 2), "limit_hours": round(u.limit_minutes / 60, 2),
                    "own_use": u.own_use} for u in services.usage_on(resource, school, today)],
    })
