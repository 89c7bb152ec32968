"""A visiting teacher's day, school by school: where to be, when, and the trips in between.

The day starts at the home school; each lesson (and each home-school commitment) is a stop;
between two stops at different campuses comes a leg with its travel minutes and the time to
leave by. The "Today" page, the week ahead, the digests and the 06:30 itinerary all read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from booking.bookings.calendar_queries import closed_times_by_school, makeup_days_by_school
from booking.bookings.rules.closed import ClosedTimes
from booking.bookings.rules.teachers import home_commitments
from booking.bookings.rules.types import Interval, TeacherSnapshot
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.schools.models import School
from booking.schools.travel import travel_matrix, travel_minutes
from booking.teachers.models import TeacherProfile
from booking.teachers.snapshots import busy_time


@dataclass(frozen=True)
class Stop:
    start: datetime
    end: datetime
    school: School
    booking: Booking | None = None  # None: a home-school commitment
    note: str = ""

    @property
    def pending(self) -> bool:
        return self.booking is not None and self.booking.status == BookingStatus.PENDING


@dataclass(frozen=True)
class Leg:
    origin: School
    destination: School
    minutes: int | None  # None: nobody entered the travel time
    leave_by: datetime | None  # the latest departure to arrive in time
    tight: bool  # the gap is shorter than the trip (booked before the rules knew better, or unknown)


@dataclass
class DayPlan:
    day: date
    home: School
    items: list = field(default_factory=list)  # Stop and Leg, in order
    skipped: list = field(default_factory=list)  # lessons left out: their school is closed then

    @property
    def stops(self) -> list[Stop]:
        return [item for item in self.items if isinstance(item, Stop)]

    @property
    def lessons(self) -> list[Stop]:
        return [stop for stop in self.stops if stop.booking is not None]

    @property
    def travel_minutes(self) -> int:
        return sum(item.minutes or 0 for item in self.items if isinstance(item, Leg))


def _lessons(profile: TeacherProfile, first: date, last: date) -> list[Booking]:
    zone = district_zone()
    start, end = local_to_utc(first, time(0), zone), local_to_utc(last + timedelta(days=1), time(0), zone)
    query = (select(Booking).where(Booking.resource_id == profile.resource_id, Booking.status.in_(ACTIVE_STATUSES),
                                   Booking.starts_at >= start, Booking.starts_at < end)
             .options(selectinload(Booking.school), selectinload(Booking.resource)).order_by(Booking.starts_at))
    return list(db.session.scalars(query))


def _home_stops(profile: TeacherProfile, day: date) -> list[Stop]:
    commitments = home_commitments_of(profile, day)
    return [Stop(span.start, span.end, profile.home_school, note=note) for span, note in commitments]


def home_commitments_of(profile: TeacherProfile, day: date) -> list[tuple[Interval, str]]:
    """The home timetable that day; on a make-up teaching day, that of the weekday it follows."""
    snapshot = TeacherSnapshot(home_school_id=profile.home_school_id, weekly_cap=profile.weekly_cap,
                               busy=tuple(busy_time(row) for row in profile.busy_times))
    makeup = makeup_days_by_school({profile.home_school_id}, day, day)[profile.home_school_id]
    return [(stop.interval, stop.label) for stop in home_commitments(snapshot, day, district_zone(), makeup)]


def _leg(origin: School, destination: School, gap_start: datetime, arrive: datetime, matrix: dict) -> Leg:
    minutes = travel_minutes(origin.id, destination.id, matrix)
    leave_by = arrive - timedelta(minutes=minutes) if minutes is not None else None
    tight = minutes is None or leave_by < gap_start
    return Leg(origin, destination, minutes, leave_by, tight)


def _open(closed: dict[int, ClosedTimes] | None, school_id: int, start: datetime, end: datetime) -> bool:
    times = closed.get(school_id) if closed else None
    return times is None or times.reason_at(Interval(start, end), district_zone()) is None


def plan_day(profile: TeacherProfile, day: date, lessons: list[Booking], matrix: dict,
             closed: dict[int, ClosedTimes] | None = None) -> DayPlan:
    """The day's stops in time order, with a leg wherever the teacher changes campus.

    With ``closed`` (closed times by school), a lesson at a school closed then (or while the teacher's own
    school is closed: the rules refuse both) and home commitments while the home school is closed are left
    out: nobody travels to a closed school. They are listed in ``DayPlan.skipped``."""
    home_id = profile.home_school_id
    kept = [b for b in lessons if _open(closed, b.school_id, b.starts_at, b.ends_at)
            and _open(closed, b.resource.owner_school_id, b.starts_at, b.ends_at)]
    home_stops = [s for s in _home_stops(profile, day) if _open(closed, home_id, s.start, s.end)]
    stops = [Stop(b.starts_at, b.ends_at, b.school, b) for b in kept] + home_stops
    stops.sort(key=lambda s: (s.start, s.end))
    plan = DayPlan(day, profile.home_school)
    where, free_from = profile.home_school, None
    for stop in stops:
        if stop.school.id != where.id:
            gap_start = free_from or stop.start - timedelta(hours=12)  # the day's first trip: leave home in time
            plan.items.append(_leg(where, stop.school, gap_start, stop.start, matrix))
        plan.items.append(stop)
        where, free_from = stop.school, stop.end
    plan.skipped = [b for b in lessons if b not in kept]
    return plan


def itinerary(profile: TeacherProfile, first: date, days: int = 1) -> list[DayPlan]:
    """One plan per day from ``first``: three queries whatever the number of days."""
    last = first + timedelta(days=days - 1)
    lessons = _lessons(profile, first, last)
    matrix = travel_matrix()
    zone = district_zone()
    by_day: dict[date, list[Booking]] = {}
    for booking in lessons:
        by_day.setdefault(booking.starts_at.astimezone(zone).date(), []).append(booking)
    schools = {profile.home_school_id} | {b.school_id for b in lessons} | {b.resource.owner_school_id for b in lessons}
    closed = closed_times_by_school(schools, first, last)
    return [plan_day(profile, first + timedelta(days=n), by_day.get(first + timedelta(days=n), []), matrix, closed)
            for n in range(days)]
