"""Rendering a night's digests into the outbox, inside the transaction that claimed the run.

Nothing is committed here: the caller (``jobs.run_slot``) commits the claim, the outbox rows
and the advanced markers together, or none of them.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select

from booking.accounts.models import DigestFrequency, User
from booking.clock import utcnow
from booking.digests.content import DigestWindow, changes_since, kinds_on
from booking.digests.figures import DigestRun
from booking.digests.models import DigestKind, DigestMarker, JobRun, OutboxMessage
from booking.digests.render import render_digest
from booking.extensions import db
from booking.i18n import district_zone

FREQUENCY_KINDS = {DigestFrequency.DAILY: DigestKind.DAILY, DigestFrequency.WEEKLY: DigestKind.WEEKLY}


def recipients(digest_date: date) -> list[tuple[User, DigestKind]]:
    """Active users with an email whose chosen frequency has a digest on ``digest_date``."""
    kinds = kinds_on(digest_date)
    wanted = [frequency for frequency, kind in FREQUENCY_KINDS.items() if kind in kinds]
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email != "",
                                                  User.digest_frequency.in_(wanted)).order_by(User.id))
    return [(user, FREQUENCY_KINDS[user.digest_frequency]) for user in users]


def _advance(marker: DigestMarker | None, user_id: int, cut: datetime, digest_date: date) -> None:
    """Record that ``user_id``'s changes up to ``cut`` were reported; never moves backwards."""
    if marker is None:
        db.session.add(DigestMarker(user_id=user_id, covered_until=cut, digest_date=digest_date))
    elif marker.covered_until < cut:
        marker.covered_until, marker.digest_date = cut, digest_date


def render_into_outbox(run: JobRun, digest_date: date, cut: datetime) -> Counter:
    """Add one outbox message per recipient with news; returns how many of each kind."""
    digest_run = DigestRun(cut=cut, zone=district_zone())
    markers = {marker.user_id: marker for marker in db.session.scalars(select(DigestMarker))}
    written: Counter = Counter()
    for user, kind in recipients(digest_date):
        marker = markers.get(user.id)
        since = changes_since(marker.covered_until if marker else None, cut, kind)
        rendered = render_digest(digest_run, user, DigestWindow(digest_date, kind, cut, since))
        if rendered is None:
            continue
        db.session.add(OutboxMessage(
            recipient_id=user.id, recipient_email=user.email, kind=kind, digest_date=digest_date, job_run_id=run.id,
            locale=rendered.locale, subject=rendered.subject[:255], html=rendered.html, text=rendered.text,
            next_attempt_at=utcnow(),
        ))
        _advance(marker, user.id, cut, digest_date)
        written[kind] += 1
    db.session.flush()  # the UNIQUE (recipient, kind, date) has its say inside the claim
    return written
