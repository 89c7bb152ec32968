"""Who did what, when and from where: every change a service makes writes one row here.

``school_id`` and ``resource_id`` say what the entry is about (for scopes and filters);
``AuditBooking`` names every booking the entry changed, so a booking's history is one join.
Neither points at its table with a foreign key: the log outlives what it names.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db

ADDRESS_LENGTH = 45  # an IPv6 address in full
USER_AGENT_LENGTH = 300


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    school_id: Mapped[int | None] = mapped_column(index=True)
    resource_id: Mapped[int | None] = mapped_column(index=True)
    client_address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_LENGTH), default="", server_default="")

    actor: Mapped[User | None] = relationship()
    bookings: Mapped[list[AuditBooking]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def booking_ids(self) -> list[int]:
        return sorted(link.booking_id for link in self.bookings)


class AuditBooking(db.Model):
    """One booking an audit entry changed."""
    __tablename__ = "audit_log_bookings"

    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_log.id", ondelete="CASCADE"), primary_key=True)
    booking_id: Mapped[int] = mapped_column(primary_key=True, index=True)
