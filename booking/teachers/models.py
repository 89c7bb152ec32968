"""Visiting specialist teachers (走教/送教): who they are, when their home school needs them, the mandates.

- ``TeacherProfile`` ties a user to the resource of kind ``teacher`` that classes book, and holds
  the subjects, the home school, the schools served and the weekly cap in lessons. The days and
  times the teacher is available are that resource's opening hours: the booking engine reads them
  like any resource's and reports ``outside_availability`` for a teacher.
- ``TeacherBusyTime``: the home-school timetable, weekly (weekday + span), within a term and/or
  between dates. It blocks the teacher like a booking does (``teacher_busy``).
- ``Mandate``: what a term requires per tied school; a term without rows uses ``DEFAULT_MANDATES``.
- ``VisitSettings``: per district, whether visit requests confirm at once or go to the lead school's admin.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.bookings.models import LessonKind
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School, Term

# (lesson kind, subject or "" for any subject, lessons required per tied school per term)
DEFAULT_MANDATES = (
    (LessonKind.DEMONSTRATION, "music", 3),
    (LessonKind.DEMONSTRATION, "pe", 3),
    (LessonKind.DEMONSTRATION, "art", 3),
    (LessonKind.TRAINING, "", 2),
)

served_schools = Table(
    "teacher_served_schools",
    db.metadata,
    Column("profile_id", ForeignKey("teacher_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)


class TeacherProfile(db.Model):
    __tablename__ = "teacher_profiles"
    __table_args__ = (CheckConstraint("weekly_cap > 0", name="weekly_cap_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), unique=True)
    home_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    weekly_cap: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    resource: Mapped[Resource] = relationship()
    home_school: Mapped[School] = relationship()
    subject_rows: Mapped[list["TeacherSubject"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="TeacherSubject.subject")
    served: Mapped[list[School]] = relationship(secondary=served_schools, order_by="School.code")
    busy_times: Mapped[list["TeacherBusyTime"]] = relationship(
        back_populates="profile", cascade="all, delete-orphan",
        order_by="(TeacherBusyTime.weekday, TeacherBusyTime.starts)")

    @property
    def subjects(self) -> list[str]:
        return [row.subject for row in self.subject_rows]

    def __repr__(self) -> str:
        return f"<TeacherProfile {self.id} user {self.user_id} resource {self.resource_id}>"


class TeacherSubject(db.Model):
    __tablename__ = "teacher_subjects"

    profile_id: Mapped[int] = mapped_column(ForeignKey("teacher_profiles.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(50), primary_key=True)

    profile: Mapped[TeacherProfile] = relationship(back_populates="subject_rows")


class TeacherBusyTime(db.Model):
    """A weekly home-school commitment: ``weekday`` (0 = Monday) from ``starts`` to ``ends``, local time.

    Applies within ``term`` when set and between ``first_date`` and ``last_date`` when set; always otherwise.
    """

    __tablename__ = "teacher_busy_times"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("ends > starts", name="ends_after_start"),
        CheckConstraint("first_date IS NULL OR last_date IS NULL OR last_date >= first_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("teacher_profiles.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")

    profile: Mapped[TeacherProfile] = relationship(back_populates="busy_times")
    term: Mapped[Term | None] = relationship()


class Mandate(db.Model):
    """Lessons of ``lesson_kind`` (in ``subject``; "" = any subject) each tied school must get in ``term``."""

    __tablename__ = "mandates"
    __table_args__ = (
        UniqueConstraint("term_id", "lesson_kind", "subject"),
        CheckConstraint("required >= 0", name="required_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    lesson_kind: Mapped[LessonKind] = mapped_column(db_enum(LessonKind, "lesson_kind"))
    subject: Mapped[str] = mapped_column(String(50), default="")
    required: Mapped[int] = mapped_column(Integer)


class VisitSettings(db.Model):
    """Per district: visit requests confirm at once (``auto_confirm``) or wait for the lead school's admin."""

    __tablename__ = "visit_settings"

    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True)
    auto_confirm: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
