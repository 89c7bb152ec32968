"""A term allocation round (学期初统筹分配) and the weekly requests submitted to it (migration 0009r)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.bookings.models import next_sequence
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db


class RoundStatus(StrEnum):
    OPEN = "open"  # taking requests until the deadline, then waiting for the coordinator
    COMMITTED = "committed"  # turned into recurring series


OPEN_ROUND = "status = 'open'"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    SERVED = "served"  # its series was created when the round was committed
    UNMET = "unmet"  # the round was committed without it; ``unmet_reason`` says why


class AllocationRound(db.Model):
    __tablename__ = "allocation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RoundStatus] = mapped_column(db_enum(RoundStatus, "allocation_round_status"),
                                                default=RoundStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A version counter: committing is a compare-and-set (two coordinators pressing at once: one wins).
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    term = relationship("Term")
    requests: Mapped[list["AllocationRequest"]] = relationship(
        back_populates="round", order_by="AllocationRequest.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": sequence, "version_id_generator": next_sequence}
    # One open round a term (migration 0012b): two would take requests for the same weekly slots and commit
    # them against each other; the database refuses the second even when two coordinators open at once.
    __table_args__ = (Index("uq_allocation_rounds_open_term", "term_id", unique=True,
                            sqlite_where=text(OPEN_ROUND), postgresql_where=text(OPEN_ROUND)),)


class AllocationRequest(db.Model):
    """A class's weekly need: a resource (or any of a category), acceptable weekday × 第N节 slots, weeks."""

    __tablename__ = "allocation_requests"
    __table_args__ = (
        CheckConstraint("weeks >= 1", name="weeks_positive"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("students IS NULL OR students >= 0", name="students_not_negative"),
        CheckConstraint("resource_id IS NOT NULL OR category IS NOT NULL", name="resource_or_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("allocation_rounds.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    category: Mapped[str | None] = mapped_column(String(32))  # a resources Category value
    slots: Mapped[list] = mapped_column(JSON)  # [[weekday 0=Monday, period number], …] in order of preference
    weeks: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(100), default="")
    students: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=3)  # 1 = the requester's most wanted
    status: Mapped[RequestStatus] = mapped_column(db_enum(RequestStatus, "allocation_request_status"),
                                                  default=RequestStatus.SUBMITTED)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id", ondelete="SET NULL"))
    unmet_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[AllocationRound] = relationship(back_populates="requests")
    requested_by = relationship("User")
    school = relationship("School")
    resource = relationship("Resource")
