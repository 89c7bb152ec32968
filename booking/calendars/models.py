"""Calendar feeds: secret subscription tokens, the cache of serialised events, the district's change counter,
imported term UIDs."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.bookings.models import Booking, BookingSeries
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.schools.models import Term


class FeedScope(StrEnum):
    """What a feed shows. ``target_id`` names the user, resource, school or teacher resource."""

    USER = "user"
    RESOURCE = "resource"
    SCHOOL = "school"
    TEACHER = "teacher"  # a resource of kind "teacher" until visiting teachers get their own profile
    DISTRICT = "district"


class FeedToken(db.Model):
    """One subscription URL. Only the SHA-256 of its secret is stored; the URL is shown once."""

    __tablename__ = "feed_tokens"
    __table_args__ = (Index("ix_feed_tokens_owner_scope", "owner_id", "scope", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[FeedScope] = mapped_column(db_enum(FeedScope, "feed_scope"))
    # None only for the district feed, which has no single target.
    target_id: Mapped[int | None] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret's last characters, so a person can tell their links apart.
    hint: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedEventCache(db.Model):
    """The serialised VEVENT block(s) of one booking or series, as one detail level and language show them.

    ``fingerprint`` hashes every input of the block, so a stale entry is never served: any change
    (a new SEQUENCE, a renamed room) gives a new fingerprint and the entry is rebuilt in place.
    """

    __tablename__ = "feed_event_cache"

    entity: Mapped[str] = mapped_column(String(16), primary_key=True)  # "booking" or "series"
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detail: Mapped[str] = mapped_column(String(16), primary_key=True)  # "full" or "busy", and the language
    fingerprint: Mapped[str] = mapped_column(String(64))
    block: Mapped[str] = mapped_column(Text)


class FeedRevision(db.Model):
    """How often the district's bookings and series were written: the district feed's validator.

    Raised by database triggers (migration 0010f) at every INSERT, UPDATE or DELETE of ``bookings`` or
    ``booking_series``, once per transaction on PostgreSQL (at COMMIT), so no write can slip past it,
    whatever its clock, and a scan of the bookings is never needed to tell whether anything changed.
    """

    __tablename__ = "feed_revisions"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "district"
    counter: Mapped[int] = mapped_column(BigInteger)


# The district feed's Last-Modified is the latest change of a booking or series: an index lookup each.
Index("ix_bookings_updated_at", Booking.updated_at)
Index("ix_booking_series_updated_at", BookingSeries.updated_at)
# The district feed reads its window in start order, a page at a time (booking.calendars.district).
Index("ix_bookings_start_id", Booking.starts_at, Booking.id)


class TermSource(db.Model):
    """The UID of the .ics event a term was imported from (closures carry theirs in ``source_uid``)."""

    __tablename__ = "term_sources"

    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)
    source_uid: Mapped[str] = mapped_column(String(255), unique=True)

    term: Mapped[Term] = relationship()
