"""JSON in and out for the booking API: strict body parsing, instants, schemas, shapes.

Instants are ISO 8601; an offset is optional and a time without one is district wall-clock
time. Anything else (a missing time, a garbled or impossible offset) is refused with the
field named. No request and no database here; the zone is passed in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from booking.api.core import ID
from booking.api.openapi import enum_schema, schema
from booking.api.shapes import Shape, boolean, choice, identifier, instant, text, typed
from booking.api.params import MAX_ID, ParamError, QueryParam, json_whole_number
from booking.bookings.models import Booking, BookingOutcome, BookingStatus, LessonKind
from booking.bookings.rules.types import Kind as RefusalKind
from booking.bookings.planning import MAX_STUDENTS, BookingInput
from booking.parsing import parse_clock, parse_day
from booking.texts import lazy_gettext as _l
from booking.validation import FIRST_YEAR, LAST_YEAR, ValidationFailed, is_supported_day

_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")
INSTANT_HINT = "Give an ISO 8601 date and time, e.g. 2026-09-03T09:50:00+08:00 (no offset = district time)."
INSTANT_RANGE_DESCRIPTION = (f"ISO 8601; without an offset it is district time. Years {FIRST_YEAR} to {LAST_YEAR} "
                             "only (a 422 otherwise).")
DAY_RANGE_DESCRIPTION = f"YYYY-MM-DD, years {FIRST_YEAR} to {LAST_YEAR} only (a 422 otherwise)."
DAY_HINT = f"Give a date as YYYY-MM-DD, from {FIRST_YEAR} to {LAST_YEAR}."


def parse_instant(value, zone: ZoneInfo) -> datetime:
    """An aware UTC instant from an ISO 8601 string; ParamError when it is anything else."""
    if not isinstance(value, str) or not _INSTANT.match(value.strip()):
        raise ParamError(INSTANT_HINT)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ParamError(f"{value!r} is not a real date and time. {INSTANT_HINT}") from None
    if not is_supported_day(moment):
        raise ParamError(f"Give a date and time from {FIRST_YEAR} to {LAST_YEAR}. {INSTANT_HINT}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


class InstantParam(QueryParam):
    """A query parameter holding an instant; the district zone is read when parsing."""

    def parse(self, raw: str) -> datetime:
        from booking.i18n import district_zone

        return parse_instant(raw, district_zone())

    def schema(self) -> dict:
        return {"type": "string", "format": "date-time", "description": INSTANT_RANGE_DESCRIPTION}


@dataclass(frozen=True)
class ParsedParam(QueryParam):
    """A query parameter read by ``parser`` (None when unreadable, then ``hint`` is the message)."""

    parser: Callable[[str], object] = str
    hint: str = ""
    json_schema: dict = field(default_factory=dict)

    def parse(self, raw: str):
        value = self.parser(raw)
        if value is None:
            raise ParamError(self.hint)
        return value

    def schema(self) -> dict:
        return dict(self.json_schema)


def date_param(name: str, description: str) -> ParsedParam:
    return ParsedParam(name, description, parser=parse_day,
                       hint=DAY_HINT,
                       json_schema={"type": "string", "format": "date", "description": DAY_RANGE_DESCRIPTION})


def clock_param(name: str, description: str) -> ParsedParam:
    return ParsedParam(name, description, parser=parse_clock, hint="Give a wall-clock time as HH:MM.",
                       json_schema={"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"})


def instant_field(body: dict, name: str, zone: ZoneInfo) -> datetime:
    """A body's instant as an aware UTC datetime; the body's schema has checked that it reads."""
    return parse_instant(body[name], zone)


def _recurrence(value: dict | None) -> dict:
    if value is None:
        return {}
    return {"rrule": value["rrule"], "skip_conflicts": value.get("skip_conflicts", False),
            "until": parse_day(value["until"]) if value.get("until") is not None else None,
            "term_id": json_whole_number(value.get("term_id"))}


BY_TIME, BY_PERIOD = ("start", "end"), ("day", "period_number", "period_to")


def booking_time(body: dict, zone: ZoneInfo) -> dict:
    """The time asked for: ``start``/``end``, or a bell period (``day`` + ``period_number``, ``period_to``), which
    the booking service reads as the page's form does (the host school's bells). Never both."""
    if any(name in body for name in BY_PERIOD):
        if any(name in body for name in BY_TIME):
            raise ValidationFailed({name: "Give start and end, or day and period_number, not both."
                                    for name in BY_TIME if name in body})
        last = json_whole_number(body.get("period_to"))
        first = json_whole_number(body["period_number"])
        if last is not None and last < first:
            raise ValidationFailed({"period_to": _l("Choose the first period or a later one.")})
        return {"day": parse_day(body["day"]), "period_number": first, "period_to": None if last == first else last}
    return {"start": instant_field(body, "start", zone) if "start" in body else None,
            "end": instant_field(body, "end", zone) if "end" in body else None}


def booking_input(body: dict, zone: ZoneInfo) -> BookingInput:
    """The POST /bookings body, valid against BOOKING_BODY_SCHEMA (checked before the view), as a BookingInput."""
    return BookingInput(
        resource_id=json_whole_number(body["resource_id"]),
        **booking_time(body, zone),
        title=body.get("title", ""),
        class_name=body.get("class_name", ""),
        students=json_whole_number(body.get("students")),
        quantity=json_whole_number(body.get("quantity", 1)),
        school_id=json_whole_number(body.get("school_id")),
        subject=body.get("subject") or None,
        lesson_kind=body.get("lesson_kind") or None,
        outside_term_ok=body.get("outside_term_ok", False),
        **_recurrence(body.get("recurrence")),
    )


OCCURRENCE = Shape("Occurrence", {"id": identifier(), "start": instant("starts_at"), "end": instant("ends_at"),
                                   "status": choice(BookingStatus)})
OCCURRENCE_SCHEMA = OCCURRENCE.ref

BOOKING = Shape("Booking", {
    "id": identifier(),
    "resource_id": identifier(),
    "series_id": identifier(nullable=True),
    "school_id": identifier(),
    "booked_by_id": identifier(),
    "start": instant("starts_at"),
    "end": instant("ends_at"),
    "status": choice(BookingStatus),
    "quantity": typed({"type": "integer", "minimum": 1}),
    "title": text(),
    "class_name": text(),
    "students": typed({"type": "integer", "minimum": 0}, nullable=True),
    "original_start": instant(nullable=True),
    "is_exception": boolean(),
    "cancel_reason": text(),
    "decision_reason": text(),
    "decided_at": instant(nullable=True),
    "sequence": typed({"type": "integer", "description": "iCalendar SEQUENCE: bumped on every change."}),
    "lesson_subject": text(nullable=True, description="A visiting teacher's lesson: the subject."),
    "lesson_kind": choice(LessonKind, nullable=True,
                          description="A visiting teacher's lesson: demonstration, regular or training."),
    "outcome": choice(BookingOutcome, nullable=True,
                      description="What happened: used (a lesson delivered) or no_show (not delivered); null until "
                                  "recorded."),
    "outcome_note": text(lambda booking: booking.outcome_note or ""),
    "created_at": instant(),
    "updated_at": instant(),
})
BOOKING_SCHEMA = BOOKING.ref

PERIOD = {"type": "integer", "minimum": 1, "maximum": 20}
BOOKING_BODY_SCHEMA = schema("BookingRequest", {
    "type": "object",
    "required": ["resource_id", "title"],
    "additionalProperties": False,
    "description": "When: `start` and `end`, or a bell period (第N节) as the booking page offers it: `day` and "
                   "`period_number` (`period_to` for a double lesson), the periods of the resource's school (a "
                   "visiting teacher's lesson: of the class's school). Not both; a series repeats the first date.",
    "dependentRequired": {"start": ["end"], "end": ["start"], "period_number": ["day"], "day": ["period_number"],
                          "period_to": ["period_number"]},
    "properties": {
        "resource_id": ID,
        "start": {"type": "string", "format": "date-time", "description": INSTANT_RANGE_DESCRIPTION},
        "end": {"type": "string", "format": "date-time", "description": "After start. " + INSTANT_RANGE_DESCRIPTION},
        "day": {"type": "string", "format": "date", "description": "The local date of a booking by bell period. "
                + DAY_RANGE_DESCRIPTION},
        "period_number": {**PERIOD, "description": "The bell period (第N节) on `day`."},
        "period_to": {**PERIOD, "description": "The last period of a double lesson (default: `period_number`)."},
        "title": {"type": "string", "maxLength": Booking.title.type.length, "description": "The purpose."},
        "class_name": {"type": "string", "maxLength": Booking.class_name.type.length},
        "students": {"type": "integer", "minimum": 0, "maximum": MAX_STUDENTS},
        "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 1},
        "school_id": {**ID, "description": "The class's school; coordinators only, default your own."},
        "subject": {"type": "string", "maxLength": Booking.lesson_subject.type.length,
                    "description": "Visiting teachers only: the subject (default: the teacher's only one). A subject "
                                   "the teacher does not teach is a 422."},
        "lesson_kind": {**enum_schema(LessonKind), "default": "demonstration", "description": "Visiting teachers only."},
        "outside_term_ok": {"type": "boolean", "default": False,
                            "description": "Dates in a gap between two terms (寒假, 暑假) are meant. Without it, a "
                                           "resource that asks for confirmation there (the default) answers 422 "
                                           "`outside_term`."},
        "recurrence": {"type": "object", "required": ["rrule"], "additionalProperties": False, "properties": {
            "rrule": {"type": "string", "examples": ["FREQ=WEEKLY;BYDAY=TH;UNTIL=20270115"]},
            "skip_conflicts": {"type": "boolean", "default": False},
            "until": {"type": "string", "format": "date",
                      "description": "Ends a rule without UNTIL/COUNT. " + DAY_RANGE_DESCRIPTION},
            "term_id": {**ID, "description": "Ends a rule without UNTIL/COUNT at this term's end."},
        }},
    },
})


# A refusal of the booking rules and a free alternative: in 409 answers (the operations' descriptions list them).
REFUSAL = Shape(None, {"kind": choice(RefusalKind), "start": instant(), "end": instant(),
                       "booking_id": identifier(nullable=True), "message": text(convert=str)})
SUGGESTION = Shape(None, {"resource_id": identifier(), "resource_name": text(), "school_id": identifier(),
                          "school_name": text(), "start": instant(), "end": instant(),
                          "travel_minutes": typed({"type": "integer", "minimum": 0}, nullable=True)})

# The names the route modules used before the shapes.
occurrence_json, booking_json = OCCURRENCE.dump, BOOKING.dump
refusal_json, suggestion_json = REFUSAL.dump, SUGGESTION.dump
