"""A visiting teacher is a person: the rules that hold for the teacher beyond a room's.

Part of the one booking engine: ``rules.refusals_at`` calls these for a resource with a
teacher snapshot, so the browser, the API, approvals and suggestions refuse for the same
reasons. Pure: snapshots in, refusals out.

- ``teacher_busy``: teaching elsewhere at that time, or at the home school (its weekly timetable);
- ``travel_time``: between a lesson at school A and the next at school B there must be at least
  the travel minutes A→B; the first lesson of the day counts the trip from the home school,
  from the start of the teacher's available time that day;
- ``over_workload``: the weekly cap (Monday to Sunday, district time) is reached.

``existing`` holds the teacher's lessons of the whole local week around the interval (the
services fetch that much), each with the school it is at.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from booking.bookings.rules.types import (Existing, Interval, Kind, Refusal, Request, TeacherSnapshot, clock_text,
                                         holds_against, merged_windows)
from booking.texts import DayText
from booking.texts import lazy_gettext as _l


@dataclass(frozen=True)
class Stop:
    """Somewhere the teacher has to be: a lesson at a school, or a home-school commitment."""

    interval: Interval
    school_id: int
    label: str


def week_start(instant: datetime, zone: ZoneInfo) -> date:
    """The local Monday of the week ``instant`` falls in."""
    day = instant.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def week_window(instant: datetime, zone: ZoneInfo) -> Interval:
    """The local week (Monday 00:00 to the next Monday 00:00) around ``instant``, as UTC instants."""
    monday = week_start(instant, zone)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=zone)
    return Interval(start.astimezone(instant.tzinfo), end.astimezone(instant.tzinfo))


NO_MAKEUP: Mapping[date, int] = {}


def home_commitments(teacher: TeacherSnapshot, day: date, zone: ZoneInfo,
                     makeup: Mapping[date, int] = NO_MAKEUP) -> list[Stop]:
    """The home-school timetable on a local date, as stops at the home school (on a make-up day: the
    timetable of the weekday it follows)."""
    stops = []
    for busy in teacher.busy:
        if busy.applies_on(day, makeup.get(day)):
            span = Interval(datetime.combine(day, busy.start, tzinfo=zone), datetime.combine(day, busy.end, tzinfo=zone))
            stops.append(Stop(span, teacher.home_school_id, busy.note))
    return stops


def busy_refusals(teacher: TeacherSnapshot, interval: Interval, zone: ZoneInfo,
                  makeup: Mapping[date, int] = NO_MAKEUP) -> list[Refusal]:
    day = interval.start.astimezone(zone).date()
    refusals = []
    for stop in home_commitments(teacher, day, zone, makeup):
        if stop.interval.overlaps(interval):
            message = _l("Teaching at the home school %(school)s from %(start)s to %(end)s (%(note)s).",
                         school=teacher.school_name(teacher.home_school_id), start=clock_text(stop.interval.start, zone),
                         end=clock_text(stop.interval.end, zone), note=stop.label or _l("home timetable"))
            refusals.append(Refusal(Kind.TEACHER_BUSY, message, stop.interval.start, stop.interval.end))
    return refusals


def _stops_that_day(request: Request, interval: Interval, existing: Iterable[Existing], zone: ZoneInfo,
                    makeup: Mapping[date, int] = NO_MAKEUP) -> list[Stop]:
    teacher = request.resource.teacher
    day = interval.start.astimezone(zone).date()
    lessons = [Stop(e.interval, e.school_id, e.holder) for e in existing
               if e.school_id is not None and holds_against(e, request)
               and e.interval.start.astimezone(zone).date() == day and not e.interval.overlaps(interval)]
    home = [stop for stop in home_commitments(teacher, day, zone, makeup) if not stop.interval.overlaps(interval)]
    return lessons + home


def _gap_refusal(teacher: TeacherSnapshot, origin: int, destination: int, gap: timedelta, interval: Interval,
                 after: Stop | None, before: Stop | None, zone: ZoneInfo) -> Refusal | None:
    """A refusal when the trip ``origin`` → ``destination`` does not fit into ``gap``."""
    minutes = teacher.minutes_between(origin, destination)
    names = dict(origin=teacher.school_name(origin), destination=teacher.school_name(destination))
    if minutes is None:
        message = _l("No travel time is entered between %(origin)s and %(destination)s; the coordinator can add it.",
                     **names)
        return Refusal(Kind.TRAVEL_TIME, message, interval.start, interval.end)
    left = int(gap.total_seconds() // 60)
    if left >= minutes:
        return None
    figures = dict(names, minutes=minutes, left=max(left, 0))
    if after is not None:
        message = _l("After %(holder)s until %(end)s, the trip from %(origin)s to %(destination)s takes %(minutes)d "
                     "minutes; only %(left)d minutes are left.", holder=after.label or _l("a lesson"),
                     end=clock_text(after.interval.end, zone), **figures)
    elif before is not None:
        message = _l("Before %(holder)s at %(start)s, the trip from %(origin)s to %(destination)s takes %(minutes)d "
                     "minutes; only %(left)d minutes are left.", holder=before.label or _l("a lesson"),
                     start=clock_text(before.interval.start, zone), **figures)
    else:
        message = _l("The first lesson of the day: the trip from the home school %(origin)s to %(destination)s takes "
                     "%(minutes)d minutes; only %(left)d minutes are left after the teacher's available time begins.",
                     **figures)
    return Refusal(Kind.TRAVEL_TIME, message, interval.start, interval.end)


def _day_start(request: Request, interval: Interval, zone: ZoneInfo,
               makeup: Mapping[date, int] = NO_MAKEUP) -> datetime | None:
    """When the teacher's available time that contains ``interval`` begins (None: no windows given)."""
    local = interval.start.astimezone(zone)
    for opens, closes in merged_windows(request.resource.opening_hours, makeup.get(local.date(), local.weekday())):
        if opens <= local.time() < closes:
            return datetime.combine(local.date(), opens, tzinfo=zone)
    return None


