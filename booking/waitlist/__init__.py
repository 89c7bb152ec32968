"""The waitlist: teachers wait for a full slot; when it frees, the first in line gets it or an offer.

- ``models``: waitlist entries (a teacher's wish, its offer, the booking made for it).
- ``ordering``: the pure rules: who is first in line, what a freed slot does for an entry (tested without an app).
- ``services``: joining, leaving, accepting an offer, reading the line (what the pages and the API call).
- ``serving``: a freed time given to the first in line (booked or offered), the receiver of
  ``events.slot_freed``, open offers as holds for the booking rules.
- ``jobs``: the scheduler's job: offers lapse, passed entries expire, a sweep serves what freed unannounced.
- ``line``: what every change of the line shares: the resource's lock, an entry as a booking request,
  closing an entry, an offer's time, the weak schools among entries.
- ``views``: the pages (join from a refusal, the section on 我的预约, leave, accept); ``forms``: their buttons.

``init_app`` (called from create_app) connects the receiver of ``events.slot_freed`` and registers the
open offers with the booking rules. It sits above bookings: the booking pages reach it only through the
template globals its blueprint registers.
"""
from __future__ import annotations


def init_app(app) -> None:
    from booking import events
    from booking.bookings import planning
    from booking.waitlist.serving import offer_holds, on_slot_freed

    events.slot_freed.connect(on_slot_freed)
    if offer_holds not in planning.EXTRA_HOLDS:  # one app per test database: registered once per process
        planning.EXTRA_HOLDS.append(offer_holds)
