"""From what someone asked for to a checked plan: validation, bell periods, recurrence, preview.

``plan_booking`` turns a ``BookingInput`` into a ``Plan`` or raises ``ValidationFailed``
(field → message, 422). ``check_plan`` runs the rules against the database with one
query for the candidates, whatever the number of dates; ``preview_booking`` is the two
together and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from sqlalchemy import select

from booking.accounts.models import Role
from booking.bookings import rules
from booking.bookings.guarantee import held_booking_lock
from booking.bookings.models import BookingStatus, LessonKind
from booking.bookings.calendar_queries import calendar_for, makeup_days_by_school
from booking.bookings.queries import candidate_existing, resource_snapshot, shown_existing, span_of
from booking.bookings.rules.recurrence import Recurrence, RecurrenceError, expand, with_makeup_days
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.labels import label
from booking.permissions import (can_approve, can_book_for_school, can_see_resource, holder_districts,
                                 reaches_district)
from booking.quotas.services import FairShares, fair_shares_for, quota_refusals, window_days_for
from booking.resources.models import Resource, ResourceKind, resource_for_rules
from booking.schools.models import BellPeriod, School, Term
from booking.parsing import one_line, text_error
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_STUDENTS = 10_000
# Holds on a resource's time other than its bookings, registered by the package that keeps them (the waitlist's
# open offers, booking.waitlist): each is called with the plan and returns ``queries.Holds`` (or None), read in
# the statement that reads the candidate bookings.
EXTRA_HOLDS: list = []


@dataclass
class BookingInput:
    """What a booker asks for. Give ``start``/``end`` (aware) or ``day`` + ``period_number``.

    ``period_to`` books several consecutive periods (3 to 4 = a double lesson). ``rrule``
    (RFC 5545, e.g. "FREQ=WEEKLY;BYDAY=TH") makes a series; a rule without UNTIL/COUNT
    runs to ``until`` (a local date), or to the end of ``term_id``'s term.
    """

    resource_id: int | None
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    day: date | None = None
    period_number: int | None = None
    period_to: int | None = None
    class_name: str = ""
    students: int | None = None
    quantity: int = 1
    school_id: int | None = None  # the class's school; defaults to the booker's
    rrule: str | None = None
    until: date | None = None
    term_id: int | None = None
    skip_conflicts: bool = False
    # A visiting teacher's lesson: the subject (default: the teacher's only one) and the kind
    # (default: a demonstration lesson). Other resources take neither.
    subject: str | None = None
    lesson_kind: str | None = None
    # The booker confirms that dates in a gap between terms (寒假, 暑假) are meant.
    outside_term_ok: bool = False

    def __post_init__(self):
        self.title, self.class_name = one_line(self.title), one_line(self.class_name)


@dataclass
class Plan:
    resource: Resource
    request: rules.Request
    occurrences: tuple[rules.Interval, ...]
    data: BookingInput
    recurrence: Recurrence | None = None
    term: Term | None = None
    lesson_subject: str | None = None
    lesson_kind: LessonKind | None = None
    may_approve: bool = False  # the booker answers requests for this resource
    booker_id: int | None = None
    school: School | None = None  # the class's school, read once for the whole request
    fair_shares: FairShares | None = None  # the resource's priority window and term quotas, read once
    under_lock: bool = False  # made from the resource as read under the booking lock (no re-read needed)
    holder_districts: frozenset[int] | None = None  # whose holders a clash names (permissions.holder_districts)

    @property
    def status(self) -> BookingStatus:
        return BookingStatus.CONFIRMED if self.request.confirmed else BookingStatus.PENDING


@dataclass
class Preview:
    """Every date with its state: free, closed (skipped quietly) or conflict (with refusals)."""

    plan: Plan
    standing: list[rules.Refusal]
    checks: list[rules.OccurrenceCheck] = field(default_factory=list)

    def in_state(self, state: str) -> list[rules.OccurrenceCheck]:
        return [check for check in self.checks if check.state == state]

    @property
    def bookable(self) -> list[rules.OccurrenceCheck]:
        return [] if self.standing else self.in_state("free")

    def refusals(self) -> list[rules.Refusal]:
        """Why nothing (or not everything) can be booked, for a 409 or the form."""
        conflicts = [r for check in self.in_state("conflict") for r in check.refusals]
        if not conflicts and not self.in_state("free"):
            conflicts = [r for check in self.checks for r in check.refusals]  # every date closed
        return self.standing + conflicts


def period_clock(school_id: int, first: int, last: int | None = None) -> tuple[time, time] | None:
    """Wall-clock start of period ``first`` and end of period ``last`` (default: the same) at a school."""
    last = last or first
    periods = {p.number: p for p in db.session.scalars(
        select(BellPeriod).where(BellPeriod.school_id == school_id, BellPeriod.number.in_([first, last])))}
    if first not in periods or last not in periods or last < first:
        return None
    return periods[first].start_time, periods[last].end_time


def _bells_clock(school: School, first: int, last: int | None) -> tuple[time, time] | None:
    """``period_clock`` from the school's bells as the request has them (the booking form has read them)."""
    periods = {p.number: p for p in school.bell_periods}
    last = last or first
    if first not in periods or last not in periods or last < first:
        return None
    return periods[first].start_time, periods[last].end_time


