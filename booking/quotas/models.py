"""Fair shares of scarce resources (issue #14): priority booking windows and per-school term quotas.

- ``BookingWindow``: how many days ahead a booking opens, for classes of weak schools (薄弱学校), of the
  other schools and of the owner school; one row for the district's default, one per category, one per
  resource. Each field left empty takes the broader level's value (resource → category → district).
- ``TermQuota``: hours per school per term of a resource or of a category, fixed or per 100 students
  (the school's enrollment), with the owner school's use of its own resources limited separately.
- ``QuotaException``: extra hours a coordinator grants one school for one quota in one term, with a reason.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School, Term

MAX_WINDOW_DAYS = 366
MAX_QUOTA_HOURS = 10_000


def scope_key(resource_id: int | None, category: str | None) -> str:
    """One row per level: "district", "category:lab" or "resource:12"."""
    if resource_id is not None:
        return f"resource:{resource_id}"
    return f"category:{category}" if category else "district"


class BookingWindow(db.Model):
    __tablename__ = "booking_windows"
    __table_args__ = (
        UniqueConstraint("district_id", "scope_key"),
        CheckConstraint("resource_id IS NULL OR category IS NULL", name="one_level"),
        CheckConstraint(f"weak_days IS NULL OR weak_days BETWEEN 0 AND {MAX_WINDOW_DAYS}", name="weak_days_range"),
        CheckConstraint(f"other_days IS NULL OR other_days BETWEEN 0 AND {MAX_WINDOW_DAYS}", name="other_days_range"),
        CheckConstraint(f"owner_days IS NULL OR owner_days BETWEEN 0 AND {MAX_WINDOW_DAYS}", name="owner_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    scope_key: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    weak_days: Mapped[int | None] = mapped_column(Integer)
    other_days: Mapped[int | None] = mapped_column(Integer)
    owner_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    resource: Mapped[Resource | None] = relationship()


class TermQuota(db.Model):
    __tablename__ = "term_quotas"
    __table_args__ = (
        UniqueConstraint("district_id", "scope_key"),
        CheckConstraint("(resource_id IS NULL) <> (category IS NULL)", name="resource_or_category"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
        CheckConstraint("hours_per_100 IS NULL OR hours_per_100 >= 0", name="hours_per_100_not_negative"),
        CheckConstraint("owner_hours IS NULL OR owner_hours >= 0", name="owner_hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    scope_key: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    # The other schools' allowance: fixed hours, or (when hours is empty) hours per 100 students.
    hours: Mapped[float | None] = mapped_column(Float)
    hours_per_100: Mapped[float | None] = mapped_column(Float)
    # The owner school's use of its own resources; empty = not limited.
    owner_hours: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    resource: Mapped[Resource | None] = relationship()
    exceptions: Mapped[list["QuotaException"]] = relationship(
        back_populates="quota", cascade="all, delete-orphan", order_by="QuotaException.id")


class QuotaException(db.Model):
    __tablename__ = "quota_exceptions"
    __table_args__ = (CheckConstraint("extra_hours > 0", name="extra_hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quota_id: Mapped[int] = mapped_column(ForeignKey("term_quotas.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    extra_hours: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quota: Mapped[TermQuota] = relationship(back_populates="exceptions")
    school: Mapped[School] = relationship()
    term: Mapped[Term] = relationship()
    granted_by: Mapped[User | None] = relationship()
