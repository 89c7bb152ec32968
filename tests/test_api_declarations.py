"""Each API shape is declared once: the OpenAPI document's schemas are what the API enforces and answers.

Bodies: the test walks the document built from the app and, for every operation with a request body,
starts from a body valid against the documented schema (every property present, ids from the seeded
demo) and breaks one documented constraint at a time — type, minimum, maximum, minLength, maxLength,
enum, pattern, format, required, additionalProperties: false, minItems, maxItems — in nested objects and
array items too (the operations added for the pages' actions included: every operation with a body is walked).
Each broken body must answer 422 `invalid` naming the broken field. A keyword the walk does not know
fails the test, so a constraint added to a schema is either enforced or noticed.

Responses: every GET answers the seeded demo with a body valid against its documented schema.
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from booking.allocation.models import AllocationRound
from booking.api.openapi import build_document
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource
from booking.schools.models import Closure, MakeupDay, School, Term
from booking.seed.bookings import DEMO_TODAY

MISSING = object()  # a property taken out of the body
EXTRA = "unexpected_field"
# Keywords that say nothing a body can break.
ANNOTATIONS = {"description", "default", "examples", "title"}
# One value of each JSON type, to break a `type`.
TYPED_VALUES = [("string", "text"), ("integer", 7), ("number", 1.5), ("boolean", True), ("null", None),
                ("array", []), ("object", {})]
BROKEN_FORMATS = {"date-time": "2026-02-30T10:00:00Z", "date": "2026-02-30"}
VALID_FORMATS = {"date-time": "2026-12-03T01:50:00Z", "date": "2026-12-03"}
# Optional query parameters a GET needs all the same (a rule between parameters): a search needs a time.
EXTRA_QUERY = {"/free-resources": {"start": "09:00", "end": "10:00"}}


@pytest.fixture(scope="module")
def demo(seeded_demo):
    app = seeded_demo.app
    with app.app_context():
        pending = select(Booking.id).where(Booking.status == BookingStatus.PENDING).order_by(Booking.id).limit(1)
        ids = {"booking_id": db.session.scalar(pending),
               "resource_id": db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1)),
               "school_id": db.session.scalar(select(School.id).order_by(School.id).limit(1)),
               "term_id": db.session.scalar(select(Term.id).order_by(Term.id).limit(1)),
               "round_id": db.session.scalar(select(AllocationRound.id).order_by(AllocationRound.id).limit(1)),
               "closure_id": db.session.scalar(select(Closure.id).order_by(Closure.id).limit(1)),
               "makeup_id": db.session.scalar(select(MakeupDay.id).order_by(MakeupDay.id).limit(1))}
        document = build_document(app)
    assert all(ids.values()), ids
    return app, seeded_demo.coordinator_token, ids, document


def resolved(schema: dict, components: dict) -> dict:
    """``schema`` with every ``$ref`` to a component replaced by the component, recursively."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].removeprefix("#/components/schemas/")
            return resolved({**components[name], **{k: v for k, v in schema.items() if k != "$ref"}}, components)
        return {key: resolved(value, components) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolved(item, components) for item in schema]
    return schema


def types_of(schema: dict) -> list[str]:
    declared = schema.get("type", [])
    return declared if isinstance(declared, list) else [declared]


def valid_value(schema: dict, ids: dict, name: str = ""):
    """A value the schema accepts, every property of an object present; ids come from the seeded demo."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = next(t for t in types_of(schema) if t != "null")
    if kind == "object":
        return {key: valid_value(prop, ids, key) for key, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [valid_value(schema["items"], ids)]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return ids.get(name, ids.get(f"{name}_id", max(schema.get("minimum", 1), 1)))
    if "format" in schema:
        return VALID_FORMATS[schema["format"]]
    if "pattern" in schema:
        return "08:00"
    return schema.get("examples", ["课"])[0]


def wrong_type(schema: dict):
    allowed = set(types_of(schema))
    if "number" in allowed:
        allowed.add("integer")
    return next(value for kind, value in TYPED_VALUES if kind not in allowed)


def not_matching(pattern: str) -> str:
    return next(text for text in ("25:61", "!", "") if not re.search(pattern, text))


def violations(schema: dict, path: list):
    """(constraint, path of the field, value breaking only it) for each constraint of ``schema`` and inside it.

    A value of MISSING takes the field out; a function makes the value from the valid one. Raises for a
    keyword it does not know how to break."""
    handled = set(ANNOTATIONS)
    if "type" in schema:
        handled.add("type")
        yield "type", path, wrong_type(schema)
    for keyword, broken in (("maxItems", lambda n: lambda valid: valid[:1] * (n + 1)),
                            ("minItems", lambda n: lambda valid: valid[:1] * (n - 1)),
                            ("minimum", lambda n: n - 1), ("maximum", lambda n: n + 1),
                            ("maxLength", lambda n: "x" * (n + 1)), ("minLength", lambda n: "x" * (n - 1)),
                            ("enum", lambda members: "not-a-member"), ("pattern", not_matching),
                            ("format", BROKEN_FORMATS.__getitem__)):
        if keyword in schema:
            handled.add(keyword)
            yield keyword, path, broken(schema[keyword])
    if "properties" in schema:
        handled.add("properties")
        for name, prop in schema["properties"].items():
            yield from violations(prop, path + [name])
    if "required" in schema:
        handled.add("required")
        for name in schema["required"]:
            yield "required", path + [name], MISSING
    if "dependentRequired" in schema:
        handled.add("dependentRequired")
        for needs in schema["dependentRequired"].values():
            for name in needs:
                yield "dependentRequired", path + [name], MISSING
    if schema.get("additionalProperties") is False:
        handled.add("additionalProperties")
        yield "additionalProperties", path + [EXTRA], "x"
    if "items" in schema:
        handled.add("items")
        yield from violations(schema["items"], path + [0])
    unknown = set(schema) - handled
    if unknown:
        raise AssertionError(f"{field_name(path)}: no test breaks the keywords {sorted(unknown)}")


def field_name(path: list) -> str:
    """How the API names a field: ``recurrence.until``, ``opening_hours[0].opens``; the whole body is ``body``."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name or "body"