def period_school_id(resource: Resource, school_id: int | None) -> int:
    """Whose bells a period number means: the owner school's; a visiting teacher's lesson follows
    the bells of the class's school, where it is held."""
    return school_id if resource.kind == ResourceKind.TEACHER and school_id else resource.owner_school_id


def _interval(data: BookingInput, resource: Resource | None, school: School | None, errors: dict) -> rules.Interval | None:
    if data.period_number is not None:
        if resource is None:
            return None
        bell_school_id = period_school_id(resource, school.id if school is not None else None)
        bell_school = resource.owner_school if bell_school_id == resource.owner_school_id else school
        clock = _bells_clock(bell_school, data.period_number, data.period_to)
        if clock is None or data.day is None:
            no_period = _l("The owner school has no such period.") if bell_school_id == resource.owner_school_id \
                else _l("The class's school has no such period.")
            errors["period_number"] = no_period if clock is None else _l("Choose a date.")
            return None
        zone = district_zone()
        return rules.Interval(local_to_utc(data.day, clock[0], zone), local_to_utc(data.day, clock[1], zone))
    if data.start is None:
        errors["start"] = _l("Enter when the booking starts.")
    if data.end is None:
        errors["end"] = _l("Enter when the booking ends.")
    if data.start is None or data.end is None:
        return None
    if data.end <= data.start:
        errors["end"] = _l("The end must be after the start.")
        return None
    if data.end - data.start > rules.MAX_BOOKING_LENGTH:
        errors["end"] = _l("A booking lasts at most %(n)d days.", n=rules.MAX_BOOKING_LENGTH.days)
        return None
    return rules.Interval(data.start, data.end)


def _resource(resource_id, errors: dict) -> Resource | None:
    resource = db.session.get(Resource, resource_id, options=resource_for_rules()) \
        if isinstance(resource_id, int) else None
    if resource is None:
        errors["resource_id"] = _l("Choose a resource.") if resource_id is None else _l("Unknown resource.")
    return resource


def _school(actor, data: BookingInput, errors: dict) -> tuple[int | None, School | None]:
    """The class's school: its id, and the row (kept by the plan, so the rest of the request reads it once)."""
    school_id = data.school_id or actor.school_id
    school = db.session.get(School, school_id) if school_id is not None else None
    if school_id is None:
        errors["school_id"] = _l("Choose the school of the class.")
    elif school is None:
        errors["school_id"] = _l("Unknown school.")
    elif actor.role == Role.COORDINATOR and not can_book_for_school(actor, school_id):
        errors["school_id"] = _l("You can book only for the classes of the schools you manage.")
    return school_id, school


