"""GET /api/v1/me, the OpenAPI document, and the JSON shapes the other API modules share (paging, users)."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.openapi import build_document, operation, operation_of
from booking.api.params import IntParam, parse_query
from booking.api.shapes import (CLOCK_PATTERN, CLOCK_TIME, ID, INSTANT, Page, Shape, choice, clock_time,  # noqa: F401
                                identifier, instant, iso_instant, one, page_shape, text, typed)
from booking.extensions import db

MAX_PAGE_SIZE = 200
LIMIT = IntParam("limit", "How many items to return.", default=50, minimum=1, maximum=MAX_PAGE_SIZE)
OFFSET = IntParam("offset", "How many items to skip.", default=0, minimum=0, maximum=1_000_000)
PAGE_PARAMS = (LIMIT, OFFSET)


def declared_query_values() -> dict:
    """The query parameters the current route declares in its ``operation``, parsed strictly.

    Parsing what is documented (and nothing else) keeps the document and the code in step.
    """
    declared = operation_of(current_app.view_functions[request.endpoint])
    return parse_query(declared.query, request.args)


SCHOOL_REF = Shape("SchoolRef", {"id": identifier(), "code": text(), "name": text()})
SCHOOL_REF_SCHEMA = SCHOOL_REF.ref
school_ref_json = SCHOOL_REF.dump  # the name the route modules used before the shapes


def paginate(query, limit: int, offset: int) -> tuple[list, int]:
    """One page of ``query``'s rows and the count of all of them."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(limit).offset(offset)))
    return items, total


def page_schema(name: str, item: Shape | dict) -> dict:
    """The schema of a page of ``item``s (registered as ``name``)."""
    return page_shape(name, item).ref


def page_json(items: list[dict], total: int, limit: int, offset: int) -> dict:
    """A page of items already shaped (by a page schema of ``page_schema``)."""
    return PLAIN_PAGE.dump(Page(items, total, limit, offset))


PLAIN_PAGE = page_shape(None, {})  # items dumped already

USER = Shape("User", {
    "id": identifier(),
    "email": typed({"type": "string", "format": "email"}),
    "display_name": text(),
    "role": choice(Role),
    "school_id": identifier(nullable=True),
    "school": one(SCHOOL_REF, nullable=True),
    "area": text(description="A coordinator's area (片区); empty: the whole district."),
    "locale": text(),
    "last_login_at": instant(nullable=True),
})
USER_SCHEMA = USER.ref
user_json = USER.dump


@bp.get("/me")
@operation("The user the token belongs to", response=USER_SCHEMA)
def me():
    return jsonify(USER.dump(g.api_user))


@bp.get("/openapi.json")
@operation("This OpenAPI document", response={"type": "object"}, public=True)
def openapi():
    return jsonify(build_document(current_app))
