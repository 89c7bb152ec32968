"""What the booking pages' forms typed, read into the services' inputs. Pure: no database, no request.

Forms carry strings; every unreadable value gets a message naming its field, and the
service's own field errors are moved onto the matching inputs (``form_errors``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

from booking.bookings.changes import BookingChanges
from booking.bookings.planning import MAX_STUDENTS, BookingInput
from booking.bookings.rules.recurrence import RecurrenceError, weekly_rule
from booking.bookings.suggestions import SearchInput
from booking.i18n import local_to_utc
from booking.parsing import parse_clock, parse_day, parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID

MAX_QUANTITY = 100_000
REPEAT_CHOICES = ("", "1", "2")  # once, every week, every 2 weeks
# Inputs that say when; a service's time errors are dropped when these already have one.
WHEN_FIELDS = {"day", "period_number", "period_to", "start_time", "end_time"}
SERVICE_WHEN_KEYS = {"start", "end", "period_number"}
# The services' field names, as the booking form names its inputs.
FORM_FIELD_OF = {"start": "start_time", "end": "end_time", "recurrence": "repeat", "term_id": "until",
                 "resource_id": "", "booking": ""}


@dataclass
class TermSpan:
    id: int
    end_date: date


@dataclass
class Parsed:
    """A BookingInput, or as much of it as could be read, with the errors of what could not."""

    data: BookingInput
    errors: dict = field(default_factory=dict)


def _text(values: Mapping, name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _day(values: Mapping, name: str, errors: dict, required_message=None) -> date | None:
    text = _text(values, name)
    if not text:
        if required_message is not None:
            errors[name] = required_message
        return None
    day = parse_day(text)  # None also outside the years a school calendar can mean
    if day is None:
        errors[name] = _l("Enter a date such as 2026-09-03.")
    return day


def _number(values: Mapping, name: str, maximum: int, message, errors: dict) -> int | None:
    text = _text(values, name)
    if not text:
        return None
    number = parse_whole_number(text, maximum)
    if number is None:
        errors[name] = message
    return number


def _clock(values: Mapping, name: str, missing_message, errors: dict) -> time | None:
    text = _text(values, name)
    clock = parse_clock(text) if text else None
    if clock is None:
        errors[name] = missing_message if not text else _l("Enter a time such as 09:50.")
    return clock


def _period_numbers(values: Mapping, errors: dict) -> tuple[int | None, int | None]:
    first = _number(values, "period_number", 99, _l("Choose one of the periods."), errors)
    last = _number(values, "period_to", 99, _l("Choose one of the periods."), errors)
    if first is not None and last is not None and last < first:
        errors["period_to"] = _l("Choose the first period or a later one.")
    return first, last


WHEN_MODES = ("period", "time")  # 按节次, 按时间: the booking form's choice; without it, whichever was filled in


def read_when(values: Mapping, day: date | None, zone: ZoneInfo, errors: dict) -> dict:
    """A period (第N节, optionally to a later one) or clock times, as BookingInput fields.

    ``when_mode`` "period" reads only the period (and asks for one), "time" only the clock times;
    the inputs of the other way are ignored, whatever they hold."""
    mode = _text(values, "when_mode")
    if mode == "period" and not _text(values, "period_number"):
        errors["period_number"] = _l("Choose a period.")
        return {}
    if mode == "time":
        values = {**values, "period_number": "", "period_to": ""}
    elif mode == "period":
        values = {**values, "start_time": "", "end_time": ""}
    if _text(values, "period_number"):
        if _text(values, "start_time") or _text(values, "end_time"):
            errors["start_time"] = _l("Choose a period or enter clock times, not both.")
        first, last = _period_numbers(values, errors)
        return {"day": day, "period_number": first, "period_to": last if last != first else None}
    start = _clock(values, "start_time", _l("Choose a period, or enter when the booking starts."), errors)
    end = _clock(values, "end_time", _l("Enter when the booking ends."), errors)
    if start is not None and end is not None and end <= start:
        errors["end_time"] = _l("The end must be after the start.")
        return {}
    if day is None or start is None or end is None:
        return {}
    return {"start": local_to_utc(day, start, zone), "end": local_to_utc(day, end, zone)}


def _weekdays(values: Mapping, day: date | None, errors: dict) -> list[int]:
    raw = values.get("weekdays") or []
    chosen = [int(v) for v in raw if isinstance(v, str) and v.isdigit() and int(v) < 7]
    if len(chosen) != len(raw):
        errors["weekdays"] = _l("Choose weekdays from the list.")
    return chosen or ([day.weekday()] if day else [])


def read_recurrence(values: Mapping, day: date | None, find_term: Callable[[date], TermSpan | None],
                    errors: dict) -> dict:
    """"Every Thursday (and …), every week or every 2 weeks, until a date or the end of the term" (the term of
    ``day`` found only for a series)."""
    repeat = _text(values, "repeat")
    if repeat not in REPEAT_CHOICES:
        errors["repeat"] = _l("Choose how often the booking repeats.")
    if not repeat or repeat not in REPEAT_CHOICES:
        return {}
    term = find_term(day) if day else None
    weekdays = _weekdays(values, day, errors)
    until = _day(values, "until", errors)
    if until is None and "until" not in errors:
        if term is None:
            errors["until"] = _l("No term covers this date: enter the last date.")
        until = term.end_date if term else None
    if day is not None and until is not None and until < day:
        errors["until"] = _l("The last date cannot be before the first date.")
    if day is None or until is None or errors.get("until") or errors.get("weekdays"):
        return {}
    try:
        rule = weekly_rule(weekdays, until, int(repeat))
    except RecurrenceError as error:
        errors["weekdays"] = error.message
        return {}
    return {"rrule": rule, "until": until, "term_id": term.id if term else None}


def read_booking(values: Mapping, resource_id: int, zone: ZoneInfo, find_term: Callable[[date], TermSpan | None],
                 choose_school: bool, quantity_based: bool) -> Parsed:
    """The booking form's values as a BookingInput, and the errors of the fields that could not be read."""
    errors: dict = {}
    day = _day(values, "day", errors, _l("Choose a date."))
    data = BookingInput(
        resource_id=resource_id, title=_text(values, "title"), class_name=_text(values, "class_name"),
        students=_number(values, "students", MAX_STUDENTS,
                         _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS), errors),
        quantity=1, school_id=None, outside_term_ok=bool(values.get("outside_term_ok")),
    )
    if quantity_based:
        quantity = _number(values, "quantity", MAX_QUANTITY, _l("Enter how many, as a whole number."), errors)
        data.quantity = 1 if quantity is None else quantity
    if choose_school:
        data.school_id = _number(values, "school_id", MAX_ID, _l("Choose a school from the list."), errors)
    for name, value in read_when(values, day, zone, errors).items():
        setattr(data, name, value)
    for name, value in read_recurrence(values, day, find_term, errors).items():
        setattr(data, name, value)
    return Parsed(data, errors)