def travel_refusals(request: Request, interval: Interval, existing: Iterable[Existing], zone: ZoneInfo,
                    makeup: Mapping[date, int] = NO_MAKEUP) -> list[Refusal]:
    """The trips into and out of ``interval`` from the teacher's neighbouring stops that day."""
    teacher = request.resource.teacher
    here = request.school_id
    stops = _stops_that_day(request, interval, existing, zone, makeup)
    before = [s for s in stops if s.interval.end <= interval.start]
    after = [s for s in stops if s.interval.start >= interval.end]
    refusals = []
    if before:
        previous = max(before, key=lambda s: s.interval.end)
        refusals.append(_gap_refusal(teacher, previous.school_id, here, interval.start - previous.interval.end,
                                     interval, previous, None, zone))
    else:
        start = _day_start(request, interval, zone, makeup)
        if start is not None:
            refusals.append(_gap_refusal(teacher, teacher.home_school_id, here, interval.start - start, interval,
                                         None, None, zone))
    if after:
        following = min(after, key=lambda s: s.interval.start)
        refusals.append(_gap_refusal(teacher, here, following.school_id, following.interval.start - interval.end,
                                     interval, None, following, zone))
    return [r for r in refusals if r is not None]


def workload_refusal(request: Request, interval: Interval, existing: Iterable[Existing], zone: ZoneInfo) -> Refusal | None:
    teacher = request.resource.teacher
    monday = week_start(interval.start, zone)
    taken = sum(1 for e in existing if holds_against(e, request) and week_start(e.interval.start, zone) == monday)
    if taken < teacher.weekly_cap:
        return None
    message = _l("The teacher already has %(n)d lessons in the week from %(monday)s; the weekly limit is %(cap)d.",
                 n=taken, monday=DayText(monday), cap=teacher.weekly_cap)
    return Refusal(Kind.OVER_WORKLOAD, message, interval.start, interval.end)


def teacher_refusals(request: Request, interval: Interval, existing: list[Existing], zone: ZoneInfo,
                     makeup: Mapping[date, int] = NO_MAKEUP) -> list[Refusal]:
    """Everything the teacher's own rules refuse for ``interval`` (overlaps with lessons come from the overlap rule).

    ``makeup``: the make-up teaching days around it (date → the weekday taught): the home timetable and
    the available times of that weekday apply."""
    refusals = (busy_refusals(request.resource.teacher, interval, zone, makeup)
                + travel_refusals(request, interval, existing, zone, makeup))
    workload = workload_refusal(request, interval, existing, zone)
    return refusals + ([workload] if workload else [])


def standing_teacher_refusals(request: Request) -> list[Refusal]:
    """For every date: the teacher serves the class's school and teaches the subject asked for."""
    teacher = request.resource.teacher
    refusals = []
    if request.school_id not in teacher.served_school_ids and request.school_id != teacher.home_school_id:
        refusals.append(Refusal(Kind.NOT_SHARED, _l("This visiting teacher does not serve %(school)s.",
                                                    school=teacher.school_name(request.school_id))))
    if request.subject is not None and request.subject not in teacher.subjects:
        refusals.append(Refusal(Kind.NOT_SHARED, _l("This visiting teacher does not teach that subject.")))
    return refusals


def sibling(request: Request, interval: Interval) -> Existing:
    """An earlier date of the same booking, as the later dates' rules see it."""
    return Existing(id=0, interval=interval, confirmed=request.confirmed, holder=_l("another date of this booking"),
                    school_id=request.school_id)
