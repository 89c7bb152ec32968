"""Waitlist entries: a teacher's wish for a time of a resource that was full when they asked.

An entry is *waiting* until the time frees; then it is *booked* (the booking made for it) or
*offered* (until ``offer_expires_at``: accepting books it, a lapsed offer passes to the next in
line). Entries end *left* (the teacher left the line), *expired* (the wish's start passed) or
*lapsed* (an offer not taken). Rows are kept as the record, never deleted.

The order of the line is first come first served by ``id`` (assigned under the resource's lock),
weak schools first where the resource says so (booking.waitlist.ordering).
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.bookings.models import Booking, next_sequence
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School


class EntryStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    LEFT = "left"
    EXPIRED = "expired"
    LAPSED = "lapsed"


ACTIVE_ENTRY_STATUSES = (EntryStatus.WAITING, EntryStatus.OFFERED)
# One place in line per teacher and wish (literal SQL: both databases' partial indexes repeat it).
ACTIVE_ENTRY = "status IN ('waiting', 'offered')"


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("students IS NULL OR students >= 0", name="students_not_negative"),
        Index("ix_waitlist_entries_resource_start", "resource_id", "starts_at"),
        Index("ix_waitlist_entries_user", "user_id", "starts_at"),
        Index("uq_waitlist_entries_active_wish", "resource_id", "user_id", "starts_at", "ends_at", unique=True,
              sqlite_where=text(ACTIVE_ENTRY), postgresql_where=text(ACTIVE_ENTRY)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))  # the class's school
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    class_name: Mapped[str] = mapped_column(String(100), default="")
    students: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[EntryStatus] = mapped_column(db_enum(EntryStatus, "waitlist_status"), default=EntryStatus.WAITING,
                                                index=True)
    # The offer: the part of the wish that freed (all of it, or the part a freed slot covers) and until when.
    offer_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    resource: Mapped[Resource] = relationship()
    user: Mapped[User] = relationship()
    school: Mapped[School] = relationship()
    booking: Mapped[Booking | None] = relationship()

    # Every UPDATE is a compare-and-set on the version read, like bookings'.
    __mapper_args__ = {"version_id_col": sequence, "version_id_generator": next_sequence}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ENTRY_STATUSES

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.id} r{self.resource_id} u{self.user_id} {self.status}>"
