"""Feed subscriptions: create, list, revoke, regenerate, and find one by its secret.

The secret (192 random bits, URL-safe) is handed out once; only its SHA-256 is stored. Each
changing function records an audit entry and commits.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from booking.accounts.services import hash_token
from booking.audit.services import record
from booking.calendars.models import FeedScope, FeedToken
from booking.calendars.targets import FeedTarget, resolve_target
from booking.clock import utcnow
from booking.extensions import db
from booking.validation import ValidationFailed

SECRET_BYTES = 24  # 192 bits; token_urlsafe gives 32 characters
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Issued:
    feed: FeedToken
    secret: str  # shown to the owner once, never stored


def _new_feed(owner, target: FeedTarget) -> Issued:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = FeedToken(owner_id=owner.id, scope=target.scope, target_id=target.target_id,
                     token_hash=hash_token(secret), hint=secret[-4:], created_at=utcnow())
    db.session.add(feed)
    db.session.flush()
    record(owner, "feed.create", feed, {"scope": target.scope.value, "target_id": target.target_id})
    return Issued(feed, secret)


def create_feed(owner, scope, target_id: int | None) -> Issued:
    """A new subscription of ``owner`` to the feed ``scope``/``target_id``; ValidationFailed if not theirs."""
    issued = _new_feed(owner, resolve_target(owner, scope, target_id))
    db.session.flush()
    return issued


def owned_feed(owner, feed_id: int) -> FeedToken | None:
    """``owner``'s active feed with this id, else None (someone else's looks like a missing one)."""
    feed = db.session.get(FeedToken, feed_id)
    if feed is None or feed.owner_id != owner.id or not feed.is_active:
        return None
    return feed


def _revoke(owner, feed: FeedToken) -> None:
    feed.revoked_at = utcnow()
    record(owner, "feed.revoke", feed, {"scope": feed.scope.value, "target_id": feed.target_id})


def revoke_feed(owner, feed: FeedToken) -> FeedToken:
    _revoke(owner, feed)
    db.session.flush()
    return feed


def regenerate_feed(owner, feed: FeedToken) -> Issued:
    """A new secret for the same feed; the old URL stops working at once."""
    target = resolve_target(owner, feed.scope, feed.target_id)
    _revoke(owner, feed)
    issued = _new_feed(owner, target)
    db.session.flush()
    return issued


def active_feeds(owner, scope: FeedScope | None = None, target_id: int | None = None) -> list[FeedToken]:
    query = select(FeedToken).where(FeedToken.owner_id == owner.id, FeedToken.revoked_at.is_(None))
    if scope is not None:
        query = query.where(FeedToken.scope == scope, FeedToken.target_id == target_id)
    return list(db.session.scalars(query.order_by(FeedToken.created_at, FeedToken.id)))


def active_feed(secret: str) -> FeedToken | None:
    """The active feed a URL's secret opens; None for anything else.

    Malformed secrets never reach the database; a feed whose owner was deactivated is as dead
    as a revoked one.
    """
    if not SECRET_PATTERN.match(secret or ""):
        return None
    feed = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_token(secret),
                                                     FeedToken.revoked_at.is_(None)))
    if feed is None or not feed.owner.active:
        return None
    return feed


def target_of(feed: FeedToken) -> FeedTarget | None:
    """What the feed shows now; None once its owner may no longer see it (moved school, lost a role …)."""
    try:
        return resolve_target(feed.owner, feed.scope, feed.target_id)
    except ValidationFailed:
        return None
