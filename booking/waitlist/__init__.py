"""The waitlist: teachers wait for a full slot; when it frees, the first in line gets it or an offer.

``init_app`` connects the receiver of ``events.slot_freed`` (called from create_app).
"""
from __future__ import annotations


def init_app(app) -> None:
    from booking import events
    from booking.waitlist.services import on_slot_freed

    events.slot_freed.connect(on_slot_freed)
