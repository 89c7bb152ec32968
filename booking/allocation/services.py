"""Term allocation rounds: open one, submit weekly requests, preview the allocator's answer, commit it.

Services only flush; the caller's unit of work commits. ``commit_round`` creates every series through
``booking.bookings.services.create_booking`` (so under the same locks and rules as any booking) inside
the caller's one transaction: a refusal half-way raises and the boundary rolls everything back.

The candidates handed to the pure solver (booking/allocation/solver.py) come from the booking rules
themselves (``rules.check_occurrences`` over each request's weekly dates), so a candidate is a slot
the booking form would accept: bells, closures, blackouts, opening hours, existing bookings, a
visiting teacher's home timetable, travel and weekly cap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking import events
from booking.allocation import solver
from booking.allocation.models import AllocationRequest, AllocationRound, RequestStatus, RoundStatus
from booking.audit.services import record
from booking.bookings import rules
from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import BookingInput, period_school_id
from booking.bookings.queries import as_existing, calendars_for, overlapping_bookings, resource_snapshot
from booking.bookings.rules.recurrence import WEEKDAY_CODES
from booking.bookings.services import create_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today
from booking.quotas import services as quotas
from booking.permissions import (can_book_for_school, can_run_allocation, can_see_resource,
                                 visible_allocation_requests_clause)
from booking.resources.models import Category, Resource
from booking.schools.models import BellPeriod, School, Stage, Term
from booking.parsing import text_error
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_SLOTS = 10
MAX_WEEKS = 30
MAX_STUDENTS = 10_000
MAX_CANDIDATE_RESOURCES = 12  # of a category, the first ones (by id) a request may land on


# --- rounds ---------------------------------------------------------------------------------

def open_round(actor, term_id, name: str, deadline: datetime | None) -> AllocationRound:
    if not can_run_allocation(actor):
        raise NotAllowed()
    errors = {}
    term = db.session.get(Term, term_id) if isinstance(term_id, int) else None
    if term is None:
        errors["term_id"] = _l("Choose a term.")
    name = (name or "").strip()
    problem = text_error(name, 200, _l("Give the round a name."))
    if problem is not None:
        errors["name"] = problem
    if deadline is None:
        errors["deadline"] = _l("Give the deadline for requests.")
    elif term is not None and deadline.astimezone(district_zone()).date() > term.end_date:
        errors["deadline"] = _l("The deadline must fall before the term ends.")
    if errors:
        raise ValidationFailed(errors)
    round_ = AllocationRound(term_id=term.id, name=name, deadline=deadline, created_by_id=actor.id)
    db.session.add(round_)
    db.session.flush()
    record(actor, "allocation.open", round_, {"term_id": term.id, "deadline": deadline.isoformat()})
    return round_


def rounds() -> list[AllocationRound]:
    return list(db.session.scalars(select(AllocationRound).order_by(AllocationRound.deadline.desc(),
                                                                    AllocationRound.id.desc())))


def accepts_requests(round_: AllocationRound) -> bool:
    return round_.status == RoundStatus.OPEN and utcnow() < round_.deadline


def visible_requests(actor, round_: AllocationRound) -> list[AllocationRequest]:
    """The requests of ``round_`` that ``actor`` may see (permissions.visible_allocation_requests_clause)."""
    return list(db.session.scalars(
        select(AllocationRequest).where(AllocationRequest.round_id == round_.id,
                                        visible_allocation_requests_clause(actor))
        .order_by(AllocationRequest.created_at, AllocationRequest.id)))


# --- requests -------------------------------------------------------------------------------

@dataclass
class RequestInput:
    title: str
    slots: list  # [(weekday 0=Monday, period number), …] in order of preference
    weeks: int
    resource_id: int | None = None
    category: str | None = None
    class_name: str = ""
    students: int | None = None
    priority: int = 3
    school_id: int | None = None  # default: the requester's school


def _check_slots(slots, errors: dict) -> list[list[int]]:
    clean = []
    for slot in slots or []:
        try:
            weekday, period = (int(part) for part in slot)
        except (TypeError, ValueError):
            errors["slots"] = _l("Give each slot as a weekday and a period.")
            return []
        if not (0 <= weekday <= 6 and 1 <= period <= 12):
            errors["slots"] = _l("Give each slot as a weekday and a period.")
            return []
        if [weekday, period] not in clean:
            clean.append([weekday, period])
    if not clean:
        errors["slots"] = _l("Choose at least one acceptable weekday and period.")
    elif len(clean) > MAX_SLOTS:
        errors["slots"] = _l("Choose at most %(n)d slots.", n=MAX_SLOTS)
    return clean


def submit_request(actor, round_: AllocationRound, data: RequestInput) -> AllocationRequest:
    """A teacher's or school admin's weekly request (coordinators: for the schools they manage)."""
    errors: dict = {}
    if not accepts_requests(round_):
        raise ValidationFailed({"round": _l("This round no longer takes requests.")})
    school_id = data.school_id or actor.school_id
    if school_id is None or db.session.get(School, school_id) is None:
        errors["school_id"] = _l("Choose the school of the class.")
    elif not can_book_for_school(actor, school_id):
        raise NotAllowed()
    resource = None
    if data.resource_id is not None:
        resource = db.session.get(Resource, data.resource_id)
        if resource is None or not resource.active or not can_see_resource(actor, resource):
            errors["resource_id"] = _l("Unknown resource.")
    elif data.category not in {c.value for c in Category}:
        errors["category"] = _l("Choose a resource or a kind of resource.")
    slots = _check_slots(data.slots, errors)
    if not isinstance(data.weeks, int) or not 1 <= data.weeks <= MAX_WEEKS:
        errors["weeks"] = _l("Give a number of weeks from 1 to %(n)d.", n=MAX_WEEKS)
    if not isinstance(data.priority, int) or not 1 <= data.priority <= 5:
        errors["priority"] = _l("Give a priority from 1 (most wanted) to 5.")
    if data.students is not None and not (isinstance(data.students, int) and 0 <= data.students <= MAX_STUDENTS):
        errors["students"] = _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS)
    for name, limit, required in (("title", 200, _l("Enter the purpose of the booking.")), ("class_name", 100, None)):
        problem = text_error((getattr(data, name) or "").strip(), limit, required)
        if problem is not None:
            errors[name] = problem
    if errors:
        raise ValidationFailed(errors)
    request = AllocationRequest(
        round_id=round_.id, requested_by_id=actor.id, school_id=school_id,
        resource_id=resource.id if resource else None, category=None if resource else data.category,
        slots=slots, weeks=data.weeks, title=data.title.strip(), class_name=(data.class_name or "").strip(),
        students=data.students, priority=data.priority)
    db.session.add(request)
    db.session.flush()
    record(actor, "allocation.request", request, {"round_id": round_.id, "slots": slots})
    return request


# --- from requests to the solver's problem ---------------------------------------------------

@dataclass
class Placement:
    """Where a candidate lands: the bookable dates behind ``candidate``."""

    candidate: solver.Candidate
    first_day: date
    last_day: date
    dates: int


@dataclass
class Built:
    problem: solver.Problem
    placements: dict[tuple[int, int, int, int], Placement]  # (request, resource, weekday, period)
    refused: dict[int, object]  # request id → why it has no candidate (a lazy message)
    requests: dict[int, AllocationRequest]
    resources: dict[int, Resource]
    schools: dict[int, School]


def _key(candidate: solver.Candidate) -> tuple[int, int, int, int]:
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


def _quotas(term: Term, wanted: dict[int, Resource], schools: dict[int, School]) -> tuple[solver.Quota, ...]:
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
                    found.append(solver.Quota(school.id, ids, max(left, 0)))
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
                candidate = solver.Candidate(
                    request.id, resource.id, weekday, number, start, end, sum(c.interval.minutes for c in free),
                    shared=resource.owner_school_id != request.school_id, school_id=bell_school, rank=rank)
                candidates.append(candidate)
                placements[_key(candidate)] = Placement(candidate, days[0], days[-1], len(free))
    resources_in = tuple(
        solver.ResourceIn(rid, stock=r.stock if r.is_quantity_based else 1, teacher=snapshots[rid].is_teacher,
                          weekly_cap=_remaining_weekly(snapshots[rid], existing_by_resource[rid]),
                          travel=dict(snapshots[rid].teacher.travel) if snapshots[rid].teacher else {})
        for rid, r in wanted.items())
    base = _base_minutes(term, schools)
    problem = solver.Problem(
        schools=tuple(solver.SchoolIn(s.id, s.enrollment, s.is_weak, base.get(s.id, 0))
                      for s in sorted(schools.values(), key=lambda s: s.id)),
        requests=tuple(solver.RequestIn(r.id, r.school_id, r.priority, order) for order, r in
                       enumerate(sorted(requests, key=lambda r: (r.created_at, r.id)))),
        candidates=tuple(candidates), resources=resources_in, quotas=_quotas(term, wanted, schools))
    return Built(problem, placements, refused, {r.id: r for r in requests}, wanted, schools)


# --- preview and commit ----------------------------------------------------------------------

@dataclass
class Line:
    request: AllocationRequest
    placement: Placement | None
    resource: Resource | None
    reason: object = None  # why unmet (a lazy message)
    fcfs: Placement | None = None  # what first come first served would have given


@dataclass
class SchoolLine:
    school: School
    before: float  # shared hours per 100 students
    after: float
    fcfs: float


@dataclass
class RoundPreview:
    round: AllocationRound
    lines: list[Line]
    schools: list[SchoolLine]
    served: int
    served_fcfs: int
    cv_before: float | None
    cv_after: float | None
    cv_fcfs: float | None
    status: str
    built: Built = field(repr=False, default=None)


CONTESTED = _l("Every acceptable slot went to other requests (the allocator served as many requests as it "
               "could, then evened out shared access).")


def preview_round(actor, round_: AllocationRound) -> RoundPreview:
    if not can_run_allocation(actor):
        raise NotAllowed()
    built = build_problem(round_)
    problem = built.problem
    best = solver.allocate(problem)
    fcfs = solver.first_come_first_served(problem)
    lines = []
    for request in sorted(built.requests.values(), key=lambda r: (r.created_at, r.id)):
        chosen = best.chosen.get(request.id)
        placement = built.placements[_key(chosen)] if chosen else None
        greedy = fcfs.chosen.get(request.id)
        reason = None
        if chosen is None:
            reason = CONTESTED if any(c.request_id == request.id for c in problem.candidates) \
                else built.refused.get(request.id, _l("No acceptable slot is free."))
        lines.append(Line(request, placement, built.resources.get(chosen.resource_id) if chosen else None, reason,
                          built.placements[_key(greedy)] if greedy else None))
    before = solver.access_per_100(problem)
    after = solver.access_per_100(problem, best.chosen.values())
    first_come = solver.access_per_100(problem, fcfs.chosen.values())
    schools = [SchoolLine(built.schools[sid], before[sid], after[sid], first_come[sid]) for sid in before]
    return RoundPreview(round_, lines, schools, best.served, fcfs.served, solver.cv_of(problem),
                        solver.cv_of(problem, best.chosen.values()), solver.cv_of(problem, fcfs.chosen.values()),
                        best.status, built)


def commit_round(actor, round_: AllocationRound) -> RoundPreview:
    """The allocator's answer as recurring series, all or nothing (the caller's transaction).

    Raises NotAllowed, ValidationFailed (not open, deadline not passed) or BookingRefused (a slot was
    taken since; the boundary rolls back every series made before it).
    """
    if not can_run_allocation(actor):
        raise NotAllowed()
    if round_.status != RoundStatus.OPEN:
        raise ValidationFailed({"round": _l("This round has been committed already.")})
    if utcnow() < round_.deadline:
        raise ValidationFailed({"round": _l("Requests are open until the deadline; commit after it.")})
    preview = preview_round(actor, round_)
    made: list[Booking] = []
    for line in preview.lines:
        request = line.request
        if line.placement is None:
            request.status = RequestStatus.UNMET
            request.unmet_reason = str(line.reason)[:2000]
            continue
        placement = line.placement
        created = create_booking(actor, BookingInput(
            resource_id=placement.candidate.resource_id, title=request.title, day=placement.first_day,
            period_number=placement.candidate.period, class_name=request.class_name, students=request.students,
            school_id=request.school_id, rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[placement.candidate.weekday]}",
            until=placement.last_day, term_id=round_.term_id))
        request.status = RequestStatus.SERVED
        request.series_id = created.series.id if created.series else None
        made += created.bookings
    round_.status = RoundStatus.COMMITTED
    round_.committed_at = utcnow()
    db.session.flush()  # the round's compare-and-set: a second commit that read the same version fails here
    record(actor, "allocation.commit", round_, {"served": preview.served, "requests": len(preview.lines),
                                                "cv_after": preview.cv_after, "cv_fcfs": preview.cv_fcfs})
    events.allocation_committed.send(actor, bookings=made, round=round_,
                                     served=[line.request for line in preview.lines if line.placement],
                                     unmet=[line.request for line in preview.lines if line.placement is None])
    return preview
