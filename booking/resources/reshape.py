"""Which active bookings a changed resource would break: pure, no database session, no request.

Changing a resource's stock, kind, opening hours, sharing or approval rule must not leave bookings
behind that the booking rules would refuse today (5 kits over stock, two confirmed bookings of a
room that just stopped being equipment). The rules are the booking rules themselves
(``booking.bookings.rules``): every booking is checked as if it were asked for again under the new
shape, against the bookings kept before it. Confirmed bookings go first, then pending requests,
each in the order they were made, so the earlier booker keeps the slot.

Only what the change itself breaks counts: a booking the old shape already refused for the same
reason (say its booker moved school since) is not the edit's doing. Durations, the booking horizon,
closures and blackouts are rules for new bookings; an edit of them leaves the booked ones alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping
from zoneinfo import ZoneInfo

from booking.bookings import rules


@dataclass(frozen=True)
class Held:
    """An active booking of the resource as the rules see it: where it sits, and who asked."""

    existing: rules.Existing
    request: rules.Request  # as it was booked; its resource is replaced by the shape being checked


@dataclass(frozen=True)
class Broken:
    booking_id: int
    refusals: tuple[rules.Refusal, ...]


@dataclass
class Reshaped:
    broken: list[Broken] = field(default_factory=list)
    # Pending requests that need no approval any more and fit: they become confirmed.
    confirmed_ids: list[int] = field(default_factory=list)

    @property
    def broken_ids(self) -> list[int]:
        return [b.booking_id for b in self.broken]


def _per_booking(shape: rules.ResourceSnapshot, request: rules.Request, interval: rules.Interval,
                 zone: ZoneInfo, makeup: Mapping[date, int] | None = None) -> list[rules.Refusal]:
    """The rules that look at one booking alone: who may book it, whether the class fits, opening hours
    (of the weekday a make-up teaching day follows)."""
    asked = replace(request, resource=shape)
    hours = rules.hours_refusal(shape, interval, zone, rules.Calendar(zone=zone, makeup_days=makeup or {}))
    return rules.standing_refusals(asked) + ([hours] if hours is not None else [])


def _in_order(held: list[Held]) -> list[Held]:
    return sorted(held, key=lambda h: (not h.existing.confirmed, h.existing.id))


def bookings_broken_by(old: rules.ResourceSnapshot, new: rules.ResourceSnapshot, held: list[Held],
                       zone: ZoneInfo, makeup: Mapping[date, int] | None = None) -> Reshaped:
    """What changing a resource from ``old`` to ``new`` does to its active bookings ``held``
    (``makeup``: the make-up teaching days of its school, date → the weekday taught).

    Archiving is not an edit (archived resources keep their bookings), so both shapes are checked
    as in service.
    """
    old, new = replace(old, active=True), replace(new, active=True)
    result = Reshaped()
    kept: list[rules.Existing] = []
    for item in _in_order(held):
        existing = item.existing
        confirmed = existing.confirmed or not new.approval_required
        request = replace(item.request, resource=new, confirmed=confirmed)
        before = _per_booking(old, item.request, existing.interval, zone, makeup)
        refusals = [r for r in _per_booking(new, request, existing.interval, zone, makeup) if r not in before]
        refusals += rules.overlap_refusals(request, existing.interval, kept, zone)
        if refusals:
            result.broken.append(Broken(existing.id, tuple(refusals)))
            continue
        kept.append(replace(existing, confirmed=confirmed))
        if confirmed and not existing.confirmed:
            result.confirmed_ids.append(existing.id)
    return result
