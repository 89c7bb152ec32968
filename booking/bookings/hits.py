"""What a new blackout or closure does to the active bookings it falls on: the admin's explicit
choice, never silent. The pages list them and ask; the API answers 409 with them until the request
says ``on_bookings``: ``cancel`` (each through the booking service, so it keeps the reason, its audit
entry and its ``booking_cancelled``/``slot_freed`` announcements) or ``keep``.

Shared by ``booking.resources.blackouts`` and ``booking.schools.calendar``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from booking.bookings.errors import NotAllowed
from booking.bookings.models import Booking
from booking.bookings.services import cancel_booking
from booking.permissions import can_change_booking
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

ON_BOOKINGS = ("cancel", "keep")


@dataclass
class Decided:
    cancelled: list[Booking] = field(default_factory=list)
    kept: list[Booking] = field(default_factory=list)  # chosen to keep, or not the actor's to cancel


def choice_errors(on_bookings) -> dict:
    """The field error for an ``on_bookings`` that is neither choice."""
    if on_bookings not in ON_BOOKINGS:
        return {"on_bookings": _l("Choose whether to cancel or keep the bookings inside.")}
    return {}


def chosen(value) -> str | None:
    """What a confirmation page's button said to do (None: not asked yet, or something else)."""
    return value if value in ON_BOOKINGS else None


def shown_ids(bookings: Iterable[Booking]) -> str:
    """The bookings a confirmation page listed, as its hidden field carries them."""
    return ",".join(str(b.id) for b in bookings)


def must_confirm(affected: list[Booking], choice: str | None, shown: str | None) -> tuple[bool, bool]:
    """(ask first, the list changed since it was shown): a choice counts only for exactly the bookings
    the page showed, so a booking made since is never cancelled unseen."""
    if not affected or (choice and shown == shown_ids(affected)):
        return False, False
    return True, bool(shown) and shown != shown_ids(affected)


def decide(actor, bookings: Iterable[Booking], on_bookings: str, reason: str) -> Decided:
    """Cancel (one date each, with ``reason``) or keep each booking; raised errors roll everything back."""
    decided = Decided()
    for booking in bookings:
        cancelled = on_bookings == "cancel" and _cancel(actor, booking, reason)
        (decided.cancelled if cancelled else decided.kept).append(booking)
    return decided


def _cancel(actor, booking: Booking, reason: str) -> bool:
    """Cancel one date of ``booking``; False when the actor may not or it ended meanwhile."""
    if not can_change_booking(actor, booking):
        return False
    try:
        cancel_booking(actor, booking, "occurrence", reason)
    except (NotAllowed, ValidationFailed):  # raised before anything is written
        return False
    return True
