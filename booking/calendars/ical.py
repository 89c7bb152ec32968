"""iCalendar text for feeds and downloads (RFC 5545, RFC 7986). Pure.

A feed is a head (VCALENDAR properties and the district's VTIMEZONE, made by the icalendar library),
one serialised block per booking or series, and the closing line. Blocks are plain text so they can
be cached and joined without building the whole calendar again (see booking.calendars.feeds).

The blocks are written line by line here (``event_block``): building icalendar objects costs about
0.7 ms per VEVENT, writing the lines a few microseconds. The writer does what RFC 5545 asks: TEXT
escaping of backslash, semicolon, comma and line breaks (3.3.11), no other control characters,
CRLF line ends, and folding at 75 octets that never splits a UTF-8 sequence nor a backslash escape
(3.1). ``event_components`` builds the same events with icalendar: the reference the tests and
bench/feed_bench.py compare the writer with.

Times: DTSTART, DTEND, EXDATE and RECURRENCE-ID are written in the district zone with a TZID, so
an RRULE repeats at the same wall-clock time as the booking engine expanded it; DTSTAMP and
LAST-MODIFIED are UTC as RFC 5545 requires.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration, vRecur

# Bump when the serialised form changes: every cached block is then rebuilt.
FORMAT_VERSION = "2"
PRODID = "-//District Share//Calendar Feeds 1.0//ZH"
REFRESH_INTERVAL = timedelta(hours=1)

# What a booking's state means to a calendar. Rejected and expired requests were on the calendar
# as tentative, so subscribers must see them go away just like a cancellation.
ICAL_STATUS = {
    "pending": "TENTATIVE",
    "confirmed": "CONFIRMED",
    "cancelled": "CANCELLED",
    "rejected": "CANCELLED",
    "expired": "CANCELLED",
}


@dataclass(frozen=True)
class EventText:
    summary: str
    location: str
    description: str
    url: str


@dataclass(frozen=True)
class Timing:
    """What one VEVENT says about its date: when, in which state, at which revision."""

    start: datetime
    end: datetime
    status: str  # an RFC 5545 STATUS value
    sequence: int
    modified: datetime
    text: EventText


@dataclass(frozen=True)
class SingleEvent:
    uid: str
    timing: Timing
    source: tuple = ()  # what the block is cached under: (entity, id, detail)


@dataclass(frozen=True)
class SeriesEvent:
    """A recurring booking: the rule, dates the rule gives but nobody holds, and changed dates."""

    uid: str
    rrule: str
    master: Timing  # the first instance of the rule
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[tuple[datetime, Timing], ...] = ()  # (RECURRENCE-ID, what that date became)
    source: tuple = ()


def fingerprint(event: SingleEvent | SeriesEvent, zone: ZoneInfo) -> str:
    """A digest of everything a block is made from: equal digests give byte-equal blocks."""
    return hashlib.sha256(f"{FORMAT_VERSION}|{zone.key}|{event!r}".encode()).hexdigest()


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


def _vevent(uid: str, timing: Timing, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("uid", uid)
    # DTSTAMP is the last revision, not the time of the request, so that an unchanged feed is
    # byte-for-byte the same on every fetch (stable ETag, cacheable blocks).
    event.add("dtstamp", _utc(timing.modified))
    event.add("last-modified", _utc(timing.modified))
    event.add("sequence", timing.sequence)
    event.add("dtstart", timing.start.astimezone(zone))
    event.add("dtend", timing.end.astimezone(zone))
    event.add("status", timing.status)
    event.add("summary", timing.text.summary)
    if timing.text.location:
        event.add("location", timing.text.location)
    if timing.text.description:
        event.add("description", timing.text.description)
    if timing.text.url:
        event.add("url", timing.text.url)
    # Busy time for free/busy lookups, unless the date no longer holds anything.
    event.add("transp", "TRANSPARENT" if timing.status == "CANCELLED" else "OPAQUE")
    return event


def event_components(event: SingleEvent | SeriesEvent, zone: ZoneInfo) -> list[Event]:
    """The VEVENT(s) of a booking, or of a series with its overrides (same UID)."""
    if isinstance(event, SingleEvent):
        return [_vevent(event.uid, event.timing, zone)]
    master = _vevent(event.uid, event.master, zone)
    master.add("rrule", vRecur.from_ical(event.rrule))
    if event.exdates:
        master.add("exdate", [moment.astimezone(zone) for moment in event.exdates])
    components = [master]
    for recurrence_id, timing in event.overrides:
        override = _vevent(event.uid, timing, zone)
        override.add("recurrence-id", recurrence_id.astimezone(zone))
        components.append(override)
    return components


# --- the line writer ------------------------------------------------------------------------------

# C0 controls other than HTAB, and DEL, are not allowed in TEXT; line breaks are escaped first.
_CONTROLS = dict.fromkeys([*range(0, 9), *range(10, 32), 127])
_LINE_LIMIT = 75


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: ``\\ ; ,`` and line breaks escaped, other control characters left out."""
    value = (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
             .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))
    return value.translate(_CONTROLS)


