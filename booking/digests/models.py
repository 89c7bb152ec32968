"""The digests' tables: job claims, the outbox of rendered messages, and each user's last digest.

- ``job_runs``: one row per (job, scheduled_for). Inserting it is the claim: the UNIQUE constraint
  lets exactly one process in, whichever scheduler or command tries. The claim and the job's
  work commit in one transaction, so a crash mid-way leaves neither and another process may
  claim the run again.
- ``digest_outbox``: every rendered message, written in the claiming transaction, then sent.
  UNIQUE (recipient, kind, digest date): a digest cannot be rendered twice. A message stays
  ``pending`` until a sender hands it over; failures set ``next_attempt_at`` (backoff) and it is
  tried again, never dropped.
  Notifications (``booking.notifications``) travel in the same outbox: kind ``notification``, one row
  per channel (email, or a robot's webhook), sent by the same sender with the same guarantees.
- ``digest_markers``: up to when each user's last digest reported changes, for "changed since
  the last digest".
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(200))  # host:pid and how (scheduler, command)
    summary: Mapped[str] = mapped_column(String(500), default="")


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    ITINERARY = "itinerary"  # a visiting teacher's day, at 06:30 (migration 0006)
    NOTIFICATION = "notification"  # an immediate message (booking.notifications, migration 0009n)


class OutboxChannel(StrEnum):
    """Where a message goes: email, or a group robot's webhook (the row's ``robot_id``)."""

    EMAIL = "email"
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"


class OutboxMessage(db.Model):
    __tablename__ = "digest_outbox"
    __table_args__ = (
        # A digest cannot be rendered twice (notifications, many a day, are written by their event instead).
        Index("uq_digest_outbox_digest", "recipient_id", "kind", "digest_date", unique=True,
              sqlite_where=text("notification_id IS NULL"), postgresql_where=text("notification_id IS NULL")),
        # The sender's scan: pending messages whose next attempt is due.
        Index("ix_digest_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(255))  # the address when it was rendered
    kind: Mapped[DigestKind] = mapped_column(db_enum(DigestKind, "digest_kind"))
    digest_date: Mapped[date] = mapped_column(Date)
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(255))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(db_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Notifications (migration 0009n): the channel, the notification told, the robot posted to and the
    # robot's JSON body (signed, where the robot wants it, at each attempt).
    channel: Mapped[OutboxChannel] = mapped_column(db_enum(OutboxChannel, "outbox_channel"),
                                                   default=OutboxChannel.EMAIL, server_default="email")
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"),
                                                        index=True)
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("notification_robots.id", ondelete="CASCADE"),
                                                 index=True)
    payload: Mapped[str] = mapped_column(Text, default="", server_default="")

    recipient: Mapped[User] = relationship()
    robot: Mapped["NotificationRobot | None"] = relationship("NotificationRobot")  # noqa: F821

    @property
    def message_id(self) -> str:
        """The Message-ID header: the same on every attempt, so a repeated hand-over is recognisable."""
        if self.notification_id is not None:
            return f"notification-{self.notification_id}-{self.id}"
        return f"digest-{self.id}-{self.kind}-{self.digest_date.isoformat()}"


class DigestMarker(db.Model):
    """Changes up to ``covered_until`` were in the user's last digest (of ``digest_date``)."""

    __tablename__ = "digest_markers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    covered_until: Mapped[datetime] = mapped_column(UTCDateTime)
    digest_date: Mapped[date] = mapped_column(Date)
