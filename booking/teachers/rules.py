"""What makes a visiting teacher's profile and home-school timetable valid. Pure: no database, no request.

The services read the database (which schools exist, the travel matrix) and hand it in; the
messages name the field and, for missing travel times, the schools concerned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from itertools import combinations
from typing import Mapping

from booking.labels import SUBJECTS, WEEKDAYS
from booking.resources.rules import HoursSyntaxError, Window, opening_hours_error, parse_opening_hours
from booking.parsing import parse_clock, parse_day, parse_whole_number, text_error
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID

MAX_WEEKLY_CAP = 60
NOTE_MAX = 200


@dataclass
class ProfileInput:
    """A profile as typed: ids and numbers may still be strings. ``resource_id`` None = a new resource."""

    user_id: int | str | None
    home_school_id: int | str | None
    weekly_cap: int | str | None
    subjects: list[str] = field(default_factory=list)
    served_school_ids: list[int | str] = field(default_factory=list)
    availability: str = ""  # "1-5 08:00-12:00,14:00-17:00" (see resources.rules.parse_opening_hours)
    resource_id: int | str | None = None


@dataclass
class CheckedProfile:
    user_id: int
    home_school_id: int
    weekly_cap: int
    subjects: list[str]
    served_school_ids: list[int]
    availability: list[Window]
    resource_id: int | None


def _id(value) -> int | None:
    return parse_whole_number(value, MAX_ID) if value not in (None, "") else None


def _cap(value, errors: dict) -> int | None:
    text = str(value).strip() if value is not None else ""
    negative = text.startswith("-") and text[1:].isdigit()
    cap = parse_whole_number(text, MAX_WEEKLY_CAP) if text else None
    if cap is None or cap <= 0:
        errors["weekly_cap"] = (_l("The weekly workload cap must be at least 1 lesson.") if negative or cap == 0
                                else _l("Enter the weekly workload cap: a whole number of lessons from 1 to %(n)d.",
                                        n=MAX_WEEKLY_CAP))
        return None
    return cap


def _availability(text: str, errors: dict) -> list[Window]:
    try:
        windows = parse_opening_hours(text or "")
    except HoursSyntaxError as error:
        errors["availability"] = str(error)
        return []
    problem = opening_hours_error(windows)
    if problem is not None:
        errors["availability"] = problem
    elif not windows:
        errors["availability"] = _l("Enter the days and times the teacher is available.")
    return windows


def check_profile_input(data: ProfileInput) -> tuple[dict, CheckedProfile | None]:
    """Field errors of a profile, and the checked values when there are none (schools not yet looked up)."""
    errors: dict = {}
    user_id, home_id = _id(data.user_id), _id(data.home_school_id)
    if user_id is None:
        errors["user_id"] = _l("Choose the teacher's user account.")
    if home_id is None:
        errors["home_school_id"] = _l("Choose the teacher's home school.")
    cap = _cap(data.weekly_cap, errors)
    subjects = list(dict.fromkeys(data.subjects))
    if not subjects or any(s not in SUBJECTS for s in subjects):
        errors["subjects"] = _l("Choose the subjects the teacher teaches.")
    served = [_id(value) for value in data.served_school_ids]
    if None in served:
        errors["served_school_ids"] = _l("Choose schools from the list.")
    served = [school_id for school_id in dict.fromkeys(served) if school_id not in (None, home_id)]
    if not served and "served_school_ids" not in errors:
        errors["served_school_ids"] = _l("Choose the schools the teacher serves.")
    windows = _availability(data.availability, errors)
    resource_id = _id(data.resource_id)
    if data.resource_id not in (None, "") and resource_id is None:
        errors["resource_id"] = _l("Choose a resource from the list.")
    if errors:
        return errors, None
    return {}, CheckedProfile(user_id, home_id, cap, subjects, served, windows, resource_id)


def missing_travel(home_id: int, served_ids: list[int], matrix: Mapping[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Pairs of campuses the teacher may travel between that have no travel time: home ↔ each served
    school, and between served schools (a day may take the teacher from one to the next)."""
    campuses = [home_id, *served_ids]
    return [(a, b) for a, b in combinations(campuses, 2) if (min(a, b), max(a, b)) not in matrix]


