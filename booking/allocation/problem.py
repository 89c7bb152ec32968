"""From a round's requests to the solver's problem: every candidate slot comes from the booking rules
themselves (``rules.check_occurrences`` over each request's weekly dates), so a candidate is a slot the
booking form would accept: bells, closures, blackouts, opening hours, existing bookings, a visiting
teacher's home timetable, travel and weekly cap. Reads only; writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.allocation import solver_types
from booking.allocation.models import AllocationRequest, AllocationRound
from booking.bookings import rules
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import period_school_id
from booking.bookings.calendar_queries import calendars_for
from booking.bookings.queries import as_existing, overlapping_bookings, resource_snapshot
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today
from booking.quotas import services as quotas
from booking.resources.models import Resource
from booking.schools.models import BellPeriod, School, Stage, Term
from booking.texts import lazy_gettext as _l

MAX_CANDIDATE_RESOURCES = 12  # of a category, the first ones (by id) a request may land on

@dataclass
class Placement:
    """Where a candidate lands: the bookable dates behind ``candidate``."""

    candidate: solver_types.Candidate
    first_day: date
    last_day: date
    dates: int


@dataclass
class Built:
    problem: solver_types.Problem
    placements: dict[tuple[int, int, int, int], Placement]  # (request, resource, weekday, period)
    refused: dict[int, object]  # request id → why it has no candidate (a lazy message)
    requests: dict[int, AllocationRequest]
    resources: dict[int, Resource]
    schools: dict[int, School]


def candidate_key(candidate: solver_types.Candidate) -> tuple[int, int, int, int]:
    return candidate.request_id, candidate.resource_id, candidate.weekday, candidate.period


def _first_day(term: Term) -> date:
    return max(term.start_date, local_today() + timedelta(days=1))


def _weekly_days(start: date, end: date, weekday: int, weeks: int) -> list[date]:
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [day for day in (first + timedelta(weeks=n) for n in range(weeks)) if day <= end]


def _acceptable_resources(request: AllocationRequest, by_category: dict[str, list[Resource]]) -> list[Resource]:
    if request.resource is not None:
        return [request.resource]
    return by_category.get(request.category or "", [])[:MAX_CANDIDATE_RESOURCES]


def _quotas(term: Term, wanted: dict[int, Resource], schools: dict[int, School]) -> tuple[solver_types.Quota, ...]:
    """What each school has left of every term quota the wanted resources count against (booking.quotas),
    the owner school's own use apart, so the allocator never plans past one (the commit would be refused)."""
    by_quota: dict[int, tuple] = {}
    for resource in wanted.values():
        for quota in quotas.quotas_for(resource):
            by_quota.setdefault(quota.id, (quota, set()))[1].add(resource.id)
    found = []
    for quota, resource_ids in by_quota.values():
        for school in schools.values():
            for own_use in (False, True):
                ids = frozenset(rid for rid in resource_ids if (wanted[rid].owner_school_id == school.id) == own_use)
                limit = quotas.limit_minutes(quota, school, own_use, term) if ids else None
                if limit is not None:
                    left = limit - quotas.used_minutes(quota, school.id, own_use, term)
                    found.append(solver_types.Quota(school.id, ids, max(left, 0)))
    return tuple(found)


