"""What an edit of a resource does to its active bookings: find those it breaks, cancel them, keep the rest sound.

``booking.resources.reshape`` decides (pure); this module reads the bookings and writes the outcome,
inside the transaction ``services.update_resource`` holds with ``resource_edit_write`` (the
resource's lock), so nobody books between the check and the edit. The statuses change through
``Booking.set_status``, which keeps ``blocks`` and the iCal SEQUENCE in step, and every cancelled
or newly confirmed booking gets its own audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from booking import events
from booking.audit.services import record
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import request_for_booking
from booking.bookings.calendar_queries import makeup_days_by_school
from booking.bookings.queries import as_existing, overlapping_bookings, resource_snapshot
from booking.bookings.rules import Interval, ResourceSnapshot
from booking.clock import utcnow
from booking.i18n import district_zone
from booking.resources import reshape
from booking.resources.models import Resource
from booking.texts import lazy_gettext as _l

# Bookings are made at most a few terms ahead; this reaches past any of them.
FOREVER = timedelta(days=365 * 100)
REASON_MAX_LENGTH = 500


@dataclass
class BrokenBooking:
    booking: Booking
    refusals: tuple  # the booking rules' refusals under the new shape: why it cannot stay

    @property
    def reason(self) -> str:
        return " ".join(str(r.message) for r in self.refusals)


class BookingsBroken(Exception):
    """The edit would break these active bookings; nothing was saved. ``changed``: they are not the
    ones the caller was shown (bookings were made or cancelled meanwhile)."""

    def __init__(self, broken: list[BrokenBooking], changed: bool = False):
        super().__init__(f"{len(broken)} bookings would break")
        self.broken = broken
        self.changed = changed

    @property
    def ids(self) -> list[int]:
        return [b.booking.id for b in self.broken]


@dataclass
class Settled:
    cancelled: list[Booking] = field(default_factory=list)
    confirmed: list[Booking] = field(default_factory=list)  # requests that need no approval any more


def active_bookings(resource: Resource) -> list[Booking]:
    """The bookings of ``resource`` not yet over that still hold their time (one query)."""
    now = utcnow()
    return overlapping_bookings([resource.id], Interval(now, now + FOREVER))


def held(rows: list[Booking], snapshot: ResourceSnapshot) -> list[reshape.Held]:
    return [reshape.Held(existing, request_for_booking(row, row.status == BookingStatus.CONFIRMED,
                                                       snapshot=snapshot))
            for row, existing in zip(rows, as_existing(rows))]


def broken_by(old: ResourceSnapshot, resource: Resource, rows: list[Booking]) -> reshape.Reshaped:
    """The verdict on ``rows`` for ``resource`` as it now is in the session (changed, not yet committed)."""
    zone = district_zone()
    makeup = {}
    if rows:
        first = min(r.starts_at for r in rows).astimezone(zone).date()
        last = max(r.ends_at for r in rows).astimezone(zone).date()
        makeup = makeup_days_by_school({resource.owner_school_id}, first, last)[resource.owner_school_id]
    return reshape.bookings_broken_by(old, resource_snapshot(resource), held(rows, old), zone, makeup)


def broken_bookings(verdict: reshape.Reshaped, rows: list[Booking]) -> list[BrokenBooking]:
    by_id = {row.id: row for row in rows}
    return [BrokenBooking(by_id[b.booking_id], b.refusals) for b in verdict.broken]


def _cancel(actor, broken: BrokenBooking, resource: Resource) -> None:
    row = broken.booking
    reason = str(_l("%(name)s was changed: %(reason)s", name=resource.name, reason=broken.reason))
    reason = reason[:REASON_MAX_LENGTH]
    row.set_status(BookingStatus.CANCELLED)
    row.cancel_reason = reason
    row.is_exception = row.is_exception or row.series_id is not None
    record(actor, "booking.cancel", row, {"scope": "occurrence", "ids": [row.id], "reason": reason,
                                          "because": "resource.update"})
    events.announce(events.booking_cancelled, actor, [row], reason=reason)
    events.free_slots_of(actor, [row])


def _confirm(actor, row: Booking) -> None:
    reason = str(_l("Bookings of this resource need no approval any more."))
    row.set_status(BookingStatus.CONFIRMED)
    row.decided_by_id, row.decided_at, row.decision_reason = getattr(actor, "id", None), utcnow(), reason
    record(actor, "booking.approve", row, {"ids": [row.id], "rejected": [], "because": "resource.update"})
    events.announce(events.booking_approved, actor, [row], reason=reason)


def settle(actor, resource: Resource, verdict: reshape.Reshaped, rows: list[Booking]) -> Settled:
    """Cancel what the edit broke, confirm the requests that need no approval any more, and put every
    kept row's ``blocks`` right for the resource's kind (rooms block, equipment counts), so the
    database's exclusion constraint covers exactly the confirmed rows of an exclusive resource."""
    settled = Settled()
    for broken in broken_bookings(verdict, rows):
        _cancel(actor, broken, resource)
        settled.cancelled.append(broken.booking)
    confirming = set(verdict.confirmed_ids)
    for row in rows:
        if row.id in confirming:
            _confirm(actor, row)
            settled.confirmed.append(row)
        elif row.is_active and row.blocks != (row.status == BookingStatus.CONFIRMED and not resource.is_quantity_based):
            row.set_status(row.status)  # recomputes blocks
    return settled
