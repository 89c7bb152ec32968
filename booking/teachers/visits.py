"""Requesting a visit: a tied school's teacher or admin picks subject, class, date and period of
their school; the page lists the specialists who can make it, nearest trip first; the request is
an ordinary booking of the teacher's resource, so the one engine decides (and explains refusals).

Whether a request confirms at once or waits for the lead school's admin is the district's
setting (``profiles.set_visits_auto_confirm``), carried by the teacher resources' approval flag.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time

from sqlalchemy import select

from booking.bookings import rules
from booking.bookings.models import LessonKind
from booking.bookings.planning import BookingInput, period_clock
from booking.bookings.queries import overlapping_bookings
from booking.bookings.services import Created, create_booking
from booking.bookings.suggestions import class_request, free_slots
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.labels import SUBJECTS, label
from booking.resources.models import Resource
from booking.schools.models import School
from booking.schools.travel import travel_matrix, travel_minutes
from booking.teachers.lessons import LESSON_KIND_LABELS
from booking.teachers.models import TeacherProfile, TeacherSubject, served_schools
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


@dataclass
class VisitInput:
    subject: str | None
    day: date | None
    period_number: int | None
    class_name: str = ""
    students: int | None = None
    lesson_kind: str | None = None
    resource_id: int | None = None  # the specialist asked for (to request; optional to search)
    title: str = ""
    outside_term_ok: bool = False  # the requester confirmed a date between two terms


@dataclass(frozen=True)
class Specialist:
    """A teacher who can make it, and the trip into the lesson (from the previous stop that day, or home)."""

    profile: TeacherProfile
    interval: rules.Interval
    coming_from: School
    travel_minutes: int | None

    @property
    def resource(self) -> Resource:
        return self.profile.resource


@dataclass
class VisitOptions:
    interval: rules.Interval
    specialists: list[Specialist]
    unavailable: int  # teachers of the subject serving the school who cannot make it


def _school(actor) -> School:
    if actor.school_id is None:
        raise ValidationFailed({"school": _l("Only the teachers and admins of a school request visits for it.")})
    return actor.school


def visit_interval(actor, data: VisitInput) -> rules.Interval:
    """The period asked for at the actor's school; ValidationFailed naming each bad field."""
    school = _school(actor)
    errors: dict = {}
    if data.subject not in SUBJECTS:
        errors["subject"] = _l("Choose a subject.")
    if data.lesson_kind not in (None, "", *[k.value for k in LessonKind]):
        errors["lesson_kind"] = _l("Choose a demonstration lesson, a regular lesson or a training session.")
    if data.day is None:
        errors["day"] = _l("Choose a date.")
    clock = period_clock(school.id, data.period_number) if data.period_number else None
    if clock is None:
        errors["period_number"] = _l("Choose one of your school's periods.")
    if errors:
        raise ValidationFailed(errors)
    zone = district_zone()
    return rules.Interval(local_to_utc(data.day, clock[0], zone), local_to_utc(data.day, clock[1], zone))


def serving_profiles(school_id: int, subject: str | None = None) -> list[TeacherProfile]:
    """Profiles of teachers who serve (or belong to) the school; who teach ``subject`` when given."""
    query = (select(TeacherProfile)
             .outerjoin(served_schools, served_schools.c.profile_id == TeacherProfile.id)
             .where((served_schools.c.school_id == school_id) | (TeacherProfile.home_school_id == school_id))
             .distinct())
    if subject is not None:
        query = query.join(TeacherSubject).where(TeacherSubject.subject == subject)
    profiles = sorted(db.session.scalars(query), key=lambda p: p.resource.name)
    return [p for p in profiles if p.resource.active]


def _arrivals(profiles: list[TeacherProfile], interval: rules.Interval) -> dict[int, int]:
    """Resource id → the school of the teacher's last lesson before ``interval`` that day (ONE query)."""
    zone = district_zone()
    day = interval.start.astimezone(zone).date()
    morning = rules.Interval(local_to_utc(day, time(0), zone), interval.start)
    last: dict[int, int] = {}
    for booking in overlapping_bookings([p.resource_id for p in profiles], morning):
        if booking.ends_at <= interval.start:
            last[booking.resource_id] = booking.school_id  # ordered by start: the latest wins
    return last


def visit_options(actor, data: VisitInput) -> VisitOptions:
    """The specialists of ``data.subject`` who can teach at the actor's school then, nearest trip first."""
    interval = visit_interval(actor, data)
    school = actor.school
    profiles = serving_profiles(school.id, data.subject)
    template = replace(class_request(actor, school.id, data.students), subject=data.subject)
    feasible = {resource.id for resource, _ in free_slots(actor, [(p.resource, interval) for p in profiles], template)}
    arrivals, matrix = _arrivals(profiles, interval), travel_matrix()
    found = []
    for profile in (p for p in profiles if p.resource_id in feasible):
        origin_id = arrivals.get(profile.resource_id, profile.home_school_id)
        found.append(Specialist(profile, interval, db.session.get(School, origin_id),
                                travel_minutes(origin_id, school.id, matrix)))
    found.sort(key=lambda s: (s.travel_minutes is None, s.travel_minutes or 0, s.profile.user.display_name))
    return VisitOptions(interval, found, len(profiles) - len(found))


def default_title(subject: str, kind: LessonKind) -> str:
    return str(_l("%(subject)s · %(kind)s", subject=label(subject), kind=LESSON_KIND_LABELS[kind]))


def request_visit(actor, data: VisitInput) -> Created:
    """Book the chosen specialist for the class: confirmed, or waiting for the lead school's admin.

    Raises ValidationFailed (bad field, a subject the teacher does not teach) or BookingRefused
    (the engine's refusal: teacher_busy, travel_time, over_workload … with alternatives).
    """
    visit_interval(actor, data)
    if data.resource_id is None:
        raise ValidationFailed({"resource_id": _l("Choose a specialist.")})
    kind = LessonKind(data.lesson_kind or LessonKind.DEMONSTRATION)
    return create_booking(actor, BookingInput(
        resource_id=data.resource_id, title=(data.title or "").strip() or default_title(data.subject, kind),
        day=data.day, period_number=data.period_number, class_name=data.class_name, students=data.students,
        subject=data.subject, lesson_kind=kind.value, outside_term_ok=data.outside_term_ok))