def form_errors(service_errors: Mapping, own_errors: Mapping | None = None) -> dict:
    """The service's errors keyed by form field ('' = about the whole form), under the form's own ones."""
    own = dict(own_errors or {})
    when_known = bool(WHEN_FIELDS & set(own))
    merged: dict = {}
    for key, message in service_errors.items():
        if when_known and key in SERVICE_WHEN_KEYS:
            continue
        name = FORM_FIELD_OF.get(key, key)
        merged.setdefault(name, message)
    merged.update(own)
    return merged


# --- changing a booking ------------------------------------------------------------------


def read_changes(values: Mapping, current_start: datetime, current_end: datetime, zone: ZoneInfo,
                 period_clock: Callable[[int], tuple[time, time] | None], one_date: bool) -> tuple[BookingChanges, dict]:
    """The change form as BookingChanges: only what differs from the booking's current values moves it."""
    errors: dict = {}
    changes = BookingChanges(
        title=_text(values, "title"), class_name=_text(values, "class_name"),
        students=_number(values, "students", MAX_STUDENTS,
                         _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS), errors),
        outside_term_ok=bool(values.get("outside_term_ok")),
    )
    local_start, local_end = current_start.astimezone(zone), current_end.astimezone(zone)
    if one_date:
        day = _day(values, "day", errors, _l("Choose a date."))
        changes.day = day if day is not None and day != local_start.date() else None
    clocks = _change_clocks(values, period_clock, errors)
    if clocks is not None:
        start, end = clocks
        changes.start_time = start if start != local_start.time() else None
        changes.end_time = end if end != local_end.time() else None
    return changes, errors


def _change_clocks(values: Mapping, period_clock, errors: dict) -> tuple[time, time] | None:
    if _text(values, "period_number"):
        first, last = _period_numbers(values, errors)
        if first is None or "period_to" in errors:
            return None
        clock = period_clock(first) if last is None else _joined(period_clock(first), period_clock(last))
        if clock is None:
            errors["period_number"] = _l("The owner school has no such period.")
        return clock
    start = _clock(values, "start_time", _l("Choose a period, or enter when the booking starts."), errors)
    end = _clock(values, "end_time", _l("Enter when the booking ends."), errors)
    if start is not None and end is not None and end <= start:
        errors["end_time"] = _l("The end must be after the start.")
        return None
    return (start, end) if start is not None and end is not None else None


def _joined(first, last):
    return (first[0], last[1]) if first and last else None


# --- the district-wide search -----------------------------------------------------------


def read_search(values: Mapping) -> tuple[SearchInput, dict]:
    errors: dict = {}
    data = SearchInput(category=_text(values, "category") or None, day=_day(values, "date", errors))
    data.period_number = _number(values, "period", 99, _l("Choose one of the periods."), errors)
    if data.period_number is None:
        data.start_time = parse_clock(_text(values, "start")) if _text(values, "start") else None
        data.end_time = parse_clock(_text(values, "end")) if _text(values, "end") else None
    data.students = _number(values, "students", MAX_STUDENTS,
                            _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS), errors)
    return data, errors

