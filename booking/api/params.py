"""Query parameters of the JSON API: each one parses itself strictly and documents itself.

The HTML pages forgive a bad filter (they just ignore it); the API must not, because a
script that misspells `kind=labs` would otherwise silently get every resource. So every
parameter either yields a value or an English message naming what is wrong, and
``parse_query`` reports all of them at once as a 422 with ``fields``.

Pure code: no request, no database. Allowed values come from the enum classes themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from booking.api.openapi import enum_schema
from booking.validation import MAX_ID, ValidationFailed  # noqa: F401  (MAX_ID: the API modules import it here)


class ParamError(ValueError):
    """One parameter's value is unusable; the message says why."""


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    default: Any = None
    required: bool = False

    # Whether an empty value (`?name=`) means the default; for numbers, enums and dates it is a mistake.
    empty_is_default = False

    def parse(self, raw: str) -> Any:
        return raw

    def schema(self) -> dict:
        return {"type": "string"}

    def openapi(self) -> dict:
        schema = self.schema()
        if self.default is not None:
            schema["default"] = self.default
        return {"name": self.name, "in": "query", "required": self.required,
                "description": self.description, "schema": schema}


@dataclass(frozen=True)
class TextParam(QueryParam):
    max_length: int = 100
    empty_is_default = True

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if len(text) > self.max_length:
            raise ParamError(f"Use at most {self.max_length} characters.")
        return text

    def schema(self) -> dict:
        return {"type": "string", "maxLength": self.max_length}


@dataclass(frozen=True)
class EnumParam(QueryParam):
    enum: type[StrEnum] = StrEnum

    def parse(self, raw: str) -> StrEnum:
        try:
            return self.enum(raw)
        except ValueError:
            allowed = ", ".join(member.value for member in self.enum)
            raise ParamError(f"Unknown value {raw!r}; choose one of: {allowed}.") from None

    def schema(self) -> dict:
        return enum_schema(self.enum)


@dataclass(frozen=True)
class IntParam(QueryParam):
    minimum: int = 0
    maximum: int = MAX_ID

    def parse(self, raw: str) -> int:
        text = raw.strip()
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ParamError(f"Enter a whole number, not {raw!r}.")
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise ParamError(f"Enter a number from {self.minimum} to {self.maximum}.")
        return value

    def schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


def json_whole_number(value) -> int | None:
    """An integer from a JSON body: JSON Schema's ``integer`` includes 12.0; booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_query(params: tuple[QueryParam, ...], args) -> dict[str, Any]:
    """Values by parameter name (the default where absent, or empty text); ValidationFailed on any bad one."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for param in params:
        given = args.getlist(param.name)
        if len(given) > 1:
            errors[param.name] = "Give this parameter once."
            continue
        if not given and param.required:
            errors[param.name] = "Required."
            continue
        if not given or (given[0] == "" and param.empty_is_default):
            values[param.name] = param.default
            continue
        raw = given[0]
        if raw == "":
            errors[param.name] = "Give a value, or leave the parameter out."
            continue
        try:
            values[param.name] = param.parse(raw)
        except ParamError as error:
            errors[param.name] = str(error)
    if errors:
        raise ValidationFailed(errors)
    return values
