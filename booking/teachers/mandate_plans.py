"""The term's mandate plan: read the district into the planner's input, propose, preview, commit.

- ``planner_input(term)`` reads what the pure planner (``booking.teachers.planner``) needs: the lead
  schools' visiting teachers (availability, home timetable, lessons already booked, weekly cap, home
  school closures, booking horizon), the tied schools (bells, closures: district holidays and their
  own), what each tied school still lacks of each mandate (required less delivered and planned) and
  the travel matrix. Days: from tomorrow (district time) to the end of the term.
- ``propose(actor, term)`` runs the planner; writes nothing.
- ``commit(actor, term, digest)`` proposes again and, when the plan is still the one the coordinator
  saw (same ``digest``), books every lesson through the booking engine (``create_booking``, the
  coordinator booking for the tied school), in one transaction: the engine refusing any lesson (or any
  other failure) rolls back every lesson booked before it, and nothing is written.

Who may: district coordinators (``permissions.can_plan_mandates``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.audit.services import record
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import ACTIVE_STATUSES, Booking, LessonKind
from booking.bookings.planning import BookingInput
from booking.bookings.calendar_queries import closed_days_by_school
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today
from booking.permissions import can_plan_mandates
from booking.resources.models import Resource
from booking.schools.models import BellPeriod, School, Term
from booking.schools.travel import travel_matrix
from booking.teachers import plan_model, planner
from booking.teachers.mandates import mandate_progress
from booking.teachers.models import TeacherBusyTime, TeacherProfile
from booking.teachers.snapshots import busy_time
from booking.teachers.visits import default_title
from booking.texts import lazy_gettext as _l

REASON_LABELS = {
    plan_model.NO_TEACHER: _l("No visiting teacher who serves this school teaches the subject."),
    plan_model.WEEKLY_CAP: _l("Teacher cap: every week the teachers could come here is full to their weekly limit."),
    plan_model.OTHER_SCHOOLS: _l("The teachers' free days are all needed for other schools' mandates."),
}


class PlanChanged(Exception):
    """The plan is no longer the one previewed (bookings, timetables or mandates changed meanwhile)."""


class PlanRefused(Exception):
    """The booking engine refused one of the plan's lessons; nothing was written."""

    def __init__(self, lesson: plan_model.Lesson, refused: BookingRefused):
        super().__init__(str(refused))
        self.lesson, self.refused = lesson, refused


@dataclass
class Proposal:
    term: Term
    first_day: date | None
    plan: plan_model.Plan
    data: plan_model.PlanInput
    teachers: dict[int, TeacherProfile]  # by resource id
    schools: dict[int, School]
    progress: object  # mandates.MandateProgress

    @property
    def digest(self) -> str:
        return self.plan.digest()


# --- reading the district ----------------------------------------------------------------------


def planning_days(term: Term, today: date) -> list[date]:
    first = max(term.start_date, today + timedelta(days=1))
    return [first + timedelta(days=n) for n in range((term.end_date - first).days + 1)]


def lead_profiles() -> list[TeacherProfile]:
    """The visiting teachers of lead schools whose resource is in service."""
    query = (select(TeacherProfile).join(Resource, Resource.id == TeacherProfile.resource_id)
             .join(School, School.id == TeacherProfile.home_school_id)
             .where(Resource.active.is_(True), School.is_lead.is_(True)).order_by(TeacherProfile.resource_id)
             .options(selectinload(TeacherProfile.subject_rows), selectinload(TeacherProfile.served),
                      selectinload(TeacherProfile.busy_times).selectinload(TeacherBusyTime.term),
                      selectinload(TeacherProfile.resource).selectinload(Resource.opening_hours),
                      selectinload(TeacherProfile.user)))
    return list(db.session.scalars(query))


def _lessons_by_resource(resource_ids: list[int], first: date, last: date) -> dict[int, list[plan_model.FixedStop]]:
    """Active lessons of the teachers from the Monday of ``first``'s week to ``last``: ONE query."""
    zone = district_zone()
    start = local_to_utc(plan_model.week_of(first), time(0), zone)
    end = local_to_utc(last + timedelta(days=7 - last.weekday()), time(0), zone)
    found: dict[int, list[plan_model.FixedStop]] = {rid: [] for rid in resource_ids}
    rows = db.session.execute(select(Booking.resource_id, Booking.school_id, Booking.starts_at, Booking.ends_at)
                              .where(Booking.resource_id.in_(resource_ids), Booking.status.in_(ACTIVE_STATUSES),
                                     Booking.starts_at < end, Booking.ends_at > start)
                              .order_by(Booking.starts_at, Booking.id))
    for resource_id, school_id, starts_at, ends_at in rows:
        local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        end_clock = local_end.time() if local_end.date() == local_start.date() else time(23, 59)
        found[resource_id].append(plan_model.FixedStop(local_start.date(), local_start.time(), end_clock, school_id))
    return found


