"""Bookings: one row per occurrence, series that generated them, and maintenance blackouts.

Every occurrence of a recurring booking is its own ``bookings`` row, so the database's
guarantee (the PostgreSQL exclusion constraint written in migration 0002) covers each date.

Who holds a slot:
- ``blocks`` is true exactly for *confirmed* bookings of *exclusive* resources (rooms, visiting
  teachers). Only those rows are in the exclusion constraint.
- Pending requests (resources with ``approval_required``) do not block each other: the
  approver chooses among them. They do block ordinary confirmed bookings (checked by the rules),
  and approving one rejects the overlapping requests it made impossible.
- Equipment is booked in quantities (``blocks`` false); the services serialise writes per
  resource and keep the sum of overlapping quantities within stock.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School, Term


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


class BookingOutcome(StrEnum):
    """What happened at a booking that took place (reports count "used" hours; see booking.bookings.outcomes)."""

    USED = "used"
    NO_SHOW = "no_show"


class LessonKind(StrEnum):
    """What a visiting teacher's lesson is (booking.teachers): mandates count demonstrations and trainings."""

    DEMONSTRATION = "demonstration"
    REGULAR = "regular"
    TRAINING = "training"


def next_sequence(current: int | None) -> int:
    """The version counter of a row: 0 when written first, one more at every UPDATE.

    ``sequence`` is both the iCalendar SEQUENCE and SQLAlchemy's version counter, so every UPDATE of a
    booking or series is a compare-and-set: ``UPDATE … WHERE id = :id AND sequence = :as_read``. A
    transaction that read the row before someone else changed it updates nothing and fails with
    ``StaleDataError`` (a 409 for the user, see booking/errors.py) instead of overwriting the other
    change — a cancellation can no longer be lost to an approval that raced it.
    """
    return 0 if current is None else current + 1


# The rows the reports read: what was confirmed, and no-shows (released ones are cancelled). Written
# as literal SQL, because SQLite uses a partial index only when the query repeats its condition.
REPORTED = "(status = 'confirmed' OR outcome = 'no_show')"
PENDING_ONLY = "status = 'pending'"

# Statuses that still occupy time on the calendar (the others are history).
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class BookingSeries(db.Model):
    """A recurring booking: an RFC 5545 RRULE expanded in the district's wall-clock time.

    ``dtstart`` is the first occurrence's start (UTC); each occurrence lasts ``duration_minutes``.
    Instances of the rule without a ``bookings`` row were skipped (closed or clashing dates):
    they are the series' excluded dates.
    """

    __tablename__ = "booking_series"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("students IS NULL OR students >= 0", name="students_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    rrule: Mapped[str] = mapped_column(Text)
    dtstart: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the teacher picked a bell period (第N节) rather than clock times.
    period_number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(100), default="")
    students: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[SeriesStatus] = mapped_column(db_enum(SeriesStatus, "series_status"), default=SeriesStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    resource: Mapped[Resource] = relationship()
    booked_by: Mapped[User] = relationship()
    school: Mapped[School] = relationship()
    term: Mapped[Term | None] = relationship()
    occurrences: Mapped[list["Booking"]] = relationship(back_populates="series", order_by="Booking.starts_at")

    __mapper_args__ = {"version_id_col": sequence, "version_id_generator": next_sequence}


class Booking(db.Model):
    """One booked interval [starts_at, ends_at) of a resource, for one class of one school."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("students IS NULL OR students >= 0", name="students_not_negative"),
        CheckConstraint("NOT blocks OR status = 'confirmed'", name="only_confirmed_blocks"),
        Index("ix_bookings_resource_start", "resource_id", "starts_at"),
        Index("ix_bookings_school_start", "school_id", "starts_at"),
        Index("ix_bookings_booker_start", "booked_by_id", "starts_at"),
        # The reports' scans: confirmed bookings and no-shows (a released no-show is cancelled) by time,
        # with every column they sum (migrations 0004, 0008e).
        Index("ix_bookings_report_span", "starts_at", "ends_at", "resource_id", "school_id", "quantity",
              "students", "outcome", "status", sqlite_where=text(REPORTED), postgresql_where=text(REPORTED)),
        # The requests waiting for an answer, by start: the header's count on every page (migration 0012a).
        Index("ix_bookings_pending_start", "starts_at", "resource_id", sqlite_where=text(PENDING_ONLY),
              postgresql_where=text(PENDING_ONLY)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[BookingStatus] = mapped_column(db_enum(BookingStatus, "booking_status"), index=True)
    blocks: Mapped[bool] = mapped_column(default=False)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(100), default="")
    students: Mapped[int | None] = mapped_column(Integer)
    # The rule instance this row stands for (iCal RECURRENCE-ID); None for single bookings.
    original_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_exception: Mapped[bool] = mapped_column(default=False)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[BookingOutcome | None] = mapped_column(db_enum(BookingOutcome, "booking_outcome"))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Lessons of visiting teachers only (migration 0006): the subject taught and the kind of lesson.
    lesson_subject: Mapped[str | None] = mapped_column(String(50))
    lesson_kind: Mapped[LessonKind | None] = mapped_column(db_enum(LessonKind, "lesson_kind"))
    # Check-in (migration 0008e, booking.bookings.checkin): who checked in and when; released_at is set when
    # the scheduler released a booking nobody checked in for (then cancelled, outcome no-show).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resource: Mapped[Resource] = relationship()
    series: Mapped[BookingSeries | None] = relationship(back_populates="occurrences")
    booked_by: Mapped[User] = relationship(foreign_keys=[booked_by_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    school: Mapped[School] = relationship()

    __mapper_args__ = {"version_id_col": sequence, "version_id_generator": next_sequence}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def set_status(self, status: BookingStatus) -> None:
        """Change status and keep ``blocks`` and the iCal SEQUENCE in step with it."""
        self.status = status
        self.blocks = status == BookingStatus.CONFIRMED and not self.resource.is_quantity_based
        self.touch()

    def touch(self) -> None:
        """Every change a subscriber's calendar must notice bumps SEQUENCE (the version counter does, at the
        UPDATE this marks the row for)."""
        self.updated_at = utcnow()

    def __repr__(self) -> str:
        return f"<Booking {self.id} r{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M} {self.status}>"


class ResourceBlackout(db.Model):
    """A span a resource cannot be booked (maintenance, exams in the hall …)."""

    __tablename__ = "resource_blackouts"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship()
