"""What makes a resource valid: pure rules shared by the resource form and the CSV import.

Nothing here touches the database or the request, so the rules are tested without an app.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from booking.labels import SUBJECTS, WEEKDAYS, label
from booking.resources.models import CATEGORIES_BY_KIND, Category, OutsideTerm, ResourceKind, Sharing
from booking.parsing import parse_clock, text_error
from booking.texts import lazy_gettext as _l

LAB_SUBJECTS = ("physics", "chemistry", "biology", "science", "computer")
NAME_MAX = 100
LOCATION_MAX = 100


@dataclass(frozen=True)
class Window:
    """One opening window; a form row may leave parts empty, which the rules then report."""

    weekday: int | None
    opens: time | None
    closes: time | None


# What a new resource starts with: Monday to Friday, 08:00–17:00.
DEFAULT_OPENING_HOURS = tuple(Window(day, time(8, 0), time(17, 0)) for day in range(5))


@dataclass
class ResourceInput:
    kind: str
    category: str
    name: str
    owner_school_id: int | None
    subject: str = ""
    location: str = ""
    description: str = ""
    capacity: int | None = None
    stock: int | None = None
    sharing: str = Sharing.DISTRICT.value
    approval_required: bool = False
    waitlist_weak_first: bool = False  # the waitlist serves weak schools' classes first (booking.waitlist)
    min_duration_minutes: int | None = None
    max_duration_minutes: int | None = None
    max_advance_days: int | None = None
    outside_term: str = OutsideTerm.CONFIRM.value  # bookings in a gap between terms: confirm, refuse or allow
    opening_hours: list[Window] = field(default_factory=lambda: list(DEFAULT_OPENING_HOURS))


def check_resource_input(data: ResourceInput) -> dict[str, str]:
    """Field name → message for everything wrong with ``data`` (empty when it is fine)."""
    errors: dict[str, str] = {}
    errors.update(_kind_errors(data))
    errors.update(_text_errors(data))
    errors.update(_quantity_errors(data))
    errors.update(_booking_rule_errors(data))
    if data.outside_term not in {o.value for o in OutsideTerm}:
        errors["outside_term"] = _l("Choose one of: %(choices)s.", choices=_names(OutsideTerm))
    hours_error = opening_hours_error(data.opening_hours)
    if hours_error:
        errors["opening_hours"] = hours_error
    return errors


def _names(values) -> str:
    return " / ".join(f"{label(v)} ({v})" for v in values)


def _kind_errors(data: ResourceInput) -> dict:
    if data.kind not in {k.value for k in ResourceKind}:
        return {"kind": _l("Choose one of: %(choices)s.", choices=_names(ResourceKind))}
    errors = {}
    allowed = CATEGORIES_BY_KIND[ResourceKind(data.kind)]
    if data.category not in {c.value for c in allowed}:
        errors["category"] = _l("This category does not belong to the kind %(kind)s; choose one of: %(choices)s.",
                                kind=label(ResourceKind(data.kind)), choices=_names(allowed))
    subject_error = None if errors else _subject_error(data.category, data.subject)
    if subject_error:
        errors["subject"] = subject_error
    if data.sharing not in {s.value for s in Sharing}:
        errors["sharing"] = _l("Choose one of: %(choices)s.", choices=_names(Sharing))
    return errors


def _subject_error(category: str, subject: str):
    """Labs and visiting teachers are counted by subject in the equity report, so they need one."""
    if category == Category.LAB and subject not in LAB_SUBJECTS:
        return _l("Choose the lab's subject: %(choices)s.", choices=_names(LAB_SUBJECTS))
    if category == Category.VISITING_TEACHER and subject not in SUBJECTS:
        return _l("Choose the subject this teacher teaches: %(choices)s.", choices=_names(SUBJECTS))
    if subject and subject not in SUBJECTS:
        return _l("Unknown subject %(value)s; choose one of: %(choices)s.", value=subject, choices=_names(SUBJECTS))
    return None


def _text_errors(data: ResourceInput) -> dict:
    errors = {}
    for name, limit, required_message in (("name", NAME_MAX, _l("Enter a name.")), ("location", LOCATION_MAX, None)):
        problem = text_error((getattr(data, name) or "").strip(), limit, required_message)
        if problem is not None:
            errors[name] = problem
    if data.owner_school_id is None:
        errors["owner_school_id"] = _l("Choose the school that owns it.")
    return errors


def _quantity_errors(data: ResourceInput) -> dict:
    errors = {}
    if data.capacity is not None and data.capacity <= 0:
        errors["capacity"] = _l("The capacity must be more than 0.")
    elif data.capacity is None and data.kind == ResourceKind.FACILITY:
        errors["capacity"] = _l("Enter how many students fit (more than 0).")
    if data.kind == ResourceKind.EQUIPMENT:
        if data.stock is None or data.stock < 1:
            errors["stock"] = _l("Equipment needs a stock of at least 1.")
    elif data.stock not in (None, 1):
        errors["stock"] = _l("Only equipment has a stock; leave it at 1.")
    return errors


def _booking_rule_errors(data: ResourceInput) -> dict:
    errors = {}
    shortest, longest = data.min_duration_minutes, data.max_duration_minutes
    if shortest is not None and shortest <= 0:
        errors["min_duration_minutes"] = _l("The shortest booking must be more than 0 minutes.")
    if longest is not None and longest <= 0:
        errors["max_duration_minutes"] = _l("The longest booking must be more than 0 minutes.")
    elif longest is not None and shortest is not None and 0 < shortest and longest < shortest:
        errors["max_duration_minutes"] = _l("The longest booking cannot be shorter than the shortest.")
    if data.max_advance_days is not None and data.max_advance_days < 0:
        errors["max_advance_days"] = _l("The number of days ahead cannot be negative.")
    return errors


def _span(window: Window) -> str:
    return f"{window.opens:%H:%M}–{window.closes:%H:%M}"


def opening_hours_error(windows: list[Window]):
    """The first problem with a week of opening windows, or None.

    Windows of one day may touch (12:00–14:00 then 14:00–17:00) but not overlap.
    """
    for window in windows:
        if window.weekday is None or not 0 <= window.weekday <= 6:
            return _l("Choose the day for every opening window.")
        if window.opens is None or window.closes is None:
            return _l("%(day)s: enter both the opening and the closing time.", day=WEEKDAYS[window.weekday])
        if window.closes <= window.opens:
            return _l("%(day)s: the closing time must be after the opening time (%(span)s).",
                      day=WEEKDAYS[window.weekday], span=_span(window))
    ordered = sorted(windows, key=lambda w: (w.weekday, w.opens))
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.weekday == later.weekday and later.opens < earlier.closes:
            return _l("%(day)s: %(first)s overlaps %(second)s.", day=WEEKDAYS[later.weekday],
                      first=_span(earlier), second=_span(later))
    return None


# --- Opening hours as one line of text, for CSV files: "1-5 08:00-12:00,14:00-17:00; 6 09:00-11:30" ---

_FULL_WIDTH = str.maketrans({"；": ";", "，": ",", "：": ":", "～": "-", "~": "-", "－": "-", "–": "-", "—": "-"})
_DAYS = re.compile(r"^([1-7])(?:-([1-7]))?$")


class HoursSyntaxError(ValueError):
    """The text is not in the opening-hours format; the message says what to write."""


HOURS_FORMAT_HINT = _l("Write days 1–7 (1 = Monday) then times, e.g. 1-5 08:00-12:00,14:00-17:00; 6 09:00-11:30.")


def parse_opening_hours(text: str) -> list[Window]:
    """Windows from text; times are not checked for order or overlap here (the rules do that)."""
    windows: list[Window] = []
    for segment in filter(None, (s.strip() for s in text.translate(_FULL_WIDTH).split(";"))):
        days_part, _, spans_part = segment.partition(" ")
        days = _DAYS.match(days_part)
        if not days or not spans_part.strip():
            raise HoursSyntaxError(HOURS_FORMAT_HINT)
        first = int(days.group(1))
        last = int(days.group(2) or first)
        if last < first:
            raise HoursSyntaxError(HOURS_FORMAT_HINT)
        spans = [_parse_span(s.strip()) for s in spans_part.replace(" ", "").split(",") if s.strip()]
        windows.extend(Window(day - 1, opens, closes) for day in range(first, last + 1) for opens, closes in spans)
    return windows


def _parse_span(text: str) -> tuple[time, time]:
    opens_text, _, closes_text = text.partition("-")
    opens, closes = parse_clock(opens_text), parse_clock(closes_text)
    if opens is None or closes is None:
        raise HoursSyntaxError(HOURS_FORMAT_HINT)
    return opens, closes


def format_opening_hours(windows) -> str:
    """The text form of windows, readable back by ``parse_opening_hours``; like days share a range."""
    by_day: dict[int, str] = {}
    for window in sorted(windows, key=lambda w: (w.weekday, w.opens)):
        span = f"{window.opens:%H:%M}-{window.closes:%H:%M}"
        by_day[window.weekday] = f"{by_day[window.weekday]},{span}" if window.weekday in by_day else span
    runs: list[list] = []  # [first day, last day, spans]
    for day, spans in by_day.items():
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == spans:
            runs[-1][1] = day
        else:
            runs.append([day, day, spans])
    return "; ".join(f"{first + 1}{'' if first == last else f'-{last + 1}'} {spans}" for first, last, spans in runs)
