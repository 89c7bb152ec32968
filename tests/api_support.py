"""Helpers for the JSON API tests: token headers, and checking a body against the OpenAPI document."""
from __future__ import annotations

import jsonschema

from booking.accounts import services
from booking.extensions import db


def bearer(user) -> dict:
    """Headers carrying a fresh API token of ``user``, committed as the request that made it would."""
    _token, raw = services.issue_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def get_json(client, path: str, user=None, status: int = 200, **kw):
    """GET ``path`` (as ``user`` when given), assert the status and a JSON body, return the body."""
    headers = bearer(user) if user is not None else {}
    response = client.get(path, headers=headers, **kw)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def assert_documented(client, body, path_template: str, status: str = "200") -> None:
    """``body`` matches the schema the OpenAPI document gives for ``GET path_template``."""
    document = client.get("/api/v1/openapi.json").get_json()
    response = document["paths"][path_template]["get"]["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    # The whole document is the root, so "#/components/…" references resolve.
    jsonschema.validate(body, {**schema, "components": document["components"]},
                        cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker())
