"""Writing the demo's bookings as the booking engine would have stored them.

The engine refuses times in the past, and a demo needs a past, so the rows are written
directly — but with the engine's own recurrence code (same RRULE text, same expansion) and
the model's rules: ``blocks`` only for confirmed bookings of exclusive resources, one row per
occurrence, skipped (closed) dates simply without a row, ``original_start`` on series rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from booking.accounts.models import User
from booking.bookings.rules import recurrence
from booking.bookings.models import Booking, BookingSeries, BookingStatus
from booking.bookings.rules import Interval
from booking.extensions import db
from booking.i18n import local_to_utc
from booking.resources.models import Resource
from booking.schools.models import School, Term
from booking.seed import layout
from booking.seed.slots import Span


@dataclass(frozen=True)
class Who:
    """Who books, for which school's class, and which class."""

    booker: User
    school: School
    class_name: str = ""
    students: int | None = None


@dataclass(frozen=True)
class Outcome:
    """How a single booking stands today: its status and, for decisions, who made them and why."""

    status: BookingStatus = BookingStatus.CONFIRMED
    decided_by: User | None = None
    reason: str = ""


class RowWriter:
    """Adds series and bookings to the session; ``closed`` says which days a school is shut."""

    def __init__(self, zone: ZoneInfo, term: Term, closed: dict[int, set[date]], now: datetime):
        self.zone = zone
        self.term = term
        self.closed = closed
        self.now = now
        self.bookings: list[Booking] = []
        self.term_days = layout.school_days(term.start_date, term.end_date, [])

    def is_closed(self, day: date, *schools: School) -> bool:
        return any(day in self.closed.get(school.id, ()) for school in schools)

    def open_days(self, *schools: School) -> list[date]:
        """Term weekdays on which none of ``schools`` is closed."""
        return [day for day in self.term_days if not self.is_closed(day, *schools)]

    def _interval(self, day: date, span: Span) -> Interval:
        return Interval(local_to_utc(day, span[0], self.zone), local_to_utc(day, span[1], self.zone))

    def _created(self, start: datetime, days_before: int) -> datetime:
        """Booked ``days_before`` ahead at a plausible office hour; plans for after now were made in
        the week(s) before now, on the same weekday."""
        moment = start.astimezone(self.zone).replace(hour=16, minute=20) - timedelta(days=days_before)
        while moment > self.now:
            moment -= timedelta(weeks=1)
        return moment

    def add_series(self, resource: Resource, who: Who, first_day: date, span: Span, title: str, *,
                   period_number: int | None = None, interval: int = 1, quantity: int = 1,
                   approved_by: User | None = None) -> BookingSeries:
        """A weekly series from ``first_day`` to the end of the term, one row per open date.

        ``approved_by`` approved the whole series at once (resources that need approval).
        """
        rule = recurrence.weekly_rule([first_day.weekday()], self.term.end_date, interval)
        expanded = recurrence.expand(rule, self._interval(first_day, span), self.zone)
        created = self._created(expanded.occurrences[0].start, 7)
        series = BookingSeries(
            resource=resource, booked_by=who.booker, school=who.school, term_id=self.term.id,
            rrule=expanded.rule_text, dtstart=expanded.occurrences[0].start,
            duration_minutes=expanded.occurrences[0].minutes, until=expanded.until, period_number=period_number,
            title=title, class_name=who.class_name, students=who.students, quantity=quantity,
            created_at=created, updated_at=created,
        )
        db.session.add(series)
        for occurrence in expanded.occurrences:
            if self.is_closed(occurrence.start.astimezone(self.zone).date(), resource.owner_school, who.school):
                continue
            booking = self._booking(resource, who, occurrence, title, quantity, created)
            booking.series = series
            booking.original_start = occurrence.start
            if approved_by is not None:
                apply_outcome(booking, Outcome(BookingStatus.CONFIRMED, approved_by), self._answered(booking))
        return series

    def add_single(self, resource: Resource, who: Who, day: date, span: Span, title: str, *,
                   quantity: int = 1, outcome: Outcome = Outcome(), days_before: int = 5) -> Booking:
        interval = self._interval(day, span)
        booking = self._booking(resource, who, interval, title, quantity, self._created(interval.start, days_before))
        # An unanswered request expires when its time comes; everything else was answered within a day.
        apply_outcome(booking, outcome, interval.start if outcome.status == BookingStatus.EXPIRED
                      else self._answered(booking))
        return booking

    def _answered(self, booking: Booking) -> datetime:
        return min(booking.created_at + timedelta(days=1), self.now)

    def _booking(self, resource: Resource, who: Who, interval: Interval, title: str, quantity: int,
                 created: datetime) -> Booking:
        booking = Booking(
            resource=resource, booked_by=who.booker, school=who.school, starts_at=interval.start,
            ends_at=interval.end, status=BookingStatus.CONFIRMED, blocks=not resource.is_quantity_based,
            quantity=quantity, title=title, class_name=who.class_name, students=who.students,
            created_at=created, updated_at=created, sequence=0, is_exception=False,
        )
        db.session.add(booking)
        self.bookings.append(booking)
        return booking


def apply_outcome(booking: Booking, outcome: Outcome, when: datetime) -> None:
    """Give a booking what happened to it at ``when``: approved or refused (``decided_by``),
    cancelled, expired unanswered; a confirmed booking nobody had to approve stays as booked."""
    booking.status = outcome.status
    booking.blocks = outcome.status == BookingStatus.CONFIRMED and not booking.resource.is_quantity_based
    if outcome.status == BookingStatus.PENDING or outcome == Outcome():
        return
    if outcome.decided_by is not None:
        booking.decided_by = outcome.decided_by
        booking.decided_at = when
        booking.decision_reason = outcome.reason
    if outcome.status == BookingStatus.CANCELLED:
        booking.cancel_reason = outcome.reason
    booking.sequence = 1
    booking.updated_at = when
