"""From booking rows to calendar events: single bookings, series with EXDATEs and overrides. Pure.

A series becomes one VEVENT with the stored RRULE, expanded as the booking engine does (district
wall-clock time). Every instance of the rule is then one of:

- held by an active row that looks like the rule says: nothing to add;
- held by an active row that differs (moved, another status, other text): an override with
  RECURRENCE-ID = the row's ``original_start``;
- held by no active row (skipped when booked, or cancelled/rejected since): an EXDATE.

A cancelled date of a running series is an EXDATE, not an override with STATUS:CANCELLED: RFC
readers such as recurring-ical-events (and several phone calendars) still list a cancelled override
as an occurrence, whereas an EXDATE removes the date in every reader, so the expansion is exactly
the dates still held. A whole series, or a single booking, cancelled in the last 30 days is sent
with STATUS:CANCELLED so calendars that already have it strike it out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from booking.bookings.rules.recurrence import RecurrenceError, expand
from booking.bookings.rules import Interval
from booking.calendars.ical import ICAL_STATUS, EventText, SeriesEvent, SingleEvent, Timing

ACTIVE = ("pending", "confirmed")
FULL, BUSY = "full", "busy"


@dataclass(frozen=True)
class BookingFacts:
    """One bookings row with the names a calendar shows."""

    id: int
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str
    sequence: int
    updated_at: datetime
    original_start: datetime | None
    title: str
    class_name: str
    resource_id: int
    resource_kind: str
    resource_name: str
    resource_location: str
    owner_school_id: int
    owner_school_name: str
    school_id: int
    school_name: str
    booked_by_id: int
    booker_name: str
    names_updated_at: datetime  # the latest change of the resource, schools and booker named above

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def revised_at(self) -> datetime:
        """When what the event says last changed: the booking, or a name it prints (LAST-MODIFIED)."""
        return max(self.updated_at, self.names_updated_at)


@dataclass(frozen=True)
class SeriesFacts:
    id: int
    rrule: str
    dtstart: datetime
    duration_minutes: int
    status: str  # "active" or "cancelled"
    created_at: datetime
    updated_at: datetime
    title: str
    class_name: str


@dataclass(frozen=True)
class Shaping:
    """What turning rows into events needs besides the rows."""

    zone: ZoneInfo
    uid_domain: str
    cancelled_since: datetime  # cancellations after this are still sent, as STATUS:CANCELLED
    detail_for: Callable[[BookingFacts], str]  # FULL or BUSY, for the feed's owner
    describe: Callable[[BookingFacts, str], EventText]
    language: str = ""  # keeps the cached blocks of each language apart

    def cache_key(self, entity: str, entity_id: int, detail: str) -> tuple[str, int, str]:
        return entity, entity_id, f"{detail}:{self.language}" if self.language else detail


def booking_uid(booking_id: int, domain: str) -> str:
    return f"booking-{booking_id}@{domain}"


def series_uid(series_id: int, domain: str) -> str:
    return f"series-{series_id}@{domain}"


def _revision(origin: datetime, modified: datetime) -> int:
    """SEQUENCE of a series: seconds from its creation to its latest change.

    Splitting a series moves rows to a new series, so neither the series' counter nor a sum of
    its rows' counters only ever grows for one UID; the time of the latest change does.
    """
    return max(0, int((modified - origin).total_seconds()))


def single_event(row: BookingFacts, shaping: Shaping) -> SingleEvent | None:
    """A booking alone; None once it has been inactive for longer than cancellations are shown."""
    if not row.active and row.updated_at < shaping.cancelled_since:
        return None
    detail = shaping.detail_for(row)
    timing = Timing(row.starts_at, row.ends_at, ICAL_STATUS[row.status], row.sequence, row.revised_at,
                    shaping.describe(row, detail))
    return SingleEvent(booking_uid(row.id, shaping.uid_domain), timing, shaping.cache_key("booking", row.id, detail))


@lru_cache(maxsize=4096)
def _rule_instances(rrule: str, dtstart: datetime, minutes: int, zone: ZoneInfo) -> tuple[Interval, ...] | None:
    # Kept between fetches: a rule with the same start gives the same dates (dateutil is slow).
    try:
        return expand(rrule, Interval(dtstart, dtstart + timedelta(minutes=minutes)), zone).occurrences
    except RecurrenceError:
        return None  # a rule the engine no longer accepts: its rows go out as single events


def _instances(series: SeriesFacts, zone: ZoneInfo) -> tuple[Interval, ...] | None:
    return _rule_instances(series.rrule, series.dtstart, series.duration_minutes, zone)


def _template_status(active: list[BookingFacts]) -> str:
    """The state most dates are in (confirmed on a tie): the master says it, overrides the rest."""
    counts = Counter(row.status for row in active)
    return max(ACTIVE[::-1], key=lambda status: counts[status])


def _last_change(series: SeriesFacts, rows: list[BookingFacts]) -> datetime:
    """When the series or one of its dates last changed (whether a cancellation is still shown)."""
    return max([series.updated_at] + [row.updated_at for row in rows])


def _last_revision(series: SeriesFacts, rows: list[BookingFacts]) -> datetime:
    """... or a name one of its dates prints: the master's LAST-MODIFIED and SEQUENCE."""
    return max([_last_change(series, rows)] + [row.names_updated_at for row in rows])


