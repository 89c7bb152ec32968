"""The notifications' tables: what each person was told, how they want to be told, and robots.

- ``notifications``: one row per person and event (a series cancelled at once is one row, its
  count in ``params``), shown in the app until read. ``dedupe_key`` (reminders: the booking and its
  start) is UNIQUE per person, so a reminder is written once however many schedulers run.
- ``notification_settings``: per person, email on/off and the reminder's minutes before a booking
  (None: no reminder). A person without a row has the defaults (email on, no reminder).
- ``notification_robots``: group-robot webhooks (企业微信 / 钉钉 / 飞书) of a school (set up by its
  admin: every notification of a booking of that school goes to the group) or of one person.
  ``url`` and ``secret`` are secrets: stored sealed with a key derived from the SECRET_KEY (``sealing``);
  pages show the address masked and only whether a secret is set, the API neither.

The messages themselves go through the digests' outbox (``digest_outbox``, kind ``notification``).
"""
from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.notifications.sealing import SealedText
from booking.schools.models import School


class NotificationKind(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DISPLACED = "displaced"
    CANCELLED = "cancelled"
    CHANGED = "changed"
    RELEASED = "released"
    CLOSURE_HIT = "closure_hit"
    WAITLIST_OFFERED = "waitlist_offered"
    WAITLIST_BOOKED = "waitlist_booked"
    REMINDER = "reminder"


class RobotKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(db_enum(NotificationKind, "notification_kind"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    params_json: Mapped[str] = mapped_column("params", Text, default="{}")
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def params(self) -> dict:
        try:
            value = json.loads(self.params_json or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class NotificationSettings(db.Model):
    __tablename__ = "notification_settings"
    __table_args__ = (CheckConstraint("reminder_minutes IS NULL OR reminder_minutes BETWEEN 1 AND 10080",
                                      name="reminder_minutes_range"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NotificationRobot(db.Model):
    __tablename__ = "notification_robots"
    __table_args__ = (CheckConstraint("(school_id IS NULL) <> (user_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RobotKind] = mapped_column(db_enum(RobotKind, "robot_kind"))
    label: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(SealedText)  # at most 1000 characters before sealing (the service checks)
    secret: Mapped[str] = mapped_column(SealedText, default="")  # at most 200
    markdown: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    school: Mapped[School | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
