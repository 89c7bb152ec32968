"""GET /api/v1/me, the OpenAPI document, and the JSON shapes the other API modules share."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import current_app, g, jsonify, request
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.openapi import build_document, enum_schema, nullable, obj, operation, operation_of, schema
from booking.api.params import MAX_ID, IntParam, parse_query
from booking.extensions import db

MAX_PAGE_SIZE = 200
LIMIT = IntParam("limit", "How many items to return.", default=50, minimum=1, maximum=MAX_PAGE_SIZE)
OFFSET = IntParam("offset", "How many items to skip.", default=0, minimum=0, maximum=1_000_000)
PAGE_PARAMS = (LIMIT, OFFSET)

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
INSTANT = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2026-09-01T00:30:00Z."}
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
CLOCK_TIME = {"type": "string", "pattern": CLOCK_PATTERN, "description": "Local wall-clock time, HH:MM."}


def declared_query_values() -> dict:
    """The query parameters the current route declares in its ``operation``, parsed strictly.

    Parsing what is documented (and nothing else) keeps the document and the code in step.
    """
    declared = operation_of(current_app.view_functions[request.endpoint])
    return parse_query(declared.query, request.args)


def iso_instant(instant: datetime | None) -> str | None:
    """An aware instant as ISO 8601 in UTC with a Z suffix, the API's one datetime format."""
    if instant is None:
        return None
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def clock_time(value: time) -> str:
    return value.strftime("%H:%M")


SCHOOL_REF_SCHEMA = schema("SchoolRef", obj({"id": ID, "code": {"type": "string"}, "name": {"type": "string"}}))


def school_ref_json(school) -> dict | None:
    if school is None:
        return None
    return {"id": school.id, "code": school.code, "name": school.name}


def page_schema(name: str, item: dict) -> dict:
    return schema(name, obj({
        "items": {"type": "array", "items": item},
        "total": {"type": "integer", "minimum": 0, "description": "Matching items in all pages."},
        "limit": {"type": "integer"},
        "offset": {"type": "integer"},
    }))


def paginate(query, limit: int, offset: int) -> tuple[list, int]:
    """One page of ``query``'s rows and the count of all of them."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(limit).offset(offset)))
    return items, total


def page_json(items: list[dict], total: int, limit: int, offset: int) -> dict:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


USER_SCHEMA = schema("User", obj({
    "id": ID,
    "email": {"type": "string", "format": "email"},
    "display_name": {"type": "string"},
    "role": enum_schema(Role),
    "school_id": nullable(ID),
    "school": {"oneOf": [SCHOOL_REF_SCHEMA, {"type": "null"}]},
    "area": {"type": "string", "description": "A coordinator's area (片区); empty: the whole district."},
    "locale": {"type": "string"},
    "last_login_at": nullable(INSTANT),
}))


def user_json(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "school_id": user.school_id,
        "school": school_ref_json(user.school),
        "area": user.area,
        "locale": user.locale,
        "last_login_at": iso_instant(user.last_login_at),
    }


@bp.get("/me")
@operation("The user the token belongs to", response=USER_SCHEMA)
def me():
    return jsonify(user_json(g.api_user))


@bp.get("/openapi.json")
@operation("This OpenAPI document", response={"type": "object"}, public=True)
def openapi():
    return jsonify(build_document(current_app))
