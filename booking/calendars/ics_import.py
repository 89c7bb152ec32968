"""Reading closures and term dates out of an .ics file. Pure: bytes in, dated events or problems out.

Public holiday calendars (法定节假日) list the make-up working days (补班) beside the holidays; those
are recognised (see ``is_makeup``) and come out as make-up events, one per day, with the weekday they
follow when the file says it and a guess from the surrounding holiday otherwise (``guess_weekdays``).

An all-day event keeps its dates (DTEND is exclusive). A timed event within one district day
(08:00–12:00) keeps its times, so it becomes a closure of that time range; a timed event over
several days closes every district day it touches. Terms use the dates only. Everything wrong
with the file is reported at once, and nothing is imported while anything is wrong.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
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
    # A make-up teaching day (补班): taught as ``follows`` (0 = Monday) when the file says which weekday,
    # else as ``guess`` (from the surrounding holiday).
    makeup: bool = False
    follows: int | None = None
    guess: int | None = None

    @property
    def weekday(self) -> int | None:
        """The weekday a make-up day is taught as: the file's, else the guess."""
        return self.follows if self.follows is not None else self.guess


# What public holiday calendars put on a make-up working day: Apple's 中国大陆节假日 marks it
# X-APPLE-SPECIAL-DAY:ALTERNATE-WORKDAY (and a holiday WORK-HOLIDAY); others put 补班, 上班 or 调休 in
# the SUMMARY, a leading "班" ("班", "班｜国庆节", "[班] 国庆节"), or such a word in CATEGORIES.
MAKEUP_WORDS = ("补班", "上班", "调休", "工作日")
REST_WORDS = ("放假", "休假", "假期", "休息")
_WORK_MARK = re.compile(r"^\s*[\[【（(]?\s*班\s*[\]】）)|｜:：\s-]|^\s*班\s*$")
_REST_MARK = re.compile(r"^\s*[\[【（(]?\s*休\s*[\]】）)|｜:：\s-]|^\s*休\s*$")
_WEEKDAY_WORDS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# "补周五的课", "上周五的课", "按星期五课表", "执行周五课表", "(周五)"; "Friday timetable" in English.
_FOLLOWS = re.compile(r"(?:补|上|按|执行|同|调)\s*(?:周|星期|礼拜)([一二三四五六日天])"
                      r"|(?:周|星期|礼拜)([一二三四五六日天])\s*(?:的)?\s*课")
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _categories(event) -> str:
    value = event.get("categories")
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    return ",".join(",".join(str(c) for c in getattr(v, "cats", [v])) for v in values)


def is_makeup(event) -> bool:
    """Whether an event is a make-up working day (补班) rather than a holiday."""
    special = str(event.get("x-apple-special-day", "")).strip().upper()
    if special == "ALTERNATE-WORKDAY":
        return True
    if special == "WORK-HOLIDAY":
        return False
    summary = str(event.get("summary", "")).strip()
    if _REST_MARK.search(summary):
        return False
    if _WORK_MARK.search(summary):
        return True
    texts = (summary, _categories(event))
    for text in texts:
        if any(word in text for word in MAKEUP_WORDS) and not (
                "调休" in text and not any(w in text for w in ("补班", "上班")) and any(w in text for w in REST_WORDS)):
            return True
    return False


def followed_weekday(event) -> int | None:
    """The weekday whose timetable a make-up day follows, when the event says it (SUMMARY or DESCRIPTION)."""
    text = f"{event.get('summary', '')} {event.get('description', '')}"
    match = _FOLLOWS.search(text)
    if match:
        return _WEEKDAY_WORDS[match.group(1) or match.group(2)]
    lowered = text.lower()
    for number, name in enumerate(_ENGLISH_DAYS):
        if f"{name} timetable" in lowered or f"{name}'s timetable" in lowered or f"follows {name}" in lowered:
            return number
    return None


def _holiday_core(title: str) -> str:
    """"国庆节补班" → "国庆": the holiday a make-up day names, to find it in the same file."""
    core = title
    for word in (*MAKEUP_WORDS, *REST_WORDS, "节", "班", "休"):
        core = core.replace(word, "")
    return re.sub(r"[\s\[\]【】（）()｜|:：,，、\-0-9]", "", core)


