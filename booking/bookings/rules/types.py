"""The values the booking rules read and return: snapshots in, refusals out. Pure: no database, no request.

``booking.bookings.rules`` re-exports the names callers use; import them from there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo


# No single booking is longer: it bounds the candidate search from below, so checking a slot
# reads an index range of the days around it, not a resource's whole history.
MAX_BOOKING_LENGTH = timedelta(days=31)


class Kind(StrEnum):
    RESOURCE_OVERLAP = "resource_overlap"
    QUANTITY = "quantity"
    CAPACITY = "capacity"
    CLOSED = "closed"
    OUTSIDE_HOURS = "outside_hours"
    DURATION = "duration"
    HORIZON = "horizon"
    NOT_SHARED = "not_shared"
    # A visiting teacher is a person (see rules.teachers).
    TEACHER_BUSY = "teacher_busy"
    TRAVEL_TIME = "travel_time"
    OVER_WORKLOAD = "over_workload"
    OUTSIDE_AVAILABILITY = "outside_availability"


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class BusyTime:
    """A weekly home-school commitment of a visiting teacher, in local wall-clock time."""

    weekday: int  # 0 = Monday
    start: time
    end: time
    first_day: date | None = None  # applies from this local date (a term's start, or a date given)
    last_day: date | None = None
    note: str = ""

    def applies_on(self, day: date) -> bool:
        return (day.weekday() == self.weekday and (self.first_day is None or self.first_day <= day)
                and (self.last_day is None or day <= self.last_day))


@dataclass(frozen=True)
class TeacherSnapshot:
    """What the rules need to know about a visiting teacher beyond the resource."""

    home_school_id: int
    weekly_cap: int
    served_school_ids: frozenset[int] = frozenset()
    subjects: frozenset[str] = frozenset()
    busy: tuple[BusyTime, ...] = ()
    travel: Mapping[tuple[int, int], int] = field(default_factory=dict)  # keyed by (smaller id, larger id)
    school_names: Mapping[int, str] = field(default_factory=dict)  # for the messages

    def minutes_between(self, a_id: int, b_id: int) -> int | None:
        if a_id == b_id:
            return 0
        return self.travel.get((min(a_id, b_id), max(a_id, b_id)))

    def school_name(self, school_id: int) -> str:
        return self.school_names.get(school_id, str(school_id))


@dataclass(frozen=True)
class ResourceSnapshot:
    id: int
    owner_school_id: int
    quantity_based: bool = False
    stock: int = 1
    capacity: int | None = None
    own_school_only: bool = False
    approval_required: bool = False
    active: bool = True
    min_duration: int | None = None
    max_duration: int | None = None
    max_advance_days: int | None = None
    # (weekday 0=Monday, opens, closes) in the owner school's wall-clock time; empty = always open.
    # For a visiting teacher: the days and times they are available.
    opening_hours: tuple[tuple[int, time, time], ...] = ()
    is_teacher: bool = False
    teacher: TeacherSnapshot | None = None  # None for rooms and kits, and for a teacher without a profile


@dataclass(frozen=True)
class Request:
    resource: ResourceSnapshot
    booker_role: str
    booker_school_id: int | None
    school_id: int  # the school of the class the booking is for (for a visiting teacher: where they teach)
    students: int | None = None
    quantity: int = 1
    confirmed: bool = True  # a confirmed booking, or a pending request awaiting approval
    subject: str | None = None  # a visiting teacher's lesson: the subject asked for


@dataclass(frozen=True)
class Existing:
    """An active booking of the same resource near the span being checked."""

    id: int
    interval: Interval
    confirmed: bool
    quantity: int = 1
    holder: str = ""  # who/what holds it, for the message
    school_id: int | None = None  # the class's school: where a visiting teacher is during it


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    closed_days: Mapping[date, str] = field(default_factory=dict)  # local date → reason
    blackouts: tuple[tuple[Interval, str], ...] = ()


@dataclass(frozen=True)
class Refusal:
    kind: Kind
    message: object  # a lazy string: translated when rendered
    start: datetime | None = None
    end: datetime | None = None
    booking_id: int | None = None


@dataclass
class OccurrenceCheck:
    interval: Interval
    refusals: list[Refusal]

    @property
    def state(self) -> str:
        """free, closed (skipped quietly: holidays are not conflicts) or conflict."""
        if not self.refusals:
            return "free"
        if all(r.kind == Kind.CLOSED for r in self.refusals):
            return "closed"
        return "conflict"


def clock_text(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def holds_against(existing: Existing, request: Request) -> bool:
    """Confirmed bookings hold against everything; pending requests only against confirmed bookings.

    So requests for a scarce resource do not block each other (the approver chooses),
    but nobody books over a request that is waiting for its answer.
    """
    return existing.confirmed or request.confirmed


def merged_windows(hours: Iterable[tuple[int, time, time]], weekday: int) -> list[tuple[time, time]]:
    """A weekday's opening windows with touching or overlapping ones joined (08–12 + 12–17 = 08–17)."""
    merged: list[tuple[time, time]] = []
    for _, opens, closes in sorted(h for h in hours if h[0] == weekday):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged
