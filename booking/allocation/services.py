"""Term allocation rounds: open one, submit weekly requests, preview the allocator's answer, commit it.

Services only flush; the caller's unit of work commits. ``commit_round`` creates every series through
``booking.bookings.services.create_booking`` (so under the same locks and rules as any booking) inside
the caller's one transaction: a refusal half-way raises and the boundary rolls everything back.

The problem handed to the pure solver (booking/allocation/solver.py) is built in ``problem``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking import events
from booking.allocation import access, solver
from booking.allocation.greedy import first_come_first_served
from booking.allocation.problem import Built, Placement, build_problem, candidate_key
from booking.allocation.models import AllocationRequest, AllocationRound, RequestStatus, RoundStatus
from booking.audit.services import record
from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking
from booking.bookings.planning import BookingInput
from booking.bookings.rules.recurrence import WEEKDAY_CODES
from booking.bookings.services import create_booking
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone
from booking.permissions import (can_book_for_school, can_run_allocation, can_see_resource,
                                 visible_allocation_requests_clause)
from booking.resources.models import Category, Resource
from booking.schools.models import School, Term
from booking.parsing import text_error
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_SLOTS = 10
MAX_WEEKS = 30
MAX_STUDENTS = 10_000


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
    elif deadline <= utcnow():  # a round past its deadline would take no request at all
        errors["deadline"] = _l("The deadline must be later than now.")
    elif term is not None and deadline.astimezone(district_zone()).date() > term.end_date:
        errors["deadline"] = _l("The deadline must fall before the term ends.")
    if term is not None and "term_id" not in errors:
        still_open = _open_round_of(term.id)
        if still_open is not None:
            errors["term_id"] = _still_open_message(still_open)
    if errors:
        raise ValidationFailed(errors)
    round_ = AllocationRound(term_id=term.id, name=name, deadline=deadline, created_by_id=actor.id)
    try:
        with db.session.begin_nested():  # uq_allocation_rounds_open_term: another coordinator opened one just now
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed({"term_id": _still_open_message(_open_round_of(term.id))}) from None
    record(actor, "allocation.open", round_, {"term_id": term.id, "deadline": deadline.isoformat()})
    return round_


def _open_round_of(term_id: int) -> AllocationRound | None:
    return db.session.scalar(select(AllocationRound).where(AllocationRound.term_id == term_id,
                                                           AllocationRound.status == RoundStatus.OPEN))


def _still_open_message(round_: AllocationRound | None):
    return _l("The round “%(name)s” of this term is still open: commit it before opening another.",
              name=round_.name if round_ is not None else "")


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
    fcfs = first_come_first_served(problem)
    lines = []
    for request in sorted(built.requests.values(), key=lambda r: (r.created_at, r.id)):
        chosen = best.chosen.get(request.id)
        placement = built.placements[candidate_key(chosen)] if chosen else None
        greedy = fcfs.chosen.get(request.id)
        reason = None
        if chosen is None:
            reason = CONTESTED if any(c.request_id == request.id for c in problem.candidates) \
                else built.refused.get(request.id, _l("No acceptable slot is free."))
        lines.append(Line(request, placement, built.resources.get(chosen.resource_id) if chosen else None, reason,
                          built.placements[candidate_key(greedy)] if greedy else None))
    before = access.access_per_100(problem)
    after = access.access_per_100(problem, best.chosen.values())
    first_come = access.access_per_100(problem, fcfs.chosen.values())
    schools = [SchoolLine(built.schools[sid], before[sid], after[sid], first_come[sid]) for sid in before]
    return RoundPreview(round_, lines, schools, best.served, fcfs.served, access.cv_of(problem),
                        access.cv_of(problem, best.chosen.values()), access.cv_of(problem, fcfs.chosen.values()),
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
