"""What happened to bookings, announced so that other packages react without the booking
services importing them: the notifications package tells people, the waitlist offers a freed slot.

Senders call ``signal.send(actor, bookings=[...], **details)`` inside the unit of work, after
the change is flushed. Receivers write in the same transaction (an outbox row, a waitlist
offer), so nothing is announced for a change that rolls back and nothing announced is lost.
``actor`` is the user who acted, or None for the system (a job, an expiry).

Every signal carries ``bookings`` (a list of Booking rows, possibly empty); the extra keywords:

- ``booking_approved``: ``reason`` (str).
- ``booking_rejected``: ``reason`` (str), by a person.
- ``booking_displaced``: ``reason`` (str); rejected because another request for the time was approved.
- ``booking_cancelled``: ``reason`` (str); cancelled by ``actor`` (the booker or someone else).
- ``booking_changed``: ``scope`` (str); moved or edited by ``actor``.
- ``booking_released``: none; released as a no-show by the check-in job.
- ``closure_hit``: ``closure`` (the Closure), ``action`` ("cancelled" or "kept").
- ``waitlist_offered``: ``bookings`` empty, ``entry`` (the waitlist entry offered the freed slot,
  with its expiry); ``waitlist_booked``: ``bookings`` the booking made for a waiting teacher, ``entry``
  (actor None when the freed slot was booked at once, the teacher when they accepted an offer).
- ``slot_freed``: bookings stopped holding their time (cancelled, released, rejected, moved away):
  ``slots`` is a list of ``(resource, starts_at, ends_at)`` that became free (for a move, the old times).
- ``allocation_committed``: a term allocation round was committed (booking.allocation): ``bookings`` every
  booking of the series it made (possibly empty), ``round``, ``served`` and ``unmet`` (its AllocationRequests).
"""
from __future__ import annotations

from blinker import Namespace

_events = Namespace()

booking_approved = _events.signal("booking-approved")
booking_rejected = _events.signal("booking-rejected")
booking_displaced = _events.signal("booking-displaced")
booking_cancelled = _events.signal("booking-cancelled")
booking_changed = _events.signal("booking-changed")
booking_released = _events.signal("booking-released")
closure_hit = _events.signal("closure-hit")
slot_freed = _events.signal("slot-freed")
waitlist_offered = _events.signal("waitlist-offered")
waitlist_booked = _events.signal("waitlist-booked")
allocation_committed = _events.signal("allocation-committed")


def announce(signal, actor, bookings, **details) -> None:
    """Send ``signal`` when there is something to say (no receiver hears an empty change)."""
    rows = list(bookings)
    if rows:
        signal.send(actor, bookings=rows, **details)


def free_slots_of(actor, bookings, slots=None) -> None:
    """Announce that ``bookings`` no longer hold their times (or the given old ``slots``)."""
    slots = slots if slots is not None else [(b.resource, b.starts_at, b.ends_at) for b in bookings]
    if slots:
        slot_freed.send(actor, bookings=list(bookings), slots=slots)