def _check_text_and_numbers(data: BookingInput, resource: Resource | None, errors: dict) -> None:
    for name, limit, required in (("title", 200, _l("Enter the purpose of the booking.")), ("class_name", 100, None)):
        problem = text_error((getattr(data, name) or "").strip(), limit, required)
        if problem is not None:
            errors[name] = problem
    if data.students is not None and not (isinstance(data.students, int) and 0 <= data.students <= MAX_STUDENTS):
        errors["students"] = _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS)
    if not isinstance(data.quantity, int) or data.quantity < 1:
        errors["quantity"] = _l("Book at least one.")
    elif resource is not None and data.quantity > resource.stock:
        errors["quantity"] = _l("There are only %(n)d of these.", n=resource.stock)


def _term(data: BookingInput, errors: dict) -> Term | None:
    if data.term_id is None:
        return None
    term = db.session.get(Term, data.term_id)
    if term is None:
        errors["term_id"] = _l("Unknown term.")
    return term


def _recurrence(data: BookingInput, first: rules.Interval, term: Term | None, resource: Resource | None,
                errors: dict) -> Recurrence | None:
    """The series' dates: the rule's, with the make-up teaching days of the resource's school applied
    (see ``recurrence.with_makeup_days``)."""
    until = data.until or (term.end_date if term else None)
    zone = district_zone()
    try:
        recurrence = expand(data.rrule, first, zone, until_default=until)
        if resource is None:
            return recurrence
        first_day = recurrence.occurrences[0].start.astimezone(zone).date()
        makeup = makeup_days_by_school({resource.owner_school_id}, first_day, recurrence.until.astimezone(zone).date())
        return with_makeup_days(recurrence, zone, makeup[resource.owner_school_id])
    except RecurrenceError as error:
        errors["recurrence"] = error.message
        return None


def _lesson(data: BookingInput, resource: Resource, snapshot: rules.ResourceSnapshot,
            errors: dict) -> tuple[str | None, LessonKind | None]:
    """The subject and kind of a visiting teacher's lesson; other resources take neither."""
    if not snapshot.is_teacher:
        if data.subject:
            errors["subject"] = _l("Only a visiting teacher's lesson has a subject.")
        if data.lesson_kind:
            errors["lesson_kind"] = _l("Only a visiting teacher's lesson has a kind.")
        return None, None
    taught = snapshot.teacher.subjects if snapshot.teacher else frozenset({resource.subject} - {""})
    subject = data.subject or (next(iter(taught)) if len(taught) == 1 else None)
    if subject is None:
        errors["subject"] = _l("Choose the subject of the lesson.")
    elif subject not in taught:
        errors["subject"] = _l("%(teacher)s does not teach %(subject)s.", teacher=resource.name, subject=label(subject))
    try:
        return subject, LessonKind(data.lesson_kind or LessonKind.DEMONSTRATION)
    except ValueError:
        errors["lesson_kind"] = _l("Choose a demonstration lesson, a regular lesson or a training session.")
        return subject, None


def booking_window_days(actor, resource: Resource, school_id: int | None,
                        window: rules.WindowSetting | None = None) -> int | None:
    """The priority window (booking.quotas) of the class's school (``window``: the resource's, read already);
    coordinators, who allocate for the district, book outside the windows."""
    if actor.role == Role.COORDINATOR:
        return None
    return window_days_for(resource, db.session.get(School, school_id) if school_id else None, window)


