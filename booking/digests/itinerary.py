"""The visiting teachers' morning itinerary: at 06:30 every visiting teacher with lessons away from
the home school that day gets the day, school by school, with the trips in between.

Rendered into the outbox (kind ``itinerary``) inside the transaction that claimed the run, like
the nightly digests, and sent by the same outbox sender; UNIQUE (recipient, kind, date) keeps an
itinerary from being rendered twice. A run for a day that has already passed (the scheduler was
down) renders nothing: yesterday's trips are no use this morning.
"""
from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import force_locale
from sqlalchemy import select

from booking.accounts.models import DigestFrequency, User
from booking.clock import utcnow
from booking.digests.formatting import day_text
from booking.digests.models import DigestKind, JobRun, OutboxMessage
from booking.digests.providers.visiting_teacher import itinerary_section
from booking.digests.render import Rendered, locale_of, render_message
from booking.extensions import db
from booking.i18n import local_today, to_local
from booking.teachers.itinerary import itinerary
from booking.teachers.models import TeacherProfile
from booking.texts import lazy_gettext as _l

ITINERARY_TIME = time(6, 30)
SUBJECT = _l("%(district)s: your itinerary for %(day)s")


def render_itinerary(profile: TeacherProfile, day: date) -> Rendered | None:
    """The teacher's itinerary of ``day`` in their language; None when they stay at the home school."""
    user = profile.user
    locale = locale_of(user)
    with force_locale(locale):
        title = str(_l("Your itinerary today, %(day)s", day=day_text(day)))
        section = itinerary_section("itinerary_today", title, itinerary(profile, day), with_dates=False)
        if section is None:
            return None
        return render_message(user, locale, SUBJECT, day, [section])


def recipients() -> list[TeacherProfile]:
    """Visiting teachers with an active account and an email who did not turn emails off."""
    query = (select(TeacherProfile).join(TeacherProfile.user)
             .where(User.active.is_(True), User.email != "", User.digest_frequency != DigestFrequency.NONE)
             .order_by(User.id))
    return list(db.session.scalars(query))


def itinerary_work(run: JobRun, scheduled_for: datetime) -> str:
    day = to_local(scheduled_for).date()
    if day < local_today():
        return f"{day.isoformat()}: the day has passed; no itinerary rendered"
    written = 0
    for profile in recipients():
        rendered = render_itinerary(profile, day)
        if rendered is None:
            continue
        user = profile.user
        db.session.add(OutboxMessage(
            recipient_id=user.id, recipient_email=user.email, kind=DigestKind.ITINERARY, digest_date=day,
            job_run_id=run.id, locale=rendered.locale, subject=rendered.subject[:255], html=rendered.html,
            text=rendered.text, next_attempt_at=utcnow()))
        written += 1
    db.session.flush()  # the UNIQUE (recipient, kind, date) has its say inside the claim
    return f"{day.isoformat()}: {written} itineraries rendered into the outbox"
