"""The booking rules in one place: given a request and what already exists, the refusals.

Pure: no database session, no request. The services narrow the candidates with SQL and
hand snapshots in; everything that decides (and explains) a refusal happens here, so the
browser, the API and every import refuse for the same reasons with the same words.

Intervals are half-open [start, end): 08:00–08:45 and 08:45–09:30 do not clash.
Instants are aware datetimes; wall-clock rules (opening hours, closed days, the booking
horizon) are read in the district's zone, passed in as ``Calendar.zone``.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from booking.bookings.rules import teachers as teacher_rules
from booking.bookings.rules.types import (Calendar, Existing, Interval, Kind, OccurrenceCheck, OutsideTermPolicy,
                                          QuotaState, Refusal, Request, ResourceSnapshot, WindowSetting, clock_text,
                                          holds_against, merged_windows)
from booking.texts import DayText
from booking.texts import lazy_gettext as _l

_clock = clock_text


# --- rules that do not depend on the time asked for -------------------------------------

def standing_refusals(request: Request) -> list[Refusal]:
    """Refusals that hold for every date: who may book it, and whether the class fits."""
    refusals = []
    resource = request.resource
    is_coordinator = request.booker_role == "coordinator"
    if not resource.active:
        refusals.append(Refusal(Kind.NOT_SHARED, _l("This resource is not in service.")))
    if resource.own_school_only and not is_coordinator and request.booker_school_id != resource.owner_school_id:
        refusals.append(Refusal(Kind.NOT_SHARED, _l("This resource is for its own school only.")))
    if not is_coordinator and request.school_id != request.booker_school_id:
        refusals.append(Refusal(Kind.NOT_SHARED, _l("Teachers and school admins book for their own school only.")))
    if resource.capacity is not None and request.students is not None and request.students > resource.capacity:
        refusals.append(Refusal(Kind.CAPACITY, _l(
            "The class has %(students)d students but the room holds %(capacity)d.",
            students=request.students, capacity=resource.capacity)))
    if resource.teacher is not None:
        refusals += teacher_rules.standing_teacher_refusals(request)
    return refusals


# --- rules for one interval --------------------------------------------------------------

def duration_refusal(resource: ResourceSnapshot, interval: Interval) -> Refusal | None:
    minutes = interval.minutes
    if resource.min_duration is not None and minutes < resource.min_duration:
        message = _l("Bookings of this resource last at least %(n)d minutes.", n=resource.min_duration)
    elif resource.max_duration is not None and minutes > resource.max_duration:
        message = _l("Bookings of this resource last at most %(n)d minutes.", n=resource.max_duration)
    else:
        return None
    return Refusal(Kind.DURATION, message, interval.start, interval.end)


def horizon_refusal(resource: ResourceSnapshot, interval: Interval, now: datetime, zone: ZoneInfo) -> Refusal | None:
    if interval.start < now:
        return Refusal(Kind.HORIZON, _l("That time is in the past."), interval.start, interval.end)
    if resource.max_advance_days is not None:
        last_day = now.astimezone(zone).date() + timedelta(days=resource.max_advance_days)
        if interval.start.astimezone(zone).date() > last_day:
            return Refusal(Kind.HORIZON, _l("This resource can be booked at most %(n)d days ahead.",
                                            n=resource.max_advance_days), interval.start, interval.end)
    return None


# --- priority booking windows and term quotas (booking.quotas) --------------------------------

def resolve_window(levels: Iterable[WindowSetting | None]) -> WindowSetting:
    """Each field from the most specific level that sets it: pass the resource's, the category's, the district's."""
    levels = [level for level in levels if level is not None]

    def first(name):
        return next((getattr(level, name) for level in levels if getattr(level, name) is not None), None)
    return WindowSetting(first("weak_days"), first("other_days"), first("owner_days"))


def window_days(setting: WindowSetting, school_is_weak: bool, school_is_owner: bool) -> int | None:
    """How many days ahead a class of this school may book: the owner school by its own setting (falling back
    to its group's when it has none), weak schools by theirs, every other school by the other one."""
    group = setting.weak_days if school_is_weak else setting.other_days
    if school_is_owner and setting.owner_days is not None:
        return setting.owner_days
    return group