def plan_booking(actor, data: BookingInput) -> Plan:
    """Validate ``data`` for ``actor``. Raises ValidationFailed naming each bad field."""
    errors: dict = {}
    resource = _resource(data.resource_id, errors)
    if resource is not None and actor.role == Role.COORDINATOR and not can_see_resource(actor, resource):
        # The rules let coordinators book own-school rooms; an area coordinator only those of their area.
        errors["resource_id"] = _l("This resource is for its own school only.")
    school_id, school = _school(actor, data, errors)  # first: the district check below finds the school read
    if resource is not None and "resource_id" not in errors and not reaches_district(actor, resource):
        errors["resource_id"] = _l("This resource is shared with its own district only.")
    first = _interval(data, resource, school, errors)
    _check_text_and_numbers(data, resource, errors)
    term = _term(data, errors)
    recurrence = _recurrence(data, first, term, resource, errors) if data.rrule and first is not None else None
    snapshot = resource_snapshot(resource) if resource is not None else None
    subject, lesson_kind = _lesson(data, resource, snapshot, errors) if resource is not None else (None, None)
    if errors:
        raise ValidationFailed(errors)
    fair_shares = fair_shares_for(resource)
    request = rules.Request(
        resource=snapshot, booker_role=actor.role.value, booker_school_id=actor.school_id,
        school_id=school_id, students=data.students, quantity=data.quantity,
        confirmed=not resource.approval_required or can_approve(actor, resource), subject=subject,
        outside_term_ok=bool(data.outside_term_ok),
        window_days=booking_window_days(actor, resource, school_id, fair_shares.window),
    )
    occurrences = recurrence.occurrences if recurrence else (first,)
    return Plan(resource, request, occurrences, data, recurrence, term, subject, lesson_kind,
                may_approve=can_approve(actor, resource), booker_id=actor.id, school=school, fair_shares=fair_shares,
                under_lock=held_booking_lock(resource) is not None,
                holder_districts=holder_districts(actor, resource.owner_school_id))


def reread_resource(plan: Plan) -> None:
    """The request as the resource is now: the plan was made before the booking transaction locked it,
    and an edit of the resource (stock, hours, sharing, approval) may have been committed meanwhile."""
    snapshot = resource_snapshot(plan.resource)
    plan.request = replace(plan.request, resource=snapshot,
                           confirmed=not snapshot.approval_required or plan.may_approve)


def check_plan(plan: Plan, exclude_ids=()) -> Preview:
    """The rules over every date of ``plan``: one query for the candidates and its holds, one for the calendar.
    A plan made before the booking lock was taken is first brought up to the resource as read under it."""
    if not plan.under_lock and held_booking_lock(plan.resource) is not None:
        reread_resource(plan)
        plan.under_lock = True
    holds = [hold for hold in (source(plan) for source in EXTRA_HOLDS) if hold is not None]
    existing = [shown_existing(e, plan.holder_districts)
                for e in candidate_existing(plan.resource, plan.occurrences, exclude_ids, holds)]
    calendar = calendar_for(plan.resource, span_of(plan.occurrences))
    checks = rules.check_occurrences(plan.request, plan.occurrences, existing, calendar, utcnow())
    return Preview(plan, rules.standing_refusals(plan.request), checks)


def preview_booking(actor, data: BookingInput) -> Preview:
    """What booking ``data`` would do, date by date, the term quotas as they stand included (counted without
    the lock: the booking itself counts again under it). Writes nothing; raises ValidationFailed."""
    preview = check_plan(plan_booking(actor, data))
    free = [check.interval for check in preview.bookable]
    preview.standing += quota_refusals(preview.plan.resource, preview.plan.request.school_id, free, lock=False,
                                       quota_ids=preview.plan.fair_shares.quota_ids)
    return preview


def request_for_booking(booking, confirmed: bool, students: int | None = None,
                        snapshot: rules.ResourceSnapshot | None = None) -> rules.Request:
    """The rules' view of an existing booking, e.g. to re-check it when it is approved or moved
    (``snapshot``: its resource's, when the caller has it already)."""
    return rules.Request(
        resource=snapshot or resource_snapshot(booking.resource), booker_role=booking.booked_by.role.value,
        booker_school_id=booking.booked_by.school_id, school_id=booking.school_id,
        students=booking.students if students is None else students, quantity=booking.quantity,
        confirmed=confirmed, subject=booking.lesson_subject,
        outside_term_ok=True,  # an existing booking: confirmed (or allowed) when it was made
    )
