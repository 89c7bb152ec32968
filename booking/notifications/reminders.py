"""Reminders N minutes before a booking (each person chooses N, or none): a scheduled job.

The job runs every 5 minutes, claimed like the digests' jobs (``booking.digests.jobs.run_slot``), and
reminds each confirmed booking starting within the booker's N minutes, once: the notification's
``dedupe_key`` names the booking and its start (UNIQUE per person), so a second run, a second scheduler
or a catch-up writes nothing new; a booking moved to another time is reminded again for its new time.
A reminder arrives between N and N−5 minutes before the start. Visiting teachers are reminded of
their lessons by the same rule (their own N).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from booking.bookings.models import Booking, BookingStatus
from booking.clock import utcnow
from booking.extensions import db
from booking.notifications.models import NotificationKind, NotificationSettings
from booking.notifications.receivers import booking_params
from booking.notifications.services import notify
from booking.teachers.models import TeacherProfile

REMINDER_CRON_MINUTES = "*/5"


def reminder_key(booking: Booking) -> str:
    return f"reminder:{booking.id}:{booking.starts_at.isoformat()}"


def send_reminders(now: datetime) -> int:
    """Write the reminders due at ``now``; how many (inside the caller's transaction)."""
    written = 0
    minutes = sorted(set(db.session.scalars(select(NotificationSettings.reminder_minutes)
                                            .where(NotificationSettings.reminder_minutes.is_not(None)))))
    for lead in minutes:
        due = (NotificationSettings.reminder_minutes == lead, Booking.status == BookingStatus.CONFIRMED,
               Booking.starts_at > now, Booking.starts_at <= now + timedelta(minutes=lead))
        bookers = db.session.scalars(
            select(Booking).join(NotificationSettings, NotificationSettings.user_id == Booking.booked_by_id)
            .where(*due).order_by(Booking.starts_at, Booking.id))
        for booking in bookers:
            if notify(booking.booked_by, NotificationKind.REMINDER, booking_params(booking), booking_id=booking.id,
                      school_id=booking.school_id, dedupe_key=reminder_key(booking)) is not None:
                written += 1
        teachers = db.session.execute(
            select(Booking, TeacherProfile).join(TeacherProfile, TeacherProfile.resource_id == Booking.resource_id)
            .join(NotificationSettings, NotificationSettings.user_id == TeacherProfile.user_id)
            .where(*due, TeacherProfile.user_id != Booking.booked_by_id).order_by(Booking.starts_at, Booking.id))
        for booking, profile in teachers:
            if notify(profile.user, NotificationKind.REMINDER, booking_params(booking, as_teacher=True),
                      booking_id=booking.id, school_id=profile.home_school_id,
                      dedupe_key=reminder_key(booking)) is not None:
                written += 1
    return written


def reminder_work(run, scheduled_for: datetime) -> str:
    return f"{send_reminders(max(scheduled_for, utcnow()))} reminders written"