def with_value(body, path: list, value):
    if not path:
        return value
    changed = copy.deepcopy(body)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    if value is MISSING:
        del parent[path[-1]]
    elif callable(value):  # a list too long or too short, made of the valid list's first item
        parent[path[-1]] = value(parent[path[-1]])
    else:
        parent[path[-1]] = value
    return changed


def operations(document: dict, method: str | None = None):
    for path, methods in document["paths"].items():
        for verb, spec in methods.items():
            if method is None or verb == method:
                yield path, verb, spec


def url_for(path: str, ids: dict, query: dict | None = None) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda match: str(ids[match[1]]), path), query or {}


def document_validator(schema: dict, document: dict) -> Draft202012Validator:
    """The document's own reading of ``schema``: standard 2020-12 formats, references to its components."""
    return Draft202012Validator({**schema, "components": document["components"]}, format_checker=FormatChecker())


def test_every_documented_body_constraint_is_enforced(demo):
    app, token, ids, document = demo
    components = document["components"]["schemas"]
    client = app.test_client()
    failures, checked, bodies = [], 0, 0
    for path, verb, spec in operations(document):
        if "requestBody" not in spec:
            continue
        bodies += 1
        schema = resolved(spec["requestBody"]["content"]["application/json"]["schema"], components)
        valid = valid_value(schema, ids)
        assert document_validator(schema, document).is_valid(valid), (spec["operationId"], valid)
        url, _ = url_for(path, ids)
        for constraint, field_path, value in violations(schema, []):
            body = with_value(valid, field_path, value)
            response = client.open(url, method=verb.upper(), json=body, headers=token)
            answer = response.get_json(silent=True) or {}
            named = field_name(field_path)
            checked += 1
            if response.status_code != 422 or answer.get("error") != "invalid" or named not in answer.get("fields", {}):
                failures.append(f"{verb.upper()} {path} {constraint} of {named} with {repr(value)[:40]}: "
                                f"{response.status_code} {answer}")
            elif document_validator(schema, document).is_valid(body):
                failures.append(f"{verb.upper()} {path}: the test's broken {named} is valid ({constraint})")
    assert bodies >= 9 and checked >= 100, (bodies, checked)
    assert not failures, f"{len(failures)} of {checked} constraints not enforced:\n" + "\n".join(failures)


def test_a_body_that_is_not_json_names_the_body(demo):
    app, token, ids, document = demo
    client = app.test_client()
    for path, verb, spec in operations(document):
        if "requestBody" in spec:
            url, _ = url_for(path, ids)
            response = client.open(url, method=verb.upper(), data="{not json", headers=token,
                                   content_type="application/json")
            assert response.status_code == 422 and "body" in response.get_json()["fields"], (path, verb)


def query_for(spec: dict) -> dict:
    """Values for the required query parameters: a week of the demo, the demo's day, an enum's first member."""
    week_start = datetime.combine(DEMO_TODAY, time(0), tzinfo=district_zone()).astimezone(timezone.utc)
    examples = {"start": week_start, "end": week_start + timedelta(days=7)}
    query = {}
    for param in spec["parameters"]:
        if param["in"] != "query" or not param["required"]:
            continue
        name, schema = param["name"], param["schema"]
        if name in examples:
            query[name] = examples[name].strftime("%Y-%m-%dT%H:%M:%SZ")
        elif schema.get("format") == "date":
            query[name] = DEMO_TODAY.isoformat()
        else:
            query[name] = schema["enum"][0]
    return query


def test_every_get_answers_the_seeded_demo_as_documented(demo):
    app, token, ids, document = demo
    client = app.test_client()
    failures, checked = [], 0
    for path, _, spec in operations(document, "get"):
        url, query = url_for(path, ids, {**query_for(spec), **EXTRA_QUERY.get(path, {})})
        response = client.get(url, query_string=query, headers=token)
        (status, success), = [(code, answer) for code, answer in spec["responses"].items() if code.startswith("2")]
        schema = success["content"]["application/json"]["schema"]
        checked += 1
        if response.status_code != int(status):
            failures.append(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            continue
        problems = [f"{list(e.absolute_path)}: {e.message}"
                    for e in document_validator(schema, document).iter_errors(response.get_json())]
        if problems:
            failures.append(f"GET {path}: " + "; ".join(problems[:5]))
    assert checked >= 15, checked
    assert not failures, "\n".join(failures)
