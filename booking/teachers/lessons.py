"""Recording a visiting teacher's lesson after it happened: delivered or not (with the reason), its
kind and a short note on what was taught. Only delivered lessons count towards the mandates.

One recording mechanism: this checks what is particular to lessons and hands the rest to
``booking.bookings.outcomes.record_outcome`` (delivered = used, not delivered = no-show), which
refuses a lesson not yet started and a second recording, and writes in one conditional UPDATE.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking, BookingOutcome, BookingStatus, LessonKind
from booking.clock import utcnow
from booking.extensions import db
from booking.permissions import can_record_outcome, is_lesson
from booking.bookings.outcomes import can_record_now, record_outcome
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

DELIVERED, NOT_DELIVERED = "delivered", "not_delivered"
DELIVERY_OUTCOMES = {DELIVERED: BookingOutcome.USED, NOT_DELIVERED: BookingOutcome.NO_SHOW}
DELIVERY_LABELS = {BookingOutcome.USED: _l("Delivered"), BookingOutcome.NO_SHOW: _l("Not delivered")}
LESSON_KIND_LABELS = {LessonKind.DEMONSTRATION: _l("Demonstration lesson"), LessonKind.REGULAR: _l("Regular lesson"),
                      LessonKind.TRAINING: _l("Training session")}


@dataclass
class LessonRecord:
    delivered: str | bool | None  # "delivered" / "not_delivered" (or true / false from the API)
    lesson_kind: str | None
    note: str = ""  # what was taught; for a lesson not delivered, why


def _delivery(value) -> BookingOutcome | None:
    if isinstance(value, bool):
        return BookingOutcome.USED if value else BookingOutcome.NO_SHOW
    return DELIVERY_OUTCOMES.get(value)


def check_record(booking: Booking, data: LessonRecord) -> tuple[BookingOutcome, LessonKind, str]:
    errors: dict = {}
    if not is_lesson(booking):
        errors["booking"] = _l("Only a visiting teacher's lesson is recorded here.")
    outcome = _delivery(data.delivered)
    if outcome is None:
        errors["delivered"] = _l("Say whether the lesson was delivered.")
    try:
        kind = LessonKind(data.lesson_kind or booking.lesson_kind or "")
    except ValueError:
        kind = None
        errors["lesson_kind"] = _l("Choose a demonstration lesson, a regular lesson or a training session.")
    if errors:
        raise ValidationFailed(errors)
    # The note's length, and the reason a lesson not delivered needs, are checked with the outcome.
    return outcome, kind, (data.note or "").strip()


def record_lesson(actor, booking: Booking, data: LessonRecord) -> Booking:
    """Record a lesson: the visiting teacher, the host school, the lead school's admins or a coordinator.

    Raises NotAllowed, or ValidationFailed (bad field, not yet happened, already recorded); nothing half-saved.
    """
    if not can_record_outcome(actor, booking):
        raise NotAllowed()
    outcome, kind, note = check_record(booking, data)
    return record_outcome(booking, outcome, note, actor, extra={"lesson_kind": kind})


def lessons_to_record(actor, resource_id: int, limit: int = 20) -> list[Booking]:
    """The teacher's lessons that happened and wait for their record, latest first."""
    query = (select(Booking).where(Booking.resource_id == resource_id, Booking.status == BookingStatus.CONFIRMED,
                                   Booking.outcome.is_(None), Booking.starts_at <= utcnow())
             .options(selectinload(Booking.school)).order_by(Booking.starts_at.desc()).limit(limit))
    return [b for b in db.session.scalars(query) if can_record_now(actor, b)]
