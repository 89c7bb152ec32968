"""Each API shape is declared once: the OpenAPI document's schemas are what the API enforces and answers.

Bodies: the test walks the document built from the app and, for every operation with a request body,
starts from a body valid against the documented schema (every property present, ids from the seeded
demo) and breaks one documented constraint at a time — type, minimum, maximum, minLength, maxLength,
enum, pattern, format, required, additionalProperties: false, minItems, maxItems — in nested objects and
array items too (the operations added for the pages' actions included: every operation with a body is walked).
Each broken body must answer 422 `invalid` naming the broken field. A keyword the walk does not know
fails the test, so a constraint added to a schema is either enforced or noticed. An operation taking an
uploaded file instead (booking/api/uploads.py) must refuse a media type it does not declare (415), a
multipart part it does not declare and, when the file is required, a multipart body without it (422
naming the part).

Responses: every GET answers the seeded demo with a body valid against its documented schema.
"""
from __future__ import annotations

import copy
import io
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from booking.accounts.models import User
from booking.allocation.models import AllocationRound
from booking.api.openapi import build_document
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.i18n import district_zone
from booking.imports.models import ImportJob, ImportStatus
from booking.resources.models import Resource
from booking.schools.models import Closure, MakeupDay, School, Term
from booking.seed.bookings import DEMO_TODAY
from booking.teachers.models import TeacherBusyTime, TeacherProfile
from tests.demo_support import COORDINATOR

MISSING = object()  # a property taken out of the body
EXTRA = "unexpected_field"
# Keywords that say nothing a body can break.
ANNOTATIONS = {"description", "default", "examples", "title"}
# One value of each JSON type, to break a `type`.
TYPED_VALUES = [("string", "text"), ("integer", 7), ("number", 1.5), ("boolean", True), ("null", None),
                ("array", []), ("object", {})]
BROKEN_FORMATS = {"date-time": "2026-02-30T10:00:00Z", "date": "2026-02-30", "email": "no-at-sign"}
VALID_FORMATS = {"date-time": "2026-12-03T01:50:00Z", "date": "2026-12-03", "email": "walk.user@example.cn"}
# Operations added for the pages' actions whose bodies the walk must reach (one a line, for merging).
SURELY_WALKED = {
    "add_resource",
    "add_school",
    "change_school",
    "replace_bells",
    "set_school_active",
    "set_school_travel",
    "set_travel_times",
}
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
               "makeup_id": db.session.scalar(select(MakeupDay.id).order_by(MakeupDay.id).limit(1)),
               "kind": "users", "job_id": _failed_import_job(),
               "user_id": db.session.scalar(select(User.id).where(User.email == "teacher.xt01@demo.xq"))}
        busy = db.session.scalars(select(TeacherBusyTime).order_by(TeacherBusyTime.id).limit(1)).one()
        ids.update(busy_id=busy.id, profile_id=db.session.get(TeacherProfile, busy.profile_id).id)
        document = build_document(app)
    assert all(ids.values()), ids
    return app, seeded_demo.coordinator_token, ids, document


def _failed_import_job() -> int:
    """A CSV import of the demo's coordinator that refused a row, for GET /imports/jobs/{job_id}."""
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    job = ImportJob(kind="users", filename="teachers.csv", file_sha256="0" * 64, created_by_id=coordinator.id,
                    status=ImportStatus.FAILED, error_count=1, steps_total=2,
                    errors_json='[{"row": 2, "column": "school_code", "message": "Unknown school."}]')
    db.session.add(job)
    db.session.commit()
    return job.id


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
    text = schema.get("examples", ["课"])[0]
    return text * -(-schema.get("minLength", 1) // len(text))  # as long as it must be (a password's eight)


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
    failures, checked, bodies, walked = [], 0, 0, set()
    for path, verb, spec in operations(document):
        if "application/json" not in spec.get("requestBody", {}).get("content", {}):
            continue
        bodies += 1
        walked.add(spec["operationId"])
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
    assert SURELY_WALKED <= walked, SURELY_WALKED - walked
    assert not failures, f"{len(failures)} of {checked} constraints not enforced:\n" + "\n".join(failures)


def test_a_body_that_is_not_json_names_the_body(demo):
    app, token, ids, document = demo
    client = app.test_client()
    for path, verb, spec in operations(document):
        if "application/json" in spec.get("requestBody", {}).get("content", {}):
            url, _ = url_for(path, ids)
            response = client.open(url, method=verb.upper(), data="{not json", headers=token,
                                   content_type="application/json")
            assert response.status_code == 422 and "body" in response.get_json()["fields"], (path, verb)


def test_every_documented_upload_takes_only_what_it_declares(demo):
    app, token, ids, document = demo
    client = app.test_client()
    failures, uploads = [], 0
    for path, verb, spec in operations(document):
        content = spec.get("requestBody", {}).get("content", {})
        if "multipart/form-data" not in content:
            continue
        uploads += 1
        url, _ = url_for(path, ids)
        (part,) = content["multipart/form-data"]["schema"]["required"]
        raw_types = [media_type for media_type in content if media_type != "multipart/form-data"]
        assert raw_types and "application/json" not in raw_types, path
        wrong = client.open(url, method=verb.upper(), json={"file": "x"}, headers=token)
        if wrong.status_code != 415 or wrong.get_json().get("error") != "unsupported_media_type":
            failures.append(f"{path} with JSON: {wrong.status_code} {wrong.get_json()}")
        extra = client.open(url, method=verb.upper(), headers=token, content_type="multipart/form-data",
                            data={part: (io.BytesIO(b"x"), "x.txt"), EXTRA: "x"})
        if extra.status_code != 422 or EXTRA not in extra.get_json()["fields"]:
            failures.append(f"{path} with the part {EXTRA}: {extra.status_code} {extra.get_json()}")
        if spec["requestBody"]["required"]:
            missing = client.open(url, method=verb.upper(), headers=token, content_type="multipart/form-data",
                                  data={})
            if missing.status_code != 422 or part not in missing.get_json()["fields"]:
                failures.append(f"{path} without {part}: {missing.status_code} {missing.get_json()}")
    assert uploads >= 3, uploads
    assert not failures, "\n".join(failures)


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
