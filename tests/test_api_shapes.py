"""One declaration per response shape (booking/api/shapes.py): the dump and the schema come from the same fields.

Pure: a made-up shape dumps objects, dicts, nested shapes, lists and nulls, and its dump is valid against
its own schema; then every component schema a success response of the document refers to is a Shape's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import StrEnum

import jsonschema

from booking.api.openapi import build_document
from booking.api.shapes import (NAMED, Shape, boolean, choice, clock, day, identifier, instant, many, one, or_null,
                                page_shape, paged, text, typed)


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Owner:
    id: int
    name: str


@dataclass
class Thing:
    id: int
    colour: Colour
    starts_at: datetime
    owner: Owner | None
    parts: list
    opens: time
    on: date
    note: str | None = None


OWNER = Shape(None, {"id": identifier(), "name": text()})
THING = Shape(None, {
    "id": identifier(),
    "colour": choice(Colour),
    "start": instant("starts_at"),
    "owner": one(OWNER, nullable=True),
    "owner_name": text("owner.name", nullable=True),
    "parts": many(OWNER),
    "opens": clock(),
    "on": day(),
    "note": text(nullable=True, description="Free text."),
    "twice": typed({"type": "integer"}, lambda thing: thing.id * 2),
    "has_owner": boolean(lambda thing: thing.owner is not None),
})


def thing(owner: Owner | None) -> Thing:
    return Thing(3, Colour.BLUE, datetime(2026, 9, 1, 8, 30, tzinfo=timezone.utc), owner, [Owner(4, "甲")],
                 time(8, 5), date(2026, 9, 1))


def test_a_shape_dumps_what_its_schema_says():
    dumped = THING.dump(thing(Owner(1, "王")))
    assert dumped == {"id": 3, "colour": "blue", "start": "2026-09-01T08:30:00Z", "owner": {"id": 1, "name": "王"},
                      "owner_name": "王", "parts": [{"id": 4, "name": "甲"}], "opens": "08:05", "on": "2026-09-01",
                      "note": None, "twice": 6, "has_owner": True}
    assert list(dumped) == THING.definition["required"] == list(THING.definition["properties"])
    alone = THING.dump(thing(None))
    assert alone["owner"] is None and alone["owner_name"] is None and alone["has_owner"] is False
    for value in (dumped, alone):
        jsonschema.validate(value, THING.definition, cls=jsonschema.Draft202012Validator,
                            format_checker=jsonschema.FormatChecker())
    assert THING.definition["properties"]["note"] == {"type": ["string", "null"], "description": "Free text."}
    assert THING.definition["properties"]["owner"] == {**OWNER.definition, "type": ["object", "null"]}
    assert or_null({"$ref": "#/components/schemas/SchoolRef"}) == {
        "oneOf": [{"$ref": "#/components/schemas/SchoolRef"}, {"type": "null"}]}


def test_dicts_are_read_by_key_and_pages_carry_the_query():
    page = page_shape(None, OWNER)
    assert paged(page, [Owner(1, "a"), {"id": 2, "name": "b"}], 7, {"limit": 2, "offset": 4}) == {
        "items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "total": 7, "limit": 2, "offset": 4}


def test_every_response_component_is_declared_as_a_shape(app):
    document = build_document(app)
    components = document["components"]["schemas"]
    seen, todo = set(), []
    for methods in document["paths"].values():
        for spec in methods.values():
            for status, answer in spec["responses"].items():
                if status.startswith("2"):
                    todo.append(answer["content"]["application/json"]["schema"])
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"] not in seen:
                seen.add(node["$ref"])
                todo.append(components[node["$ref"].rsplit("/", 1)[-1]])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    names = {ref.rsplit("/", 1)[-1] for ref in seen}
    assert len(names) > 40
    assert names - set(NAMED) == set(), "response schemas written beside their dump, not as a Shape"
    for name in names:
        assert components[name] == NAMED[name].definition