def opens_on(day: date, days: int) -> date:
    """The first local date on which a booking for ``day`` may be made, ``days`` ahead."""
    return day - timedelta(days=days)


def last_open_day(today: date, days: int) -> date:
    return today + timedelta(days=days)


def window_refusal(request: Request, interval: Interval, now: datetime, zone: ZoneInfo) -> Refusal | None:
    if request.window_days is None:
        return None
    day = interval.start.astimezone(zone).date()
    if day <= last_open_day(now.astimezone(zone).date(), request.window_days):
        return None
    return Refusal(Kind.NOT_OPEN_YET, _l(
        "Booking for %(day)s opens for your school on %(opens)s (%(n)d days ahead).",
        day=DayText(day), opens=DayText(opens_on(day, request.window_days)), n=request.window_days),
        interval.start, interval.end)


def quota_limit_minutes(hours: float | None, hours_per_100: float | None, enrollment: int,
                        extra_hours: float = 0.0) -> int | None:
    """A school's term allowance in minutes: fixed hours, else hours per 100 students; plus granted exceptions.
    None: no limit."""
    if hours is not None:
        base = hours
    elif hours_per_100 is not None:
        base = hours_per_100 * max(enrollment, 0) / 100
    else:
        return None
    return int(round((base + extra_hours) * 60))


def hours_text(minutes: int) -> str:
    """12, 12.5 or 12.25 hours (never a trailing .0)."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def quota_refusals(states: Iterable[QuotaState], intervals: Iterable[Interval], zone: ZoneInfo) -> list[Refusal]:
    """Refusals for booking all of ``intervals`` (every occurrence of a series counts) against each quota."""
    intervals = list(intervals)
    refusals = []
    for state in states:
        counted = [i for i in intervals if state.covers(i.start.astimezone(zone).date())]
        wanted = sum(i.minutes for i in counted)
        if not counted or state.used_minutes + wanted <= state.limit_minutes:
            continue
        message = _l("Over the term quota of %(scope)s: your school has used %(used)s of %(limit)s hours in %(term)s "
                     "and this booking needs %(wanted)s more.", scope=state.scope, used=hours_text(state.used_minutes),
                     limit=hours_text(state.limit_minutes), term=state.term_name, wanted=hours_text(wanted))
        if state.own_use:
            message = _l("Over the owner school's own-use quota of %(scope)s: used %(used)s of %(limit)s hours in "
                         "%(term)s and this booking needs %(wanted)s more.", scope=state.scope,
                         used=hours_text(state.used_minutes), limit=hours_text(state.limit_minutes),
                         term=state.term_name, wanted=hours_text(wanted))
        refusals.append(Refusal(Kind.QUOTA, message, counted[0].start, counted[-1].end))
    return refusals


def local_days(interval: Interval, zone: ZoneInfo) -> list[date]:
    """The district-local dates an interval touches (an end at midnight touches no new day)."""
    first = interval.start.astimezone(zone).date()
    last = (interval.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def closed_refusals(interval: Interval, calendar: Calendar, host_school_id: int | None = None,
                    host_name: str = "") -> list[Refusal]:
    """Closures and blackouts in ``interval``; for a visiting teacher's lesson also the closures of the
    school the teacher travels to (``host_school_id``, called ``host_name``)."""
    refusals = [
        Refusal(Kind.CLOSED, _l("Closed on %(day)s: %(reason)s.", day=DayText(day), reason=calendar.closed_days[day]),
                interval.start, interval.end)
        for day in local_days(interval, calendar.zone) if day in calendar.closed_days
    ]
    for span, reason in calendar.closed_spans:
        if span.overlaps(interval):
            refusals.append(_closed_span_refusal(span, reason, calendar.zone))
    host = calendar.host_closed.get(host_school_id) if host_school_id is not None else None
    if host is not None:
        refusals += _host_refusals(interval, host, calendar, host_name)
    for span, reason in calendar.blackouts:
        if span.overlaps(interval):
            refusals.append(Refusal(Kind.CLOSED, _l(
                "Not available from %(start)s to %(end)s: %(reason)s.",
                start=span.start.astimezone(calendar.zone).strftime("%m-%d %H:%M"),
                end=span.end.astimezone(calendar.zone).strftime("%m-%d %H:%M"), reason=reason),
                span.start, span.end))
    return refusals


def _closed_span_refusal(span: Interval, reason: str, zone: ZoneInfo, school: str | None = None) -> Refusal:
    times = dict(day=DayText(span.start.astimezone(zone).date()), start=_clock(span.start, zone),
                 end=_clock(span.end, zone), reason=reason)
    message = (_l("%(school)s is closed on %(day)s from %(start)s to %(end)s: %(reason)s.", school=school, **times)
               if school else _l("Closed on %(day)s from %(start)s to %(end)s: %(reason)s.", **times))
    return Refusal(Kind.CLOSED, message, span.start, span.end)


def _host_refusals(interval: Interval, host, calendar: Calendar, name: str) -> list[Refusal]:
    """The host school's own closed times in ``interval`` (those the owner school shares are refused already)."""
    school = name or _l("The school")
    refusals = [
        Refusal(Kind.CLOSED, _l("%(school)s is closed on %(day)s: %(reason)s.", school=school, day=DayText(day),
                                reason=host.days[day]), interval.start, interval.end)
        for day in local_days(interval, calendar.zone) if day in host.days and day not in calendar.closed_days
    ]
    owner_spans = {span for span, _reason in calendar.closed_spans}
    refusals += [_closed_span_refusal(span, reason, calendar.zone, school) for span, reason in host.spans
                 if span.overlaps(interval) and span not in owner_spans]
    return refusals


