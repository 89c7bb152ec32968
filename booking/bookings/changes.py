"""Changing bookings: move or edit one date, this and the following dates, or the rest of a series.

``change_booking(actor, booking, BookingChanges, scope) -> list[Booking]`` raises NotAllowed,
ValidationFailed or BookingRefused, and changes all the dates in scope or none.

- One date ("occurrence") may move to another day and time; in a series it becomes an
  exception, which later edits of the series leave alone.
- "following"/"series" change the dates still to come that are not exceptions. When dates
  before the first changed one exist (already held, or not in scope), the series is split
  there: the earlier part keeps its rule (now ending before), the rest gets a new series
  with the new times, so calendars can show both as plain rules.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from booking import events
from booking.audit.services import record
from booking.bookings import rules
from booking.bookings.errors import BookingRefused, NeedsConfirmation
from booking.bookings.guarantee import booking_write
from booking.bookings.models import Booking, BookingSeries, BookingStatus, SeriesStatus
from booking.bookings.planning import MAX_STUDENTS, booking_window_days, can_approve, request_for_booking
from booking.bookings.calendar_queries import calendar_for
from booking.bookings.queries import as_existing, candidate_bookings, span_of
from booking.bookings.rules.recurrence import normalised_rule
from booking.bookings.services import check_scope, end_series_before, in_scope, require_changeable
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.parsing import one_line, text_error
from booking.quotas.services import quota_refusals
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


@dataclass
class BookingChanges:
    """What to change; None leaves a field as it is. Times are district wall-clock."""

    title: str | None = None
    class_name: str | None = None
    students: int | None = None
    day: date | None = None  # one date only
    start_time: time | None = None
    end_time: time | None = None
    outside_term_ok: bool = False  # the booker confirms that a date moved between two terms is meant

    def __post_init__(self):
        self.title, self.class_name = one_line(self.title), one_line(self.class_name)

    @property
    def moves(self) -> bool:
        return any(v is not None for v in (self.day, self.start_time, self.end_time))


def _check_changes(changes: BookingChanges, scope: str) -> None:
    errors = {}
    if changes.day is not None and scope != "occurrence":
        errors["day"] = _l("Only a single date can move to another day.")
    for name, limit, required in (("title", 200, _l("Enter the purpose of the booking.")), ("class_name", 100, None)):
        value = getattr(changes, name)
        problem = None if value is None else text_error(value.strip(), limit, required)
        if problem is not None:
            errors[name] = problem
    if changes.students is not None and not (isinstance(changes.students, int) and 0 <= changes.students <= MAX_STUDENTS):
        errors["students"] = _l("Enter a number of students from 0 to %(n)d.", n=MAX_STUDENTS)
    if errors:
        raise ValidationFailed(errors)


def _moved(row: Booking, changes: BookingChanges) -> rules.Interval:
    zone = district_zone()
    start, end = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
    day = changes.day or start.date()
    new_start = local_to_utc(day, changes.start_time or start.time(), zone)
    new_end = local_to_utc(day, changes.end_time or end.time(), zone)
    if new_end <= new_start:
        raise ValidationFailed({"end_time": _l("The end must be after the start.")})
    return rules.Interval(new_start, new_end)


def _check(booking: Booking, moves: dict[int, rules.Interval], targets: list[Booking], request: rules.Request) -> None:
    refusals = rules.standing_refusals(request)
    if moves:
        span = span_of(moves.values())
        rows = candidate_bookings(booking.resource, moves.values(), [t.id for t in targets])
        existing = as_existing(rows)
        checks = rules.check_occurrences(request, moves.values(), existing, calendar_for(booking.resource, span), utcnow())
        refusals += [r for check in checks for r in check.refusals]
        if not refusals:  # the moved dates count against the term quotas in place of where they were
            refusals += quota_refusals(booking.resource, booking.school_id, moves.values(), list(moves))
    confirmable = [r for r in refusals if r.confirmable]
    if confirmable and len(confirmable) == len(refusals):
        raise NeedsConfirmation(confirmable)
    if refusals:
        raise BookingRefused(refusals)


def _apply(row: Booking, changes: BookingChanges, interval: rules.Interval | None, status: BookingStatus) -> None:
    for name in ("title", "class_name"):
        if getattr(changes, name) is not None:
            setattr(row, name, getattr(changes, name).strip())
    if changes.students is not None:
        row.students = changes.students
    if interval is not None:
        row.starts_at, row.ends_at = interval.start, interval.end
    if status != row.status:
        row.set_status(status)
    else:
        row.touch()


def split_series(series: BookingSeries, pivot: datetime) -> BookingSeries:
    """A new series for the instances from ``pivot`` on; ``series`` now ends before it."""
    later = BookingSeries(
        resource_id=series.resource_id, booked_by_id=series.booked_by_id, school_id=series.school_id,
        term_id=series.term_id, rrule=series.rrule, dtstart=pivot, duration_minutes=series.duration_minutes,
        until=series.until, period_number=series.period_number, title=series.title, class_name=series.class_name,
        students=series.students, quantity=series.quantity, status=SeriesStatus.ACTIVE, sequence=0,
    )
    db.session.add(later)
    for row in [r for r in series.occurrences if r.original_start >= pivot]:
        row.series = later
    end_series_before(series, pivot)
    return later


def _at_clock(instant: datetime, clock: time) -> datetime:
    zone = district_zone()
    return local_to_utc(instant.astimezone(zone).date(), clock, zone)


def _reshape_series(series: BookingSeries, targets: list[Booking], changes: BookingChanges, first: rules.Interval | None):
    """Carry a following/series change into the rule, splitting off the earlier dates if any."""
    pivot = min(t.original_start for t in targets)
    if any(row.original_start < pivot for row in series.occurrences):
        series = split_series(series, pivot)
    for name in ("title", "class_name", "students"):
        if getattr(changes, name) is not None:
            setattr(series, name, getattr(changes, name))
    if first is not None:
        clock = first.start.astimezone(district_zone()).time()
        series.dtstart, series.duration_minutes = _at_clock(pivot, clock), first.minutes
        series.until = _at_clock(series.until, clock)
        series.rrule = normalised_rule(series.rrule, series.until)
        series.period_number = None
        for row in series.occurrences:  # RECURRENCE-IDs follow the rule's new times
            row.original_start = _at_clock(row.original_start, clock)


def change_booking(actor, booking: Booking, changes: BookingChanges, scope: str = "occurrence") -> list[Booking]:
    """Change one date, this and the following ones, or the rest of the series; all or nothing."""
    check_scope(scope)
    require_changeable(actor, booking)
    _check_changes(changes, scope)
    targets = in_scope(booking, scope)
    if scope != "occurrence":
        targets = [t for t in targets if not t.is_exception or t is booking]
    moves = {t.id: _moved(t, changes) for t in targets} if changes.moves else {}
    # A moved booking of an approval resource asks again, unless the actor may approve it.
    stays_confirmed = booking.status == BookingStatus.CONFIRMED and (
        not moves or not booking.resource.approval_required or can_approve(actor, booking.resource))
    status = BookingStatus.CONFIRMED if stays_confirmed else BookingStatus.PENDING
    with booking_write(booking.resource):
        # Read under the lock: a concurrent edit of the resource is either committed or waits.
        request = request_for_booking(booking, confirmed=stays_confirmed, students=changes.students)
        request = replace(request, window_days=booking_window_days(actor, booking.resource, booking.school_id))
        if moves:  # a new date between two terms is confirmed anew
            request = replace(request, outside_term_ok=changes.outside_term_ok)
        _check(booking, moves, targets, request)
        old_slots = [(t.resource, t.starts_at, t.ends_at) for t in targets if t.id in moves]
        for row in targets:
            _apply(row, changes, moves.get(row.id), status)
            if scope == "occurrence" and row.series_id is not None:
                row.is_exception = True
        if scope != "occurrence" and booking.series is not None:
            first = min(targets, key=lambda t: t.original_start)
            _reshape_series(booking.series, targets, changes, moves.get(first.id))
        record(actor, "booking.change", booking, {"scope": scope, "ids": [t.id for t in targets]})
        db.session.flush()
    events.announce(events.booking_changed, actor, targets, scope=scope)
    events.free_slots_of(actor, targets, old_slots)
    return targets