def _periods(school_ids: list[int]) -> dict[int, tuple[plan_model.Period, ...]]:
    found: dict[int, list[plan_model.Period]] = {sid: [] for sid in school_ids}
    for row in db.session.scalars(select(BellPeriod).where(BellPeriod.school_id.in_(school_ids))
                                  .order_by(BellPeriod.school_id, BellPeriod.number)):
        found[row.school_id].append(plan_model.Period(row.number, row.start_time, row.end_time))
    return {sid: tuple(periods) for sid, periods in found.items()}


def _horizon(resource: Resource, today: date) -> date | None:
    return today + timedelta(days=resource.max_advance_days) if resource.max_advance_days is not None else None


def planner_input(term: Term, today: date | None = None, progress=None) -> plan_model.PlanInput:
    """The planner's input for the rest of ``term`` as of ``today`` (the district's date by default)."""
    today = today or local_today()
    progress = progress or mandate_progress(term, today)
    days = planning_days(term, today)
    profiles = lead_profiles()
    tied = [row.school for row in progress.rows]
    last = days[-1] if days else term.end_date
    first = days[0] if days else term.end_date
    school_ids = [s.id for s in tied]
    closed = closed_days_by_school(set(school_ids) | {p.home_school_id for p in profiles}, first, last)
    periods = _periods(school_ids)
    lessons = _lessons_by_resource([p.resource_id for p in profiles], first, last) if profiles else {}
    teachers = tuple(plan_model.Teacher(
        id=p.resource_id, name=p.user.display_name, home_school_id=p.home_school_id,
        subjects=tuple(sorted(p.subjects)), weekly_cap=p.weekly_cap,
        served_school_ids=tuple(s.id for s in p.served if s.id in periods),
        availability=tuple((h.weekday, h.opens, h.closes) for h in p.resource.opening_hours),
        busy=tuple(busy_time(row) for row in p.busy_times), lessons=tuple(lessons.get(p.resource_id, ())),
        closed=closed.get(p.home_school_id, {}), last_day=_horizon(p.resource, today)) for p in profiles)
    schools = tuple(plan_model.HostSchool(s.id, s.name, periods[s.id], closed.get(s.id, {})) for s in tied)
    needs = tuple(plan_model.Need(row.school.id, cell.line.lesson_kind.value, cell.line.subject, cell.line.required,
                               cell.delivered + cell.planned)
                  for row in progress.rows for cell in row.cells)
    return plan_model.PlanInput(days=tuple(days), teachers=teachers, schools=schools, needs=needs,
                             travel=travel_matrix())


# --- proposing and committing ------------------------------------------------------------------


def propose(actor, term: Term, today: date | None = None) -> Proposal:
    """The planner's proposal for the rest of ``term``. Writes nothing; NotAllowed for non-coordinators."""
    if not can_plan_mandates(actor):
        raise NotAllowed()
    today = today or local_today()
    progress = mandate_progress(term, today)
    data = planner_input(term, today, progress)
    proposal = planner.plan(data)
    profiles = {p.resource_id: p for p in lead_profiles()}
    schools = {s.id: s for s in db.session.scalars(select(School))}
    return Proposal(term, data.days[0] if data.days else None, proposal, data, profiles, schools, progress)


def _booking_input(lesson: plan_model.Lesson) -> BookingInput:
    kind = LessonKind(lesson.lesson_kind)
    return BookingInput(resource_id=lesson.teacher_id, title=default_title(lesson.subject, kind), day=lesson.day,
                        period_number=lesson.period_number, school_id=lesson.school_id, subject=lesson.subject,
                        lesson_kind=kind.value)


def book_lesson(actor, lesson: plan_model.Lesson) -> list[Booking]:
    """One lesson through the booking engine; the seam the all-or-nothing test breaks half-way."""
    created = create_booking(actor, _booking_input(lesson))
    if created.skipped:  # a closed date is skipped quietly by the engine: for a plan it is a refusal
        raise BookingRefused([r for check in created.skipped for r in check.refusals])
    return created.bookings


