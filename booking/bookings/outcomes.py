"""Recording whether a booking was used: the fact the "used hours" of the reports count.

Rules (decided here, tested in tests/test_outcomes.py):
- who: the booker, an administrator of the owner school, or a coordinator (``NotAllowed`` otherwise);
- what: confirmed bookings only, and only once they have started;
- once: a second recording is refused, except a *correction* by an owner-school administrator
  or a coordinator, which must say why (the note) and keeps the previous value in the audit log.

The write is a conditional UPDATE on the value read, so two people recording at the same
moment cannot both succeed: the second is told it was already recorded.
"""
from __future__ import annotations

from sqlalchemy import update

from booking.audit.services import record
from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import can_correct_outcome, can_record_outcome, is_lesson
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

NOTE_MAX_LENGTH = 500
OUTCOME_LABELS = {BookingOutcome.USED: _l("Used"), BookingOutcome.NO_SHOW: _l("No-show")}




def can_record_now(actor, booking: Booking) -> bool:
    """Whether the page should offer the buttons: allowed, started, and open (or correctable)."""
    if not can_record_outcome(actor, booking) or booking.status != BookingStatus.CONFIRMED:
        return False
    if booking.starts_at > utcnow():
        return False
    return booking.outcome is None or can_correct_outcome(actor, booking)


def _check(actor, booking: Booking, outcome, note: str) -> tuple[dict, BookingOutcome | None]:
    errors: dict = {}
    try:
        chosen = BookingOutcome(outcome)
    except ValueError:
        chosen = None
        errors["outcome"] = _l("Choose whether the booking was used or was a no-show.")
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _l("At most %(n)d characters.", n=NOTE_MAX_LENGTH)
    elif chosen == BookingOutcome.NO_SHOW and not note and is_lesson(booking):
        errors["note"] = _l("Say why the lesson was not delivered.")  # a visiting teacher's lesson (issue 4)
    if booking.status != BookingStatus.CONFIRMED:
        errors["booking"] = _l("Only a confirmed booking can be marked as used or no-show.")
    elif booking.starts_at > utcnow():
        errors["booking"] = _l("The booking has not started yet; record what happened once it has.")
    elif booking.outcome is not None:
        if not can_correct_outcome(actor, booking):
            errors["outcome"] = _l("This was already recorded. An administrator of the owner school or a "
                                   "coordinator can correct it.")
        elif not note:
            errors["note"] = _l("Say why you are correcting the recorded outcome.")
    return errors, chosen


def record_outcome(booking: Booking, outcome, note: str, actor, extra: dict | None = None) -> Booking:
    """Record (or, for an administrator, correct) what happened at ``booking``; audited.

    ``extra`` holds more columns written in the same conditional UPDATE (a visiting teacher's
    lesson kind), already checked by the caller."""
    if not can_record_outcome(actor, booking):
        raise NotAllowed()
    note = (note or "").strip()
    errors, chosen = _check(actor, booking, outcome, note)
    if errors:
        raise ValidationFailed(errors)
    previous = booking.outcome
    matched = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id,
               Booking.outcome.is_(None) if previous is None else Booking.outcome == previous)
        .values(outcome=chosen, outcome_note=note, outcome_recorded_at=utcnow(), outcome_recorded_by_id=actor.id,
                **(extra or {}))
        .execution_options(synchronize_session=False)
    ).rowcount
    if matched != 1:
        db.session.rollback()
        raise ValidationFailed({"outcome": _l("Someone recorded this booking's outcome a moment ago. "
                                              "Reload the page to see it.")})
    details = {"outcome": chosen.value, "note": note, **{k: str(v) for k, v in (extra or {}).items()}}
    if previous is not None:
        details["previous"] = previous.value
    record(actor, "booking.outcome.correct" if previous else "booking.outcome", booking, details)
    db.session.flush()
    db.session.refresh(booking)
    return booking
