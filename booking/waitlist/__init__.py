"""The waitlist: teachers wait for a full slot; when it frees, the first in line gets it or an offer.

``init_app`` connects the receiver of ``events.slot_freed`` (called from create_app).
"""
from __future__ import annotations


def init_app(app) -> None:
    from booking import events
    from booking.bookings import planning
    from booking.waitlist.services import offer_holds, on_slot_freed

    events.slot_freed.connect(on_slot_freed)
    if offer_holds not in planning.EXTRA_HOLDS:  # one app per test database: registered once per process
        planning.EXTRA_HOLDS.append(offer_holds)