def commit(actor, term: Term, digest: str, today: date | None = None) -> tuple[Proposal, list[Booking]]:
    """Book the proposal whose ``digest`` the coordinator saw: every lesson or none.

    Raises NotAllowed, PlanChanged (the proposal differs now: preview again) or PlanRefused (the
    engine refused a lesson; everything booked before it is rolled back with it).
    """
    proposal = propose(actor, term, today)
    if proposal.digest != digest:
        raise PlanChanged()
    booked: list[Booking] = []
    try:
        for lesson in proposal.plan.lessons:
            try:
                booked.extend(book_lesson(actor, lesson))
            except BookingRefused as refused:
                raise PlanRefused(lesson, refused) from refused
        if booked:
            record(actor, "mandate_plan.commit", term,
                   {"digest": digest, "lessons": len(booked), "booking_ids": [b.id for b in booked]})
        db.session.flush()
    except BaseException:
        db.session.rollback()
        raise
    return proposal, booked


# --- the preview's views of a proposal ------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStop:
    lesson: plan_model.Lesson
    school: School
    travel_in: int | None  # minutes from the previous place of the day (home first)


@dataclass
class TeacherWeek:
    monday: date
    stops: list[PlannedStop]
    existing: int  # lessons already booked that week

    @property
    def total(self) -> int:
        return self.existing + len(self.stops)


@dataclass
class TeacherPlan:
    profile: TeacherProfile
    weeks: list[TeacherWeek]
    cap: int

    @property
    def lessons(self) -> int:
        return sum(len(w.stops) for w in self.weeks)


@dataclass(frozen=True)
class CoverageCell:
    line: object  # mandates.MandateLine
    have: int  # delivered + planned before this plan
    planned: int  # by this plan
    required: int
    reason: object | None  # why it stays short (a lazy message), None when met

    @property
    def total(self) -> int:
        return self.have + self.planned

    @property
    def met(self) -> bool:
        return self.total >= self.required


@dataclass
class SchoolCoverage:
    school: School
    cells: list[CoverageCell]

    @property
    def met(self) -> bool:
        return all(cell.met for cell in self.cells)


def _previous_place(data: plan_model.PlanInput, teacher: plan_model.Teacher, lesson: plan_model.Lesson) -> int:
    earlier = [(s.end, s.school_id) for s in teacher.lessons if s.day == lesson.day and s.end <= lesson.start]
    earlier += [(b.end, teacher.home_school_id) for b in teacher.busy
                if b.applies_on(lesson.day) and b.end <= lesson.start]
    return max(earlier)[1] if earlier else teacher.home_school_id


def teacher_plans(proposal: Proposal) -> list[TeacherPlan]:
    """Per teacher, week by week: the planned lessons with the trip into each."""
    data, found = proposal.data, []
    for teacher in data.teachers:
        profile = proposal.teachers.get(teacher.id)
        if profile is None:
            continue
        lessons = [lesson for lesson in proposal.plan.lessons if lesson.teacher_id == teacher.id]
        weeks: dict[date, TeacherWeek] = {}
        existing = {}
        for stop in teacher.lessons:
            existing[plan_model.week_of(stop.day)] = existing.get(plan_model.week_of(stop.day), 0) + 1
        where: dict[date, tuple[time, int]] = {}
        for lesson in lessons:
            monday = plan_model.week_of(lesson.day)
            week = weeks.setdefault(monday, TeacherWeek(monday, [], existing.get(monday, 0)))
            previous = where.get(lesson.day)
            origin = previous[1] if previous else _previous_place(data, teacher, lesson)
            week.stops.append(PlannedStop(lesson, proposal.schools[lesson.school_id],
                                          data.minutes(origin, lesson.school_id)))
            where[lesson.day] = (lesson.end, lesson.school_id)
        found.append(TeacherPlan(profile, [weeks[m] for m in sorted(weeks)], teacher.weekly_cap))
    return found


def reason_text(shortfall: plan_model.Shortfall):
    """Why a mandate stays short, for the coordinator."""
    if shortfall.reason == plan_model.NO_FREE_PERIOD:
        return _l("Not enough free periods: the teachers can give at most %(n)d lessons here in the rest of the term "
                  "(home timetable, closures, travel, lessons already booked).", n=shortfall.free_periods)
    return REASON_LABELS[shortfall.reason]


def school_coverage(proposal: Proposal) -> list[SchoolCoverage]:
    """Per tied school and mandate: had before, planned now, required, and why a mandate stays short."""
    short = {(s.need.school_id, s.need.key): s for s in proposal.plan.shortfalls}
    found = []
    for row in proposal.progress.rows:
        cells = []
        for cell in row.cells:
            key = (row.school.id, cell.line.key)
            shortfall = short.get(key)
            cells.append(CoverageCell(cell.line, cell.delivered + cell.planned, proposal.plan.planned_by_need.get(key, 0),
                                      cell.line.required, reason_text(shortfall) if shortfall else None))
        found.append(SchoolCoverage(row.school, cells))
    return found



def lesson_label(lesson: plan_model.Lesson):
    return default_title(lesson.subject, LessonKind(lesson.lesson_kind))
