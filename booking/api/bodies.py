"""Request bodies checked against the very schema the OpenAPI document shows, before the view runs.

Each operation declares its ``request_body`` with ``openapi.operation``; ``check_body`` validates
the JSON body against it (JSON Schema 2020-12, formats checked, ``$ref``s resolved against the
document's components) and reports every bad field at once as ``ValidationFailed``, named like the
views name them (``recurrence.until``, ``opening_hours[0].opens``), so each constraint is written
once, in the declaration. The views' parsers then only convert (instants to datetimes …) and check
what a schema cannot say (rules between fields, the database).

``date-time`` and ``date`` mean what the API accepts: an ISO 8601 instant (no offset = district
time) and a YYYY-MM-DD date, both in the years a school calendar can mean. No database here.
"""
from __future__ import annotations

from datetime import timezone

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, relevance

from booking.api.booking_json import DAY_HINT, parse_instant
from booking.api.shapes import CLOCK_PATTERN
from booking.api.openapi import Operation, component_schemas
from booking.api.params import ParamError
from booking.parsing import parse_day
from booking.validation import ValidationFailed

BODY = "body"  # the field name of a body that is not a JSON object at all
FORMAT_CHECKER = FormatChecker(formats=())
TYPE_NAMES = {"integer": "a whole number", "number": "a number", "string": "a string", "boolean": "true or false",
              "object": "an object", "array": "a list", "null": "null"}
PATTERN_HINTS = {CLOCK_PATTERN: "Give a wall-clock time as HH:MM."}


@FORMAT_CHECKER.checks("date-time", raises=ParamError)
def _is_instant(value) -> bool:
    if isinstance(value, str):
        parse_instant(value, timezone.utc)  # the zone does not matter for whether it is readable
    return True


@FORMAT_CHECKER.checks("date")
def _is_day(value) -> bool:
    return not isinstance(value, str) or parse_day(value) is not None


_validators: dict[int, Draft202012Validator] = {}


def body_validator(declared: Operation) -> Draft202012Validator:
    """A validator of ``declared.request_body``, its references resolved against the components."""
    validator = _validators.get(id(declared))
    if validator is None:
        root = {**declared.request_body, "components": {"schemas": component_schemas()}}
        validator = _validators[id(declared)] = Draft202012Validator(root, format_checker=FORMAT_CHECKER)
    return validator


def field_name(path) -> str:
    """``["opening_hours", 0, "opens"]`` as ``opening_hours[0].opens``; the empty path is the body."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else str(step))
    return name or BODY


def _range_message(schema: dict) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"Give a whole number from {low} to {high}."
    return f"Give a number of at least {low}." if low is not None else f"Give a number of at most {high}."


def _type_message(error: ValidationError) -> str:
    if not error.absolute_path:
        return "Send a JSON object."
    types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    return "Give " + " or ".join(TYPE_NAMES.get(name, name) for name in types) + "."


def _message(error: ValidationError) -> str:
    keyword, value = error.validator, error.validator_value
    if keyword == "type":
        return _type_message(error)
    if keyword in ("minimum", "maximum"):
        return _range_message(error.schema)
    if keyword == "maxLength":
        return f"At most {value} characters."
    if keyword == "minLength":
        return f"At least {value} characters."
    if keyword in ("maxItems", "minItems"):
        return f"At {'most' if keyword == 'maxItems' else 'least'} {value} items."
    if keyword == "enum":
        return "Choose one of: " + ", ".join("null" if v is None else str(v) for v in value) + "."
    if keyword == "pattern":
        return PATTERN_HINTS.get(value, f"Give text of the form {value}.")
    if keyword == "format":
        if error.cause is not None:
            return str(error.cause)
        return DAY_HINT if value == "date" else f"Give a valid {value}."
    return error.message


def _named_errors(error: ValidationError) -> dict[str, str]:
    """One error as {field: message}; `required` and `additionalProperties` name the fields inside."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return {field_name(path + [name]): "Required." for name in missing}
    if error.validator == "dependentRequired":
        missing = {needed: given for given, needs in error.validator_value.items() if given in error.instance
                   for needed in needs if needed not in error.instance}
        return {field_name(path + [name]): f"Required with {given}." for name, given in missing.items()}
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = set(error.schema.get("properties", {}))
        return {field_name(path + [name]): "Unknown field." for name in sorted(set(error.instance) - known)}
    return {field_name(path): _message(error)}


def body_errors(declared: Operation, body) -> dict[str, str]:
    """Every field of ``body`` the declaration refuses, with an English message; {} when it is valid."""
    errors: dict[str, str] = {}
    for error in sorted(body_validator(declared).iter_errors(body), key=relevance):
        for name, message in _named_errors(error).items():
            errors.setdefault(name, message)
    return errors


def check_body(declared: Operation, request) -> None:
    """Refuse (ValidationFailed) a body the operation's schema does not accept; an empty body is ``{}``."""
    body = request.get_json(silent=True)
    if body is None:
        if request.get_data():
            raise ValidationFailed({BODY: "Send a JSON object."})
        body = {}
    errors = body_errors(declared, body)
    if errors:
        raise ValidationFailed(errors)
