"""Recurring bookings: parse, bound and expand RFC 5545 RRULEs (python-dateutil). Pure.

A rule is expanded in the district's wall-clock time ("every Thursday 09:50" stays 09:50
local), then every instance becomes an aware UTC interval. Rules are stored normalised:
no COUNT, an UNTIL in UTC (as RFC 5545 requires when DTSTART has a zone), so a series
can be split at a date and exported to calendars unchanged.
"""
from __future__ import annotations

import re
from itertools import islice
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrulestr

from booking.bookings.rules.types import Interval
from booking.texts import lazy_gettext as _l

MAX_OCCURRENCES = 200
MAX_SPAN = timedelta(days=366)
ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY}
# Enough for school timetables; rarer parts (BYMONTH, BYSETPOS …) can describe rules that never
# produce a date, and dateutil then walks the calendar to the year 9999 looking for one.
ALLOWED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


class RecurrenceError(ValueError):
    """A rule that cannot be booked; ``message`` is a lazy string for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Recurrence:
    rule_text: str  # normalised RRULE value, without the "RRULE:" prefix
    occurrences: tuple[Interval, ...]  # every instance, UTC, in order
    until: datetime  # aware UTC: the last instant an occurrence may start


def _split_parts(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:"):]
    if not text or "\n" in text or "DTSTART" in text.upper():
        raise RecurrenceError(_l("Give one RRULE line, for example FREQ=WEEKLY;BYDAY=TH;UNTIL=20270115."))
    parts = {}
    for piece in text.strip(";").split(";"):
        name, sep, value = piece.partition("=")
        if not sep or not value:
            raise RecurrenceError(_l("The rule part “%(part)s” is not NAME=VALUE.", part=piece))
        name = name.strip().upper()
        if name not in ALLOWED_PARTS:
            raise RecurrenceError(_l("The rule part %(name)s is not supported.", name=name))
        parts[name] = value.strip().upper()
    return parts


def _until_local(value: str, zone: ZoneInfo) -> datetime:
    """UNTIL as naive local wall-clock time; a bare date includes the whole day (RFC 5545)."""
    match = _UNTIL.match(value)
    if not match:
        raise RecurrenceError(_l("UNTIL must be a date like 20270115 or a UTC time like 20270115T160000Z."))
    day_text, clock_text, utc = match.groups()
    try:
        day = datetime.strptime(day_text, "%Y%m%d").date()
        clock = datetime.strptime(clock_text, "%H%M%S").time() if clock_text else time(23, 59, 59)
    except ValueError:
        raise RecurrenceError(_l("UNTIL is not a real date.")) from None
    moment = datetime.combine(day, clock)
    if utc:
        return moment.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    return moment


def _parse(parts: dict[str, str], dtstart_local: datetime, until_default: date | None, zone: ZoneInfo):
    until_text = parts.pop("UNTIL", None)
    if until_text is None and "COUNT" not in parts:
        if until_default is None:
            raise RecurrenceError(_l("The rule never ends: give UNTIL or COUNT."))
        until_text = until_default.strftime("%Y%m%d")
    if until_text is not None and "COUNT" in parts:
        raise RecurrenceError(_l("Give UNTIL or COUNT, not both."))
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 52:
        raise RecurrenceError(_l("INTERVAL must be a whole number from 1 to 52."))
    body = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rule = rrulestr(body, dtstart=dtstart_local)
        if until_text is not None:
            rule = rule.replace(until=_until_local(until_text, zone))
    except RecurrenceError:
        raise
    except (ValueError, TypeError, KeyError, IndexError):
        raise RecurrenceError(_l("The recurrence rule could not be read.")) from None
    if rule._freq not in ALLOWED_FREQUENCIES:
        raise RecurrenceError(_l("Repeat daily, weekly or monthly."))
    return rule


def _instances(rule, start_local: datetime) -> list[datetime]:
    """The rule's instances within one year of the start (UNTIL bounds dateutil's iteration)."""
    cap = start_local + MAX_SPAN
    if rule._until is not None and rule._until > cap:
        raise RecurrenceError(_l("A series spans at most one year."))
    count = rule._count
    bounded = rule.replace(count=None, until=rule._until or cap)
    try:
        instances = list(islice(bounded, min(count or MAX_OCCURRENCES + 1, MAX_OCCURRENCES + 1)))
    except (ValueError, OverflowError):
        raise RecurrenceError(_l("The recurrence rule could not be read.")) from None
    if not instances:
        raise RecurrenceError(_l("The rule gives no dates."))
    if len(instances) > MAX_OCCURRENCES:
        raise RecurrenceError(_l("A series has at most %(n)d dates.", n=MAX_OCCURRENCES))
    if count is not None and len(instances) < count:
        raise RecurrenceError(_l("A series spans at most one year."))
    return instances


def expand(rule_text: str, first: Interval, zone: ZoneInfo, until_default: date | None = None) -> Recurrence:
    """Every occurrence of ``rule_text`` starting from ``first`` (the first occurrence's times).

    ``until_default`` (a local date, e.g. the term's last day) bounds a rule without UNTIL/COUNT.
    Raises RecurrenceError for unreadable, unbounded or oversized rules.
    """
    start_local = first.start.astimezone(zone).replace(tzinfo=None)
    length = first.end.astimezone(zone).replace(tzinfo=None) - start_local
    rule = _parse(_split_parts(rule_text), start_local, until_default, zone)
    starts = _instances(rule, start_local)
    if len(starts) > 1 and min(b - a for a, b in zip(starts, starts[1:])) < length:
        raise RecurrenceError(_l("Occurrences of the series would overlap each other."))
    occurrences = tuple(
        Interval(s.replace(tzinfo=zone).astimezone(timezone.utc), (s + length).replace(tzinfo=zone).astimezone(timezone.utc))
        for s in starts
    )
    until = occurrences[-1].start
    return Recurrence(normalised_rule(rule_text, until), occurrences, until)


def normalised_rule(rule_text: str, until_utc: datetime) -> str:
    """The rule with COUNT replaced by an UNTIL in UTC (same instances, splittable)."""
    parts = {k: v for k, v in _split_parts(rule_text).items() if k not in ("UNTIL", "COUNT")}
    parts["UNTIL"] = until_utc.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ";".join(f"{k}={v}" for k, v in parts.items())


def weekly_rule(weekdays: list[int], until: date, interval: int = 1) -> str:
    """The rule behind "every Thursday (and …) [every 2 weeks] until <date>", for the booking form."""
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise RecurrenceError(_l("Choose at least one weekday."))
    if interval not in (1, 2, 3, 4):
        raise RecurrenceError(_l("Repeat every 1 to 4 weeks."))
    days = ",".join(WEEKDAY_CODES[d] for d in sorted(set(weekdays)))
    every = f";INTERVAL={interval}" if interval > 1 else ""
    return f"FREQ=WEEKLY{every};BYDAY={days};UNTIL={until:%Y%m%d}"


def with_makeup_days(recurrence: Recurrence, zone: ZoneInfo, makeup: Mapping[date, int]) -> Recurrence:
    """A weekly series on a calendar with make-up teaching days (调休上课 / 补班; date → the weekday taught).

    A make-up day is taught as the weekday it follows, so a weekly series
    - gains a date on each make-up day in its span that follows one of its weekdays (a Friday series
      also meets on a make-up Sunday that follows Friday), in the weeks the series meets
      (INTERVAL=2: only in its own weeks, counted from the first date);
    - loses a date that falls on a make-up day following a weekday the series does not meet on (that
      day runs another day's timetable).
    The times of day stay those of the first date. Daily and monthly rules are left as they are.
    """
    parts = _split_parts(recurrence.rule_text)
    if not makeup or parts.get("FREQ") != "WEEKLY" or not recurrence.occurrences:
        return recurrence
    first = recurrence.occurrences[0]
    first_local = first.start.astimezone(zone)
    days = {WEEKDAY_CODES.index(code[-2:]) for code in parts.get("BYDAY", "").split(",") if code[-2:] in WEEKDAY_CODES}
    days = days or {first_local.weekday()}
    every = int(parts.get("INTERVAL", "1"))
    last_day = recurrence.until.astimezone(zone).date()
    length = first.end - first.start
    first_monday = first_local.date() - timedelta(days=first_local.weekday())

    def taught_as(day: date) -> int:
        return makeup.get(day, day.weekday())

    kept = [i for i in recurrence.occurrences if taught_as(i.start.astimezone(zone).date()) in days]
    taken = {i.start.astimezone(zone).date() for i in kept}
    for day, weekday in makeup.items():
        monday = day - timedelta(days=day.weekday())
        if (weekday in days and first_local.date() <= day <= last_day and day not in taken
                and ((monday - first_monday).days // 7) % every == 0):
            start = datetime.combine(day, first_local.time().replace(tzinfo=None), tzinfo=zone).astimezone(timezone.utc)
            kept.append(Interval(start, start + length))
    kept.sort(key=lambda i: i.start)
    if not kept:
        raise RecurrenceError(_l("The rule gives no dates."))
    if len(kept) > MAX_OCCURRENCES:
        raise RecurrenceError(_l("A series has at most %(n)d dates.", n=MAX_OCCURRENCES))
    return replace(recurrence, occurrences=tuple(kept))