def _series_text(series: SeriesFacts, sample: BookingFacts, detail: str, shaping: Shaping) -> EventText:
    """What the rule says: the series' own purpose and class, with one of its dates' names."""
    return shaping.describe(replace(sample, title=series.title, class_name=series.class_name), detail)


def _cancelled_series(series: SeriesFacts, rows: list[BookingFacts], shaping: Shaping) -> SeriesEvent | None:
    if _last_change(series, rows) < shaping.cancelled_since:
        return None
    modified = _last_revision(series, rows)
    detail = shaping.detail_for(rows[0])
    end = series.dtstart + timedelta(minutes=series.duration_minutes)
    master = Timing(series.dtstart, end, "CANCELLED", _revision(series.created_at, modified), modified,
                    _series_text(series, rows[0], detail, shaping))
    return SeriesEvent(series_uid(series.id, shaping.uid_domain), series.rrule, master,
                       source=shaping.cache_key("series", series.id, detail))


def _place(series: SeriesFacts, instances, active: list[BookingFacts], master: Timing, detail: str,
           shaping: Shaping) -> tuple[list, list, list[BookingFacts]]:
    """(EXDATEs, overrides, rows no instance of the rule stands for)."""
    held = {row.original_start: row for row in active if row.original_start is not None}
    unplaced = [row for row in active if row.original_start is None]
    exdates, overrides = [], []
    for instance in instances:
        row = held.pop(instance.start, None)
        if row is None:
            exdates.append(instance.start)
            continue
        timing = Timing(row.starts_at, row.ends_at, ICAL_STATUS[row.status],
                        _revision(series.created_at, row.revised_at), row.revised_at, shaping.describe(row, detail))
        if (timing.start, timing.end, timing.status, timing.text) != (instance.start, instance.end, master.status,
                                                                      master.text):
            overrides.append((instance.start, timing))
    return exdates, overrides, unplaced + list(held.values())


def series_events(series: SeriesFacts, rows: list[BookingFacts], shaping: Shaping) -> list[SingleEvent | SeriesEvent]:
    """The series' VEVENT (master, EXDATEs, overrides), plus rows the rule cannot place, as singles."""
    if not rows:
        return []
    active = sorted((row for row in rows if row.active), key=lambda row: row.starts_at)
    if series.status != "active" or not active:
        cancelled = _cancelled_series(series, rows, shaping)
        return [cancelled] if cancelled else []
    instances = _instances(series, shaping.zone)
    if instances is None:
        return [event for row in active if (event := single_event(row, shaping))]
    detail = shaping.detail_for(active[0])
    modified = _last_revision(series, rows)
    master = Timing(instances[0].start, instances[0].end, ICAL_STATUS[_template_status(active)],
                    _revision(series.created_at, modified), modified, _series_text(series, active[0], detail, shaping))
    exdates, overrides, strays = _place(series, instances, active, master, detail, shaping)
    event = SeriesEvent(series_uid(series.id, shaping.uid_domain), series.rrule, master, tuple(exdates),
                        tuple(overrides), shaping.cache_key("series", series.id, detail))
    # Rows whose date the rule never gives (none in normal operation) still reach the calendar.
    return [event] + [single for row in strays if (single := single_event(row, shaping))]