def fold(line: str) -> str:
    """``line`` with CRLF, folded so that no physical line is longer than 75 octets (RFC 5545 3.1)."""
    if len(line) <= _LINE_LIMIT // 4 or (len(line) <= _LINE_LIMIT and line.isascii()):
        return line + "\r\n"
    data = line.encode()
    if len(data) <= _LINE_LIMIT:
        return line + "\r\n"
    parts, start, room = [], 0, _LINE_LIMIT
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # inside a UTF-8 sequence: cut before it
            cut -= 1
        run = 0  # an odd run of backslashes before the cut ends in an escape's first half
        while data[cut - 1 - run] == 0x5C:
            run += 1
        cut -= run % 2
        parts.append(data[start:cut])
        start, room = cut, _LINE_LIMIT - 1  # a continuation line starts with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode() + "\r\n"


def _param(value: str) -> str:
    return f'"{value}"' if any(char in value for char in ':;,') else value


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _stamp(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _vevent_lines(uid: str, timing: Timing, zone: ZoneInfo, extra: list[str]) -> list[str]:
    tzid = _param(zone.key)
    modified = _stamp(timing.modified)
    text = timing.text
    lines = ["BEGIN:VEVENT\r\n", fold("UID:" + escape_text(uid)), f"DTSTAMP:{modified}\r\n",
             f"LAST-MODIFIED:{modified}\r\n", f"SEQUENCE:{timing.sequence}\r\n",
             f"DTSTART;TZID={tzid}:{_local(timing.start, zone)}\r\n",
             f"DTEND;TZID={tzid}:{_local(timing.end, zone)}\r\n", *extra,
             f"STATUS:{timing.status}\r\n", fold("SUMMARY:" + escape_text(text.summary))]
    if text.location:
        lines.append(fold("LOCATION:" + escape_text(text.location)))
    if text.description:
        lines.append(fold("DESCRIPTION:" + escape_text(text.description)))
    if text.url:
        lines.append(fold("URL:" + text.url.translate(_CONTROLS)))
    # Busy time for free/busy lookups, unless the date no longer holds anything.
    lines.append("TRANSP:TRANSPARENT\r\n" if timing.status == "CANCELLED" else "TRANSP:OPAQUE\r\n")
    lines.append("END:VEVENT\r\n")
    return lines


def event_block(event: SingleEvent | SeriesEvent, zone: ZoneInfo) -> str:
    """The serialised VEVENT text of ``event`` (the same events as ``event_components``), as cached and
    joined into feeds."""
    if isinstance(event, SingleEvent):
        return "".join(_vevent_lines(event.uid, event.timing, zone, []))
    tzid = _param(zone.key)
    extra = [fold("RRULE:" + event.rrule.translate(_CONTROLS))]
    if event.exdates:
        extra.append(fold(f"EXDATE;TZID={tzid}:" + ",".join(_local(moment, zone) for moment in event.exdates)))
    lines = _vevent_lines(event.uid, event.master, zone, extra)
    for recurrence_id, timing in event.overrides:
        lines.extend(_vevent_lines(event.uid, timing, zone,
                                   [f"RECURRENCE-ID;TZID={tzid}:{_local(recurrence_id, zone)}\r\n"]))
    return "".join(lines)


def calendar_head(name: str, zone: ZoneInfo, first: date, last: date, method: str = "PUBLISH",
                  properties: tuple[tuple[str, str], ...] = ()) -> str:
    """VCALENDAR's opening lines and properties (``properties``: more of them, as (name, text) pairs), with a
    VTIMEZONE covering ``first``..``last``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for key, value in properties:
        calendar.add(key, value)
    calendar.add_component(Timezone.from_tzinfo(zone, zone.key, first_date=first, last_date=last))
    text = calendar.to_ical().decode()
    return text.removesuffix("END:VCALENDAR\r\n")


def notice_block(uid: str, day: date, stamp: datetime, summary: str, description: str) -> str:
    """An all-day VEVENT that tells the subscriber something about the feed itself (free time, not busy)."""
    return "".join(["BEGIN:VEVENT\r\n", fold("UID:" + escape_text(uid)), f"DTSTAMP:{_stamp(stamp)}\r\n",
                    f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\n", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}\r\n",
                    fold("SUMMARY:" + escape_text(summary)), fold("DESCRIPTION:" + escape_text(description)),
                    "TRANSP:TRANSPARENT\r\n", "END:VEVENT\r\n"])


def calendar_text(head: str, blocks: list[str]) -> bytes:
    return (head + "".join(blocks) + "END:VCALENDAR\r\n").encode()
