"""iCalendar text for feeds and downloads (RFC 5545, RFC 7986), built with the icalendar library. Pure.

A feed is a head (VCALENDAR properties and the district's VTIMEZONE), one serialised block per
booking or series, and the closing line. Blocks are plain text so they can be cached and joined
without building the whole calendar again (see booking.calendars.feeds).

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
FORMAT_VERSION = "1"
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


def event_block(event: SingleEvent | SeriesEvent, zone: ZoneInfo) -> str:
    """The serialised VEVENT text of ``event``, as cached and joined into feeds."""
    return "".join(component.to_ical().decode() for component in event_components(event, zone))


def calendar_head(name: str, zone: ZoneInfo, first: date, last: date, method: str = "PUBLISH") -> str:
    """VCALENDAR's opening lines and properties, with a VTIMEZONE covering ``first``..``last``."""
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
    calendar.add_component(Timezone.from_tzinfo(zone, zone.key, first_date=first, last_date=last))
    text = calendar.to_ical().decode()
    return text.removesuffix("END:VCALENDAR\r\n")


def calendar_text(head: str, blocks: list[str]) -> bytes:
    return (head + "".join(blocks) + "END:VCALENDAR\r\n").encode()
