"""Pure checks for school administration input: no database, no request, so they test without an app.

Input may arrive as strings (forms, CSV files, JSON) or as parsed values; each parser accepts both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from booking.parsing import parse_clock, parse_whole_number
from booking.texts import lazy_gettext as _l


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CODE_MAX_LENGTH = 32
MAX_ENROLLMENT = 100_000
MAX_TRAVEL_MINUTES = 600


def code_error(code: str):
    """Why a school code is unacceptable (ignoring uniqueness), or None."""
    if not code:
        return _l("Enter a school code.")
    if len(code) > CODE_MAX_LENGTH:
        return _l("The school code may have at most %(n)d characters.", n=CODE_MAX_LENGTH)
    if not CODE_PATTERN.match(code):
        return _l("Use only letters, digits, '-', '_' and '.' in the school code, starting with a letter or digit.")
    return None


@dataclass
class PeriodRow:
    """One row of the bell schedule form as typed: blank rows are skipped, not errors."""

    number: object = ""
    start: object = ""
    end: object = ""

    def is_blank(self) -> bool:
        return all(v in (None, "") for v in (self.number, self.start, self.end))


def period_key(index: int, part: str) -> str:
    """Error key for a bell schedule row; matches the form's field names (periods-0-start)."""
    return f"periods-{index}-{part}"


def _parse_period(index: int, row: PeriodRow, errors: dict) -> tuple[int, time, time] | None:
    number = parse_whole_number(row.number, 99)
    start, end = parse_clock(row.start), parse_clock(row.end)
    if number is None or number < 1:
        errors[period_key(index, "number")] = _l("Enter the period number (1, 2, 3 …).")
    if start is None:
        errors[period_key(index, "start")] = _l("Enter a start time such as 08:00.")
    if end is None:
        errors[period_key(index, "end")] = _l("Enter an end time such as 08:40.")
    elif start is not None and end <= start:
        errors[period_key(index, "end")] = _l("The period must end after it starts.")
    if period_key(index, "number") in errors or start is None or end is None:
        return None
    return number, start, end


def check_periods(rows: list[PeriodRow]) -> tuple[dict, list[tuple[int, time, time]]]:
    """Field errors for a whole bell schedule, and its periods (number, start, end) when it is valid.

    Periods must be numbered 1..N in row order, each end after its start, and end no later
    than the next period starts. Error keys name the row as typed, blank rows included.
    """
    errors: dict = {}
    parsed: list[tuple[int, int, time, time]] = []
    for index, row in enumerate(rows):
        if row.is_blank():
            continue
        period = _parse_period(index, row, errors)
        if period is not None:
            parsed.append((index, *period))
    if not parsed and not errors:
        errors["periods"] = _l("Enter at least one period.")
    for expected, (index, number, _start, _end) in enumerate(parsed, start=1):
        if number != expected and period_key(index, "number") not in errors:
            errors[period_key(index, "number")] = _l("Number the periods 1, 2, 3 … in order: expected %(n)d here.",
                                                     n=expected)
    for (index, number, _start, end), (_next_index, _n, next_start, _e) in zip(parsed, parsed[1:]):
        if end > next_start:
            errors[period_key(index, "end")] = _l("Period %(n)d must end before the next period starts.", n=number)
    if errors:
        return errors, []
    return errors, [(number, start, end) for _i, number, start, end in parsed]


def travel_key(a_id: int, b_id: int) -> str:
    """Error key and form input name for the minutes between two schools (smaller id first)."""
    first, second = sorted((a_id, b_id))
    return f"travel-{first}-{second}"


