"""Reading closures and term dates out of an .ics file. Pure: bytes in, dated events or problems out.

An all-day event keeps its dates (DTEND is exclusive). A timed event within one district day
(08:00–12:00) keeps its times, so it becomes a closure of that time range; a timed event over
several days closes every district day it touches. Terms use the dates only. Everything wrong
with the file is reported at once, and nothing is imported while anything is wrong.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from booking.texts import lazy_gettext as _l
from booking.validation import FIRST_YEAR, LAST_YEAR, is_supported_day

MAX_BYTES = 1024 * 1024
MAX_EVENTS = 2000
MAX_SPAN_DAYS = 366
MAX_UID_LENGTH = 255


class ImportProblems(Exception):
    """The file cannot be imported; ``messages`` say why, one line each."""

    def __init__(self, messages: list):
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = messages


@dataclass(frozen=True)
class ImportedEvent:
    uid: str
    title: str
    start: date
    end: date  # inclusive
    # A timed event within one local day: the wall-clock range it closes (None: whole days).
    start_time: time | None = None
    end_time: time | None = None


def _local_day(value: date | datetime, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        # A time without a zone ("floating") is read as district time.
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone).date()
    return value


def _days(event, zone: ZoneInfo) -> tuple[date, date]:
    """The inclusive local dates an event covers. Raises ValueError when it has no usable dates."""
    start, end = event.start, event.end
    if end > start:
        # DTEND is exclusive: an all-day event ends the day before, a timed one ending at
        # midnight does not close the next day.
        end -= timedelta(microseconds=1) if isinstance(start, datetime) else timedelta(days=1)
    return _local_day(start, zone), _local_day(end, zone)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(zone)


def _times(event, zone: ZoneInfo) -> tuple[time | None, time | None]:
    """The local wall-clock range of a timed event that starts and ends on the same district day (an end
    at midnight ends that day: 23:59:59); (None, None) for all-day events and those over several days."""
    start, end = event.start, event.end
    if not isinstance(start, datetime) or not isinstance(end, datetime) or end <= start:
        return None, None
    first, last = _local(start, zone), _local(end, zone)
    if last.date() == first.date() + timedelta(days=1) and last.time() == time(0):
        return first.time().replace(tzinfo=None), time(23, 59, 59)
    if last.date() != first.date():
        return None, None
    return first.time().replace(tzinfo=None), last.time().replace(tzinfo=None)


def _title(event, number: int) -> str:
    return str(event.get("summary", "")).strip() or str(_l("Event %(n)d", n=number))


def _read_event(event, number: int, zone: ZoneInfo, problems: list) -> ImportedEvent | None:
    title = _title(event, number)
    if "rrule" in event or "rdate" in event or "recurrence-id" in event:
        problems.append(_l("“%(title)s” repeats: give each date its own event.", title=title))
        return None
    try:
        start, end = _days(event, zone)
    except (ValueError, OverflowError):  # OverflowError: a date next to year 1 or 9999
        problems.append(_l("“%(title)s” has no valid dates.", title=title))
        return None
    if not (is_supported_day(start) and is_supported_day(end)):
        problems.append(_l("“%(title)s” is not between %(first)d and %(last)d.", title=title, first=FIRST_YEAR,
                           last=LAST_YEAR))
        return None
    if end < start:
        problems.append(_l("“%(title)s” ends before it starts.", title=title))
        return None
    if (end - start).days >= MAX_SPAN_DAYS:
        problems.append(_l("“%(title)s” lasts more than a year.", title=title))
        return None
    uid = str(event.get("uid", "")).strip()
    if not uid:
        # Derived from the event itself, so importing the same file again still matches it.
        uid = "generated-" + hashlib.sha256(f"{title}|{start}|{end}".encode()).hexdigest()[:32]
    if len(uid) > MAX_UID_LENGTH:
        problems.append(_l("“%(title)s” has a UID longer than %(n)d characters.", title=title, n=MAX_UID_LENGTH))
        return None
    start_time, end_time = _times(event, zone)
    if start_time is not None and (start_time == time(0) and end_time == time(23, 59, 59)):
        start_time = end_time = None  # midnight to midnight: the whole day
    return ImportedEvent(uid, title, start, end, start_time, end_time)


def _calendar_events(data: bytes) -> list:
    if len(data) > MAX_BYTES:
        raise ImportProblems([_l("The file is larger than %(n)d KB.", n=MAX_BYTES // 1024)])
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise ImportProblems([_l("This is not an iCalendar (.ics) file.")])
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except ValueError:
        raise ImportProblems([_l("The iCalendar file is damaged and cannot be read.")]) from None
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events:
        raise ImportProblems([_l("The file has no events.")])
    if len(events) > MAX_EVENTS:
        raise ImportProblems([_l("The file has more than %(n)d events.", n=MAX_EVENTS)])
    return events


def read_events(data: bytes, zone: ZoneInfo) -> list[ImportedEvent]:
    """Every event to import, in file order. Raises ImportProblems listing everything wrong.

    Cancelled events are left out: a closure that was called off is not a closure.
    """
    problems: list = []
    found: dict[str, ImportedEvent] = {}
    for number, event in enumerate(_calendar_events(data), start=1):
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        imported = _read_event(event, number, zone, problems)
        if imported is None:
            continue
        if imported.uid in found:
            problems.append(_l("Two events share the UID %(uid)s.", uid=imported.uid))
            continue
        found[imported.uid] = imported
    if problems:
        raise ImportProblems(problems)
    if not found:
        raise ImportProblems([_l("The file has no events.")])
    return list(found.values())
