"""People who sign in, their API tokens, and the counters that limit sign-in attempts."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, event, false, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clock import utcnow
from booking.db_types import UtcNow, UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.schools.models import School


class Role(StrEnum):
    """Each role includes what the ones before it may do."""

    TEACHER = "teacher"
    SCHOOL_ADMIN = "school_admin"
    COORDINATOR = "coordinator"


ROLE_RANK = {Role.TEACHER: 0, Role.SCHOOL_ADMIN: 1, Role.COORDINATOR: 2}


class DigestFrequency(StrEnum):
    """How often the user wants the usage digest by email (booking.digests)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # The district's staff number (工号), if known: single sign-on matches a first-time person by it (booking.sso).
    staff_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    role: Mapped[Role] = mapped_column(db_enum(Role, "user_role"), default=Role.TEACHER)
    # A coordinator limited to one area (片区) of the district: the schools whose ``area`` is this.
    # Empty: a district coordinator (district-wide). booking.permissions reads it; other roles leave it empty.
    area: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # A coordinator of one district (学区长 of that 学区, or with ``area`` of an area in it). NULL on a
    # coordinator without an area: a county coordinator, over every district (migration 0010k).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_frequency: Mapped[DigestFrequency] = mapped_column(
        db_enum(DigestFrequency, "digest_frequency"), default=DigestFrequency.DAILY, server_default="daily")
    # Any change, a sign-in included.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=UtcNow())
    # A change of what other people see of the user (PROFILE_FIELDS), set by _stamp_profile_change.
    # Calendar feeds print bookers' names and follow this, so a sign-in does not renew every feed.
    profile_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=UtcNow())
    # Part of every session's and remember-me cookie's user id (get_id): bumping it on sign-out and
    # on a password change makes every cookie issued before worthless.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Imported accounts start with an initial password hashed for bulk creation; until it is changed,
    # every page leads to the change-password form and the API refuses (403).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    school: Mapped[School | None] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated users
        return self.active

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[Role(role)]

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def __repr__(self) -> str:
        return f"<User {self.email}>"


# Not the user's own settings (language, digests, password) nor sign-ins: nobody else sees those.
PROFILE_FIELDS = ("display_name", "email", "role", "school_id", "school")


@event.listens_for(User, "before_update")
def _stamp_profile_change(mapper, connection, user: User) -> None:
    state = inspect(user)
    if any(state.attrs[name].history.has_changes() for name in PROFILE_FIELDS):
        user.profile_updated_at = utcnow()


class ApiToken(db.Model):
    """A personal token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """A counter of sign-in attempts (booking.accounts.throttle), kept in the database so the limit holds
    across every worker. Claimed by compare-and-set on ``version`` before any password is checked."""

    __tablename__ = "login_throttles"

    remote_addr: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "" is the counter of every email from the address.
    email: Mapped[str] = mapped_column(String(255), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(default=0)
