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
    # A date in a gap between two terms (寒假, 暑假): refused, or allowed once confirmed (per resource).
    OUTSIDE_TERM = "outside_term"
    # Fair shares (booking.quotas): a priority window not yet open for the class's school, a term quota spent.
    NOT_OPEN_YET = "not_open_yet"
    QUOTA = "quota"


class OutsideTermPolicy(StrEnum):
    """The resource's setting for dates outside every term (mirrors resources.models.OutsideTerm)."""

    CONFIRM = "confirm"
    REFUSE = "refuse"
    ALLOW = "allow"


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

    def applies_on(self, day: date, weekday: int | None = None) -> bool:
        """Whether it holds on ``day``; ``weekday``: the weekday the day is taught as (a make-up day's)."""
        weekday = day.weekday() if weekday is None else weekday
        return (weekday == self.weekday and (self.first_day is None or self.first_day <= day)
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
    outside_term: str = OutsideTermPolicy.CONFIRM  # dates in a gap between terms: confirm, refuse or allow


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
    outside_term_ok: bool = False  # the booker confirmed that dates between terms are meant
    # How many days ahead the class's school may book this resource (its priority window), None = no window.
    window_days: int | None = None


@dataclass(frozen=True)
class Existing:
    """An active booking of the same resource near the span being checked."""

    id: int
    interval: Interval
    confirmed: bool
    quantity: int = 1
    holder: str = ""  # who/what holds it, for the message
    school_id: int | None = None  # the class's school: where a visiting teacher is during it
    district_id: int | None = None  # the class's school's district: whether the holder is named to the asker


@dataclass(frozen=True)
class TermSpan:
    """A term's inclusive local dates, for the outside-term rule."""

    start: date
    end: date
    name: str = ""


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    closed_days: Mapping[date, str] = field(default_factory=dict)  # local date → reason
    blackouts: tuple[tuple[Interval, str], ...] = ()
    # Make-up teaching days (调休上课 / 补班): local date → the weekday it is taught as (0 = Monday).
    makeup_days: Mapping[date, int] = field(default_factory=dict)
    terms: tuple[TermSpan, ...] = ()  # the district's terms; empty: the outside-term rule does not apply

    # The owner school's time-range closures (08:00–12:00 on a day), as instants → reason.
    closed_spans: tuple[tuple[Interval, str], ...] = ()
    # For a visiting teacher: the closed times of each school the teacher may teach at (the host school's
    # closures refuse a lesson there), as booking.bookings.closed.ClosedTimes by school id.
    host_closed: Mapping[int, object] = field(default_factory=dict)

    def weekday_of(self, day: date) -> int:
        """The weekday whose timetable ``day`` follows: a make-up day's, else its own."""
        return self.makeup_days.get(day, day.weekday())

    def term_gap(self, day: date) -> tuple[TermSpan, TermSpan] | None:
        """(the term before, the term after) when ``day`` lies in a gap between two terms, else None.

        Days before the first term and after the last one entered are not judged: the calendar
        does not know the terms there yet."""
        if any(term.start <= day <= term.end for term in self.terms):
            return None
        before = [term for term in self.terms if term.end < day]
        after = [term for term in self.terms if term.start > day]
        if not before or not after:
            return None
        return max(before, key=lambda t: t.end), min(after, key=lambda t: t.start)


@dataclass(frozen=True)
class Refusal:
    kind: Kind
    message: object  # a lazy string: translated when rendered
    start: datetime | None = None
    end: datetime | None = None
    booking_id: int | None = None
    confirmable: bool = False  # the booker may go ahead by confirming it (a date outside every term)


@dataclass
class OccurrenceCheck:
    interval: Interval
    refusals: list[Refusal]

    @property
    def state(self) -> str:
        """free, closed (skipped quietly: holidays, and the breaks between terms where the resource
        refuses them, are not conflicts) or conflict. A closed day is closed whatever else would refuse it
        (元旦 past the priority window is a holiday, not a clash)."""
        if not self.refusals:
            return "free"
        if any(r.kind == Kind.CLOSED for r in self.refusals) or all(
                r.kind == Kind.OUTSIDE_TERM and not r.confirmable for r in self.refusals):
            return "closed"
        return "conflict"

    @property
    def needs_confirmation(self) -> bool:
        return any(r.confirmable for r in self.refusals)


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


@dataclass(frozen=True)
class WindowSetting:
    """Days ahead a booking opens, by the class's school: weak schools (薄弱学校), the others, the owner.

    A level (district, category, resource) leaves a field None to take the broader level's value.
    """

    weak_days: int | None = None
    other_days: int | None = None
    owner_days: int | None = None


@dataclass(frozen=True)
class QuotaState:
    """One term quota as it stands for one school: what it may book in the term and what it has booked.

    ``own_use``: the bucket of the owner school's use of its own resources (limited separately).
    """

    quota_id: int
    scope: str  # the resource's name or the category's label, for the message
    term_name: str
    first_day: date
    last_day: date
    limit_minutes: int
    used_minutes: int
    own_use: bool = False

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day