def guess_weekdays(events: list[ImportedEvent]) -> list[ImportedEvent]:
    """Each make-up day without a weekday from the file gets a guess from the surrounding holiday.

    The holiday is the one the make-up day names (国庆节补班 → 国庆节) or else the nearest within
    30 days. The guess pairs that holiday's make-up days, in date order, with the last weekdays
    (Monday to Friday) the holiday closes, in date order: those are the days the 调休 moved (the
    official holidays come first). So for 2026 the make-up Sunday 4 January follows Friday 2 January,
    Saturday 14 and 28 February follow Friday 20 and Monday 23 February, and Sunday 20 September and
    Saturday 10 October follow Tuesday 6 and Wednesday 7 October. Without a holiday nearby: the
    date's own weekday on Monday to Friday, Monday on a weekend.
    """
    holidays = [e for e in events if not e.makeup]
    makeups = sorted((e for e in events if e.makeup), key=lambda e: e.start)

    def distance(holiday: ImportedEvent, day: ImportedEvent) -> int:
        return min(abs((holiday.start - day.start).days), abs((holiday.end - day.start).days))

    def holiday_of(day: ImportedEvent) -> ImportedEvent | None:
        core = _holiday_core(day.title)
        named = [h for h in holidays if core and core in h.title]
        nearby = [h for h in (named or holidays) if distance(h, day) <= 30]
        return min(nearby, key=lambda h: distance(h, day), default=None)

    groups: dict[str, list[ImportedEvent]] = {}
    owner: dict[str, ImportedEvent | None] = {}
    for day in makeups:
        holiday = holiday_of(day)
        owner[day.uid] = holiday
        if holiday is not None:
            groups.setdefault(holiday.uid, []).append(day)
    guesses: dict[str, int] = {}
    for day in makeups:
        holiday = owner[day.uid]
        if holiday is None:
            guesses[day.uid] = day.start.weekday() if day.start.weekday() < 5 else 0
            continue
        weekdays = [holiday.start + timedelta(days=n) for n in range((holiday.end - holiday.start).days + 1)]
        weekdays = [d for d in weekdays if d.weekday() < 5]
        siblings = groups[holiday.uid]
        if not weekdays:
            guesses[day.uid] = day.start.weekday() if day.start.weekday() < 5 else 0
            continue
        moved = weekdays[-len(siblings):] if len(siblings) <= len(weekdays) else weekdays
        index = siblings.index(day)
        guesses[day.uid] = moved[min(index, len(moved) - 1)].weekday()
    return [replace(e, guess=guesses[e.uid]) if e.uid in guesses else e for e in events]


def _split_makeup(event: ImportedEvent) -> list[ImportedEvent]:
    """A make-up event over several days: one per day (make-up days are single dates)."""
    if not event.makeup or event.start == event.end:
        return [event]
    days = [event.start + timedelta(days=n) for n in range((event.end - event.start).days + 1)]
    return [replace(event, uid=f"{event.uid}#{day:%Y%m%d}", start=day, end=day) for day in days]


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


TITLE_SHOWN = 60  # characters of an event's title a problem with it repeats


def _named(title: str) -> str:
    """``title`` as a problem names it: an attack pass (2026-12-06) had 5,000 characters echoed back."""
    return title if len(title) <= TITLE_SHOWN else title[:TITLE_SHOWN] + "…"


def _read_event(event, number: int, zone: ZoneInfo, problems: list) -> ImportedEvent | None:
    title = _title(event, number)
    named = _named(title)
    if "rrule" in event or "rdate" in event or "recurrence-id" in event:
        problems.append(_l("“%(title)s” repeats: give each date its own event.", title=named))
        return None
    try:
        start, end = _days(event, zone)
    except (ValueError, OverflowError):  # OverflowError: a date next to year 1 or 9999
        problems.append(_l("“%(title)s” has no valid dates.", title=named))
        return None
    if not (is_supported_day(start) and is_supported_day(end)):
        problems.append(_l("“%(title)s” is not between %(first)d and %(last)d.", title=named, first=FIRST_YEAR,
                           last=LAST_YEAR))
        return None
    if end < start:
        problems.append(_l("“%(title)s” ends before it starts.", title=named))
        return None
    if (end - start).days >= MAX_SPAN_DAYS:
        problems.append(_l("“%(title)s” lasts more than a year.", title=named))
        return None
    uid = str(event.get("uid", "")).strip()
    if not uid:
        # Derived from the event itself, so importing the same file again still matches it.
        uid = "generated-" + hashlib.sha256(f"{title}|{start}|{end}".encode()).hexdigest()[:32]
    if len(uid) > MAX_UID_LENGTH:
        problems.append(_l("“%(title)s” has a UID longer than %(n)d characters.", title=named, n=MAX_UID_LENGTH))
        return None
    start_time, end_time = _times(event, zone)
    if start_time is not None and (start_time == time(0) and end_time == time(23, 59, 59)):
        start_time = end_time = None  # midnight to midnight: the whole day
    makeup = is_makeup(event)
    return ImportedEvent(uid, title, start, end, start_time=start_time, end_time=end_time, makeup=makeup,
                         follows=followed_weekday(event) if makeup else None)


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
    return guess_weekdays([day for event in found.values() for day in _split_makeup(event)])
