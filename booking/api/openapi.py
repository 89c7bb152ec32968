"""The OpenAPI 3.1 document, assembled from what each API module declares beside its routes.

A module registers its component schemas with ``schema(name, definition)`` and decorates
each view with ``@operation(...)``. The document is built from the app's URL map, so
paths, methods and path parameters come from the routes themselves; a route without an
``operation`` is left out, and a test fails when that happens. The same declaration tells
``authenticate`` whether a route is public and which role it needs, so the document and
the access rule cannot disagree.

No request and no database here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask import Flask

from booking.accounts.models import Role
from booking.validation import MAX_ID, MAX_URL_LENGTH

if TYPE_CHECKING:
    from booking.api.params import QueryParam

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"

_SCHEMAS: dict[str, dict] = {}

DESCRIPTION = """\
The JSON API of District Share (学区共享).

* **Authentication**: send a personal API token as `Authorization: Bearer <token>`.
  Create one on your profile page or with `flask --app wsgi users token EMAIL`.
  A signed-in browser session is accepted for GET requests only.
* **Times**: every instant is an ISO 8601 string in UTC with a `Z` suffix
  (e.g. `2026-09-01T00:30:00Z`). Bell times and opening hours are the school's local
  wall-clock time as `HH:MM`.
* **Errors**: always JSON `{"error": code, "message": text, "fields": {parameter: text}}`.
  Messages are in English and meant for developers; `error` and the `fields` keys are stable.
"""

ERROR_STATUSES = {
    400: "The request could not be understood.",
    401: "No token, or an invalid or revoked one.",
    403: "Your role may not do this.",
    404: "No such record, or one you may not see.",
    405: "The method is not allowed on this path.",
    409: "The request conflicts with what is stored, e.g. a booking clash.",
    413: "The request body is too large.",
    414: f"The address (path and query string) is longer than {MAX_URL_LENGTH} characters.",
    415: "The body's media type is not one the operation takes (an upload: multipart/form-data or the raw file).",
    422: "A parameter is not valid, or not one the operation declares; `fields` names each one. Beyond what "
         "the schemas say, the operation's description gives the rules between fields (e.g. end after start) "
         "and the booking rules.",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, definition: dict) -> dict:
    """Register a component schema and return a reference to it."""
    _SCHEMAS[name] = definition
    return ref(name)


def component_schemas() -> dict:
    """The registered component schemas by name (what ``#/components/schemas/...`` refers to)."""
    return dict(sorted(_SCHEMAS.items()))


def enum_schema(enum: type[StrEnum]) -> dict:
    return {"type": "string", "enum": [member.value for member in enum]}


def nullable(definition: dict) -> dict:
    """The 3.1 way: a type list with "null"."""
    return {**definition, "type": [definition["type"], "null"]}


def obj(properties: dict, **extra) -> dict:
    """An object schema whose every property is always present (perhaps null)."""
    return {"type": "object", "properties": properties, "required": list(properties), **extra}


ERROR_SCHEMA = schema("Error", obj({
    "error": {"type": "string", "description": "Stable code, e.g. not_found or invalid.",
              "examples": ["invalid"]},
    "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"},
               "description": "Parameter or field name → what is wrong with it."},
}))


@dataclass(frozen=True)
class Operation:
    summary: str
    response: dict
    description: str = ""
    query: tuple[QueryParam, ...] = ()
    errors: tuple[int, ...] = ()
    public: bool = False
    role: Role | None = None
    request_body: dict | None = None  # schema of the JSON body (POST, PATCH …); enforced before the view (api/bodies.py)
    status: int = 200  # e.g. 201 for a route that creates
    upload: Any = None  # an uploaded file instead of JSON (booking/api/uploads.py ``Upload``): documents and reads it

    def error_statuses(self, has_path_params: bool) -> list[int]:
        statuses = set(self.errors) | {414, 422}  # any address may be too long or carry an undeclared parameter
        if self.request_body is not None:
            statuses.update({400, 413, 422})
        if self.upload is not None:
            statuses.update({400, 413, 415})
        if not self.public:
            statuses.add(401)
        if self.role is not None:
            statuses.add(403)
        if has_path_params:
            statuses.add(404)
        return sorted(statuses)

    def to_openapi(self, operation_id: str, tag: str, path_params: list[dict]) -> dict:
        spec = {
            "operationId": operation_id,
            "summary": self.summary,
            "tags": [tag],
            "parameters": path_params + [param.openapi() for param in self.query],
            "responses": {str(self.status): {"description": "Success",
                                             "content": {"application/json": {"schema": self.response}}}},
        }
        if self.request_body is not None:
            spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": self.request_body}}}
        if self.upload is not None:
            spec["requestBody"] = self.upload.openapi()
        description = self.description
        if self.role is not None:
            description += f"\n\nNeeds the role `{self.role.value}` or above."
        if description.strip():
            spec["description"] = description.strip()
        if self.public:
            spec["security"] = []
        for status in self.error_statuses(bool(path_params)):
            spec["responses"][str(status)] = {"$ref": f"#/components/responses/Error{status}"}
        return spec


def operation(summary: str, *, response: dict, **options):
    """Declare a view's contract: summary, success body schema, query parameters, request body, role, errors.

    ``errors`` lists statuses beyond those implied (414 and 422 always, 401 unless public, 403 with
    a role, 404 with a path argument, 400/413 with a request body).
    """
    declared = Operation(summary=summary, response=response, **options)

    def decorator(view):
        view.openapi_operation = declared
        return view

    return decorator


def operation_of(view) -> Operation | None:
    return getattr(view, "openapi_operation", None)


_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_and_params(rule_text: str) -> tuple[str, list[dict]]:
    """Werkzeug's `/schools/<id:school_id>` as OpenAPI's `/schools/{school_id}` plus its parameters."""
    params = []
    for match in _RULE_ARGUMENT.finditer(rule_text):
        param_schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if match["converter"] == "id" \
            else {"type": "string"}
        params.append({"name": match["name"], "in": "path", "required": True, "schema": param_schema})
    path = _RULE_ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule_text)
    return path.removeprefix(API_PREFIX) or "/", params


def api_rules(app: Flask):
    """The URL rules of the api blueprint."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def documented_methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def build_paths(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        declared = operation_of(view)
        if declared is None:
            continue  # tests/test_api_openapi.py fails for an undocumented route
        path, params = _path_and_params(rule.rule)
        tag = view.__module__.rsplit(".", 1)[-1]
        for method in documented_methods(rule):
            operation_id = rule.endpoint.removeprefix("api.")
            paths.setdefault(path, {})[method.lower()] = declared.to_openapi(operation_id, tag, params)
    return dict(sorted(paths.items()))


def build_document(app: Flask) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "District Share API", "version": API_VERSION, "description": DESCRIPTION},
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": build_paths(app),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token (starts with `dst_`)."}},
            "schemas": component_schemas(),
            "responses": {
                f"Error{status}": {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                for status, text in ERROR_STATUSES.items()
            },
        },
    }
