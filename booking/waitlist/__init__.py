"""The waitlist: teachers wait for a full slot; when it frees, the first in line gets it or an offer.

- ``models``: waitlist entries (a teacher's wish, its offer, the booking made for it).
- ``ordering``: the pure rules: who is first in line, what a freed slot does for an entry (tested without an app).
- ``services``: joining, leaving, accepting, serving the line when a slot frees, the scheduler's job, open
  offers as holds for the booking rules.
- ``views``: the pages (join from a refusal, the section on 我的预约, leave, accept); ``forms``: their buttons.

``init_app`` (called from create_app) connects the receiver of ``events.slot_freed`` and registers the
open offers with the booking rules. It sits above bookings: the booking pages reach it only through the
template globals its blueprint registers.
"""
from __future__ import annotations


def init_app(app) -> None:
    from booking import events
    from booking.bookings import planning
    from booking.waitlist.services import offer_holds, on_slot_freed

    events.slot_freed.connect(on_slot_freed)
    if offer_holds not in planning.EXTRA_HOLDS:  # one app per test database: registered once per process
        planning.EXTRA_HOLDS.append(offer_holds)
