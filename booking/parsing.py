"""Reading typed values that arrive as strings (forms, CSV files, JSON) or already parsed. Pure.

Each parser accepts both and returns None for anything unreadable, so the caller names the field
in its own message. Every package reads numbers, clock times, days and free text through these.
"""
from __future__ import annotations

import re
from datetime import date, time

from booking.texts import lazy_gettext as _l
from booking.validation import is_supported_day


_CLOCK_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_whole_number(value, maximum: int) -> int | None:
    """An integer 0..maximum from an int or a string such as " 12 "; None when it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= maximum else None


def parse_clock(value) -> time | None:
    """A wall-clock time from a ``time`` or "8:05"/"08:05"/"08:05:00"; None when unreadable."""
    if isinstance(value, time):
        return value
    match = _CLOCK_PATTERN.match((value or "").strip()) if isinstance(value, str) else None
    if match is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_day(value) -> date | None:
    """A date from a ``date`` or an ISO "YYYY-MM-DD" string; None when unreadable or outside the
    years a school calendar can mean (see ``booking.validation``)."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value.strip()) if isinstance(value, str) else None
        except ValueError:
            return None
    return day if day is not None and is_supported_day(day) else None


# Control characters and line or paragraph separators: a field of one line (a title, a class) keeps none of them.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(value):
    """``value`` on one line: line breaks, tabs and other control characters become one space, the ends stripped
    (an attack pass, 2026-12-06, stored a title of several lines through the API). Not text: as it is."""
    if not isinstance(value, str):
        return value
    return _LINE_BREAKING.sub(" ", value).strip()


def text_error(value: str, max_length: int, required_message=None):
    """Why a free-text field is unacceptable, or None. ``value`` is already stripped."""
    if required_message is not None and not value:
        return required_message
    if len(value) > max_length:
        return _l("At most %(n)d characters.", n=max_length)
    return None


def spans_overlap(first_start: date, first_end: date, second_start: date, second_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return first_start <= second_end and second_start <= first_end


def check_date_range(start_value, end_value) -> tuple[dict, date | None, date | None]:
    """Errors for a start/end date pair (keys start_date, end_date) and the parsed dates."""
    errors: dict = {}
    start, end = parse_day(start_value), parse_day(end_value)
    if start is None:
        errors["start_date"] = _l("Enter a start date (YYYY-MM-DD).")
    if end is None:
        errors["end_date"] = _l("Enter an end date (YYYY-MM-DD).")
    elif start is not None and end < start:
        errors["end_date"] = _l("The end date must not be before the start date.")
    return errors, start, end
