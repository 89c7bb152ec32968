"""The link between an account and the identity an external provider signs it in as; CAS sign-ins' tickets."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.extensions import db


class ExternalIdentity(db.Model):
    """``provider`` (oidc, cas, ldap) says that ``subject`` (its stable id of the person) is ``user``.

    One account may have several (one per provider); a provider's subject names one account only.
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class CasTicket(db.Model):
    """The service ticket a CAS sign-in came with (SHA-256, never the ticket itself), naming the account it
    signed in: the CAS server's back-channel logoutRequest names the ticket, and that ends the sessions."""

    __tablename__ = "sso_cas_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