def missing_travel_message(pairs: list[tuple[int, int]], names: Mapping[int, str]):
    shown = "; ".join(f"{names.get(a, a)} – {names.get(b, b)}" for a, b in pairs[:5])
    more = len(pairs) - 5
    return _l("Travel times are missing between %(pairs)s%(more)s. Enter them under Administration → Travel times "
              "first; the profile cannot be saved without them.", pairs=shown, more=f" (+{more})" if more > 0 else "")


@dataclass
class BusyInput:
    weekday: int | str | None
    starts: time | str | None
    ends: time | str | None
    term_id: int | str | None = None
    first_date: date | str | None = None
    last_date: date | str | None = None
    note: str = ""


@dataclass
class CheckedBusy:
    weekday: int
    starts: time
    ends: time
    term_id: int | None
    first_date: date | None
    last_date: date | None
    note: str


def _optional_day(value, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    day = parse_day(value)
    if day is None:
        errors[name] = _l("Enter a date such as 2026-09-03.")
    return day


def check_busy_input(data: BusyInput) -> tuple[dict, CheckedBusy | None]:
    """Field errors of one home-school commitment, and the checked values when there are none."""
    errors: dict = {}
    weekday = parse_whole_number(data.weekday, 6) if data.weekday not in (None, "") else None
    if weekday is None:
        errors["weekday"] = _l("Choose the weekday.")
    starts, ends = parse_clock(data.starts), parse_clock(data.ends)
    if starts is None:
        errors["starts"] = _l("Enter a time such as 09:50.")
    if ends is None:
        errors["ends"] = _l("Enter a time such as 09:50.")
    elif starts is not None and ends <= starts:
        errors["ends"] = _l("The end must be after the start.")
    first, last = _optional_day(data.first_date, "first_date", errors), _optional_day(data.last_date, "last_date", errors)
    if first and last and last < first:
        errors["last_date"] = _l("The last date cannot be before the first date.")
    term_id = _id(data.term_id)
    if data.term_id not in (None, "") and term_id is None:
        errors["term_id"] = _l("Choose a term from the list.")
    note = (data.note or "").strip()
    problem = text_error(note, NOTE_MAX)
    if problem is not None:
        errors["note"] = problem
    if errors:
        return errors, None
    return {}, CheckedBusy(weekday, starts, ends, term_id, first, last, note)


def timetable_lines(text: str, errors: dict) -> list[tuple[Window, str]]:
    """An imported home timetable: one commitment per line, "days spans note", e.g.
    "1-5 08:00-08:40,08:50-09:30 语文早读" (days 1 = Monday, as opening hours are written)."""
    found: list[tuple[Window, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        days, _, rest = line.strip().partition(" ")
        spans, _, note = rest.strip().partition(" ")
        try:
            windows = parse_opening_hours(f"{days} {spans}")
        except HoursSyntaxError as error:
            errors["timetable"] = _l("Line %(n)d: %(problem)s", n=number, problem=error)
            return []
        problem = opening_hours_error(windows)
        if problem is not None or text_error(note.strip(), NOTE_MAX) is not None:
            errors["timetable"] = _l("Line %(n)d: %(problem)s", n=number,
                                     problem=problem or text_error(note.strip(), NOTE_MAX))
            return []
        found.extend((window, note.strip()) for window in windows)
    if not found and "timetable" not in errors:
        errors["timetable"] = _l("Paste at least one line, e.g. %(example)s.", example="1-5 08:00-08:40")
    return found


def weekday_name(weekday: int):
    return WEEKDAYS[weekday]