def outside_term_refusal(request: Request, interval: Interval, calendar: Calendar) -> Refusal | None:
    """A date in a gap between two terms: refused, or needing the booker's confirmation (the resource's setting)."""
    policy = request.resource.outside_term
    if policy == OutsideTermPolicy.ALLOW or not calendar.terms:
        return None
    for day in local_days(interval, calendar.zone):
        gap = calendar.term_gap(day)
        if gap is None:
            continue
        names = dict(day=DayText(day), before=gap[0].name, after=gap[1].name)
        if policy == OutsideTermPolicy.REFUSE:
            return Refusal(Kind.OUTSIDE_TERM, _l(
                "%(day)s lies between the terms %(before)s and %(after)s: this resource is not booked then.", **names),
                interval.start, interval.end)
        if request.outside_term_ok:
            return None
        return Refusal(Kind.OUTSIDE_TERM, _l(
            "%(day)s lies between the terms %(before)s and %(after)s, when there are no lessons. "
            "Confirm that you mean to book it.", **names), interval.start, interval.end, confirmable=True)
    return None


def hours_refusal(resource: ResourceSnapshot, interval: Interval, zone: ZoneInfo,
                  calendar: Calendar | None = None) -> Refusal | None:
    """Outside the opening hours of the weekday the date is taught as (``calendar``: its make-up days)."""
    if not resource.opening_hours:
        return None
    local_start, local_end = interval.start.astimezone(zone), interval.end.astimezone(zone)
    weekday = calendar.weekday_of(local_start.date()) if calendar is not None else local_start.weekday()
    windows = merged_windows(resource.opening_hours, weekday)
    end_clock = local_end.time()
    ends_same_day = local_end.date() == local_start.date()
    if not ends_same_day and local_end.date() == local_start.date() + timedelta(days=1) and end_clock == time(0):
        end_clock, ends_same_day = time.max, True  # ends at midnight: 24:00 of the start day
    fits = ends_same_day and any(opens <= local_start.time() and end_clock <= closes for opens, closes in windows)
    if fits:
        return None
    shown = ", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in windows)
    if resource.is_teacher:  # a person's opening hours are the times they are available
        message = (_l("The teacher is available from %(hours)s that day.", hours=shown) if windows
                   else _l("The teacher is not available on that day."))
        return Refusal(Kind.OUTSIDE_AVAILABILITY, message, interval.start, interval.end)
    if not windows:
        message = _l("This resource is not open on that day.")
    else:
        message = _l("Outside the opening hours (%(hours)s).", hours=shown)
    return Refusal(Kind.OUTSIDE_HOURS, message, interval.start, interval.end)


