"""A visiting teacher as the booking rules see it: read from the profile, handed to the pure rules.

``booking.bookings.queries.resource_snapshot`` calls ``teacher_snapshot`` for every resource of
kind teacher, so every check (booking, approving, moving, suggesting) applies the teacher's rules.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.bookings.rules.types import BusyTime, TeacherSnapshot
from booking.extensions import db
from booking.schools.models import School
from booking.schools.travel import travel_matrix
from booking.teachers.models import TeacherBusyTime, TeacherProfile


def profile_of_resource(resource_id: int) -> TeacherProfile | None:
    return db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.resource_id == resource_id)
        .options(selectinload(TeacherProfile.subject_rows), selectinload(TeacherProfile.served),
                 selectinload(TeacherProfile.busy_times).selectinload(TeacherBusyTime.term)))


def _later(*days: date | None) -> date | None:
    given = [d for d in days if d is not None]
    return max(given) if given else None


def _earlier(*days: date | None) -> date | None:
    given = [d for d in days if d is not None]
    return min(given) if given else None


def busy_time(row: TeacherBusyTime) -> BusyTime:
    """A stored commitment as the rules read it: the term and the dates given narrow it together."""
    term = row.term
    return BusyTime(weekday=row.weekday, start=row.starts, end=row.ends,
                    first_day=_later(term.start_date if term else None, row.first_date),
                    last_day=_earlier(term.end_date if term else None, row.last_date), note=row.note)


def school_names() -> dict[int, str]:
    return dict(db.session.execute(select(School.id, School.name)).all())


def snapshot_of(profile: TeacherProfile) -> TeacherSnapshot:
    return TeacherSnapshot(
        home_school_id=profile.home_school_id,
        weekly_cap=profile.weekly_cap,
        served_school_ids=frozenset(school.id for school in profile.served),
        subjects=frozenset(profile.subjects),
        busy=tuple(busy_time(row) for row in profile.busy_times),
        travel=travel_matrix(),
        school_names=school_names(),
    )


def teacher_snapshot(resource_id: int) -> TeacherSnapshot | None:
    """The teacher's snapshot, or None when the resource has no profile (then only a room's rules apply)."""
    profile = profile_of_resource(resource_id)
    return snapshot_of(profile) if profile is not None else None
