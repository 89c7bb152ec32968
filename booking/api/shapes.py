"""One declaration per response shape: a ``Shape`` both dumps an object as JSON and is its schema.

A shape lists its fields in answer order; each ``Field`` holds the JSON Schema of its value and
how to read it from the object: an attribute path (``"owner_school.name"``; the key itself when
none is given), or a function of the object, then an optional conversion applied to a value that
is not None (instants to ISO 8601, enums to their values, nested shapes to their JSON). A named
shape registers its component schema (``openapi.schema``) and ``ref`` points at it, so the
document and the answers come from the same lines; every property is always present (``obj``).

The objects may be models, service results or plain dicts (read by key). No request, no database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any, Callable

from booking.api.openapi import enum_schema, obj, schema
from booking.validation import MAX_ID

Source = str | Callable[[Any], Any] | None
NAMED: dict[str, Shape] = {}  # every named shape: what each response component schema was declared as


def read(source, path: str):
    """``path``'s value in ``source``: attributes (or keys of a mapping) step by step; None stops the walk."""
    value = source
    for step in path.split("."):
        if value is None:
            return None
        value = value[step] if isinstance(value, Mapping) else getattr(value, step)
    return value


def or_null(definition: dict) -> dict:
    """``definition`` or null: a type list for a plain typed schema, else ``oneOf`` with null."""
    if isinstance(definition.get("type"), str) and "enum" not in definition:
        return {**definition, "type": [definition["type"], "null"]}
    return {"oneOf": [definition, {"type": "null"}]}


@dataclass(frozen=True)
class Field:
    schema: dict
    source: Source = None
    convert: Callable[[Any], Any] | None = None

    def value(self, source, key: str):
        raw = self.source(source) if callable(self.source) else read(source, self.source or key)
        return raw if raw is None or self.convert is None else self.convert(raw)


def typed(definition: dict, source: Source = None, *, convert: Callable | None = None, nullable: bool = False,
          description: str | None = None) -> Field:
    """A field whose value is ``definition``'s (or null when ``nullable``), read from ``source``."""
    declared = or_null(definition) if nullable else dict(definition)
    if description:
        declared["description"] = description
    return Field(declared, source, convert)


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
INSTANT = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2026-09-01T00:30:00Z."}
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
CLOCK_TIME = {"type": "string", "pattern": CLOCK_PATTERN, "description": "Local wall-clock time, HH:MM."}


def iso_instant(instant: datetime | None) -> str | None:
    """An aware instant as ISO 8601 in UTC with a Z suffix, the API's one datetime format."""
    if instant is None:
        return None
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def clock_time(value: time) -> str:
    return value.strftime("%H:%M")


def _enum_value(value):
    return value.value if isinstance(value, Enum) else value


def _iso_day(day: date) -> str:
    return day.isoformat()


def identifier(source: Source = None, **options) -> Field:
    return typed(ID, source, **options)


def text(source: Source = None, **options) -> Field:
    return typed({"type": "string"}, source, **options)


def boolean(source: Source = None, **options) -> Field:
    return typed({"type": "boolean"}, source, **options)


def instant(source: Source = None, **options) -> Field:
    return typed(INSTANT, source, convert=iso_instant, **options)


def day(source: Source = None, **options) -> Field:
    return typed({"type": "string", "format": "date"}, source, convert=_iso_day, **options)


def clock(source: Source = None, **options) -> Field:
    return typed(CLOCK_TIME, source, convert=clock_time, **options)


def choice(enum: type[Enum], source: Source = None, **options) -> Field:
    """One of ``enum``'s values (read as a member or as its value)."""
    return typed(enum_schema(enum), source, convert=_enum_value, **options)


def one(shape: Shape, source: Source = None, **options) -> Field:
    """A nested shape (null when the value is None and ``nullable``)."""
    return typed(shape.ref, source, convert=shape.dump, **options)


def many(item: Shape | dict, source: Source = None, *, description: str | None = None, **extra) -> Field:
    """A list of a shape's objects, or of plain values of the schema ``item``."""
    if isinstance(item, Shape):
        return typed({"type": "array", "items": item.ref, **extra}, source,
                     convert=lambda values: [item.dump(value) for value in values], description=description)
    return typed({"type": "array", "items": item, **extra}, source, convert=list, description=description)


class Shape:
    """An object shape: its fields in order; ``dump`` makes the JSON, ``ref`` is the schema (registered if named)."""

    def __init__(self, name: str | None, fields: dict[str, Field], **extra):
        self.name = name
        self.fields = dict(fields)
        self.extra = extra
        self.definition = obj({key: declared.schema for key, declared in self.fields.items()}, **extra)
        self.ref = schema(name, self.definition) if name else self.definition
        if name:
            NAMED[name] = self

    def dump(self, source) -> dict:
        return {key: declared.value(source, key) for key, declared in self.fields.items()}

    def extended(self, name: str | None, fields: dict[str, Field], under: str | None = None) -> Shape:
        """This shape's fields and more (a detail view of a listed object); ``under``: the path at which
        the object holds what this shape's own fields read (a wrapper around it)."""
        inherited = self.fields if under is None else {key: _rebased(declared, key, under)
                                                       for key, declared in self.fields.items()}
        return Shape(name, {**inherited, **fields}, **self.extra)


def _rebased(declared: Field, key: str, under: str) -> Field:
    return Field(declared.schema, lambda source: declared.value(read(source, under), key))


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    limit: int
    offset: int


def page_shape(name: str | None, item: Shape | dict) -> Shape:
    return Shape(name, {
        "items": many(item),
        "total": typed({"type": "integer", "minimum": 0, "description": "Matching items in all pages."}),
        "limit": typed({"type": "integer"}),
        "offset": typed({"type": "integer"}),
    })


def paged(shape: Shape, items: list, total: int, values: dict) -> dict:
    """One page of ``items`` dumped by the page ``shape``, with the query's ``limit`` and ``offset``."""
    return shape.dump(Page(items, total, values["limit"], values["offset"]))