def _base_minutes(term: Term, school_ids) -> dict[int, int]:
    """Shared access each school already has in the term: confirmed bookings of other schools' resources."""
    zone = district_zone()
    start = local_to_utc(term.start_date, datetime.min.time(), zone)
    end = local_to_utc(term.end_date + timedelta(days=1), datetime.min.time(), zone)
    rows = db.session.execute(
        select(Booking.school_id, Booking.starts_at, Booking.ends_at).join(Booking.resource)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.starts_at >= start, Booking.starts_at < end,
               Resource.owner_school_id != Booking.school_id))
    totals = {school_id: 0 for school_id in school_ids}
    for school_id, starts_at, ends_at in rows:
        if school_id in totals:
            totals[school_id] += int((ends_at - starts_at).total_seconds() // 60)
    return totals


def _remaining_weekly(snapshot: rules.ResourceSnapshot, existing: list[rules.Existing]) -> int | None:
    if snapshot.teacher is None:
        return None
    weeks: dict[tuple[int, int], int] = {}
    for item in existing:
        if item.confirmed:
            week = item.interval.start.astimezone(district_zone()).isocalendar()[:2]
            weeks[week] = weeks.get(week, 0) + 1
    return max(snapshot.teacher.weekly_cap - max(weeks.values(), default=0), 0)


def build_problem(round_: AllocationRound) -> Built:
    """Every request's candidates, asked of the booking rules; the schools' shared access so far."""
    term = round_.term
    zone = district_zone()
    requests = [r for r in round_.requests]
    schools = {s.id: s for s in db.session.scalars(
        select(School).where(School.active.is_(True), School.district_owned.is_(False),
                             School.stage != Stage.KINDERGARTEN))}
    schools.update({r.school_id: r.school for r in requests})
    active = list(db.session.scalars(select(Resource).where(Resource.active.is_(True)).order_by(Resource.id)))
    by_category: dict[str, list[Resource]] = {}
    for resource in active:
        by_category.setdefault(resource.category.value, []).append(resource)
    wanted = {r.id: r for request in requests for r in _acceptable_resources(request, by_category)}
    bells: dict[int, dict[int, BellPeriod]] = {}
    for period in db.session.scalars(select(BellPeriod)):
        bells.setdefault(period.school_id, {})[period.number] = period
    first, last = _first_day(term), term.end_date
    refused: dict[int, object] = {}
    if first > last or not wanted:
        span = None
    else:
        span = rules.Interval(local_to_utc(first, datetime.min.time(), zone),
                              local_to_utc(last + timedelta(days=1), datetime.min.time(), zone))
    existing_by_resource: dict[int, list[rules.Existing]] = {rid: [] for rid in wanted}
    calendars = {}
    if span is not None:
        for booking in overlapping_bookings(list(wanted), span):
            existing_by_resource[booking.resource_id] += as_existing([booking])
        calendars = calendars_for(wanted.values(), span)
    snapshots = {rid: resource_snapshot(r) for rid, r in wanted.items()}
    now = utcnow()
    candidates, placements = [], {}
    for request in requests:
        requester = request.requested_by
        for resource in _acceptable_resources(request, by_category):
            if span is None:
                break
            snapshot = snapshots[resource.id]
            ask = rules.Request(resource=snapshot, booker_role=requester.role.value,
                                booker_school_id=requester.school_id, school_id=request.school_id,
                                students=request.students, confirmed=True,
                                subject=(resource.subject or None) if snapshot.is_teacher else None)
            standing = rules.standing_refusals(ask)
            if standing:
                refused.setdefault(request.id, standing[0].message)
                continue
            bell_school = period_school_id(resource, request.school_id)
            for rank, (weekday, number) in enumerate(request.slots):
                period = bells.get(bell_school, {}).get(number)
                if period is None:
                    refused.setdefault(request.id, _l("The host school has no period %(n)d.", n=number))
                    continue
                days = _weekly_days(first, last, weekday, request.weeks)
                intervals = [rules.Interval(local_to_utc(d, period.start_time, zone), local_to_utc(d, period.end_time, zone))
                             for d in days]
                if not intervals:
                    refused.setdefault(request.id, _l("No such weekday is left in the term."))
                    continue
                checks = rules.check_occurrences(ask, intervals, existing_by_resource[resource.id],
                                                 calendars[resource.id], now)
                conflict = next((c for c in checks if c.state == "conflict"), None)
                free = [c for c in checks if c.state == "free"]
                if conflict is not None or not free:
                    refused.setdefault(request.id, (conflict or checks[0]).refusals[0].message)
                    continue
                start = period.start_time.hour * 60 + period.start_time.minute
                end = period.end_time.hour * 60 + period.end_time.minute
                candidate = solver_types.Candidate(
                    request.id, resource.id, weekday, number, start, end, sum(c.interval.minutes for c in free),
                    shared=resource.owner_school_id != request.school_id, school_id=bell_school, rank=rank)
                candidates.append(candidate)
                placements[candidate_key(candidate)] = Placement(candidate, days[0], days[-1], len(free))
    resources_in = tuple(
        solver_types.ResourceIn(rid, stock=r.stock if r.is_quantity_based else 1, teacher=snapshots[rid].is_teacher,
                                weekly_cap=_remaining_weekly(snapshots[rid], existing_by_resource[rid]),
                                travel=dict(snapshots[rid].teacher.travel) if snapshots[rid].teacher else {})
        for rid, r in wanted.items())
    base = _base_minutes(term, schools)
    problem = solver_types.Problem(
        schools=tuple(solver_types.SchoolIn(s.id, s.enrollment, s.is_weak, base.get(s.id, 0))
                            for s in sorted(schools.values(), key=lambda s: s.id)),
        requests=tuple(solver_types.RequestIn(r.id, r.school_id, r.priority, order) for order, r in
                             enumerate(sorted(requests, key=lambda r: (r.created_at, r.id)))),
        candidates=tuple(candidates), resources=resources_in, quotas=_quotas(term, wanted, schools))
    return Built(problem, placements, refused, {r.id: r for r in requests}, wanted, schools)