def peak_usage(items: Iterable[tuple[Interval, int]], window: Interval) -> int:
    """The largest total quantity in use at any instant of ``window``."""
    events = []
    for interval, quantity in items:
        if interval.overlaps(window):
            events.append((max(interval.start, window.start), 1, quantity))
            events.append((min(interval.end, window.end), 0, -quantity))  # ends sort before starts
    peak = running = 0
    for _, _, change in sorted(events):
        running += change
        peak = max(peak, running)
    return peak


def overlap_refusals(request: Request, interval: Interval, existing: Iterable[Existing], zone: ZoneInfo) -> list[Refusal]:
    holding = [e for e in existing if e.interval.overlaps(interval) and holds_against(e, request)]
    resource = request.resource
    if resource.quantity_based:
        used = peak_usage(((e.interval, e.quantity) for e in holding), interval)
        if used + request.quantity <= resource.stock:
            return []
        return [Refusal(Kind.QUANTITY, _l(
            "Only %(free)d of %(stock)d are free at that time; you asked for %(wanted)d.",
            free=max(resource.stock - used, 0), stock=resource.stock, wanted=request.quantity),
            interval.start, interval.end)]
    return [_overlap_refusal(e, zone, resource.is_teacher) for e in sorted(holding, key=lambda e: e.interval.start)]


def _overlap_refusal(existing: Existing, zone: ZoneInfo, teacher: bool = False) -> Refusal:
    times = dict(start=_clock(existing.interval.start, zone), end=_clock(existing.interval.end, zone),
                 holder=existing.holder)
    if teacher:  # a person, not a room: already teaching elsewhere
        message = (_l("Already teaching from %(start)s to %(end)s: %(holder)s.", **times) if existing.confirmed else
                   _l("Requested from %(start)s to %(end)s by %(holder)s, awaiting approval.", **times))
        return Refusal(Kind.TEACHER_BUSY, message, existing.interval.start, existing.interval.end, existing.id)
    if existing.confirmed:
        message = _l("Already booked from %(start)s to %(end)s by %(holder)s.", **times)
    else:
        message = _l("Requested from %(start)s to %(end)s by %(holder)s, awaiting approval.", **times)
    return Refusal(Kind.RESOURCE_OVERLAP, message, existing.interval.start, existing.interval.end, existing.id)


def refusals_at(request: Request, interval: Interval, existing: Iterable[Existing], calendar: Calendar,
                now: datetime) -> list[Refusal]:
    """Every refusal for booking ``interval``, in a stable order."""
    single = [
        duration_refusal(request.resource, interval),
        horizon_refusal(request.resource, interval, now, calendar.zone),
        window_refusal(request, interval, now, calendar.zone),
        hours_refusal(request.resource, interval, calendar.zone, calendar),
        outside_term_refusal(request, interval, calendar),
    ]
    existing = list(existing)
    teacher = request.resource.teacher
    host = request.school_id if request.resource.is_teacher else None
    name = teacher.school_name(host) if teacher is not None and host is not None else ""
    refusals = (closed_refusals(interval, calendar, host, name) + [r for r in single if r is not None]
                + overlap_refusals(request, interval, existing, calendar.zone))
    if request.resource.teacher is not None:
        refusals += teacher_rules.teacher_refusals(request, interval, existing, calendar.zone,
                                                   makeup=calendar.makeup_days)
    return refusals


def check_occurrences(request: Request, intervals: Iterable[Interval], existing: Iterable[Existing],
                      calendar: Calendar, now: datetime) -> list[OccurrenceCheck]:
    """One check per interval, against the same candidate list (fetched once for the whole span).

    A visiting teacher's dates also count against each other (travel, the weekly cap): each
    date that passes joins the candidates of the dates after it.
    """
    existing = list(existing)
    checks = []
    for interval in intervals:
        check = OccurrenceCheck(interval, refusals_at(request, interval, existing, calendar, now))
        if request.resource.teacher is not None and check.state == "free":
            existing.append(teacher_rules.sibling(request, interval))
        checks.append(check)
    return checks
