"""Notifications (issue 13, item 5): people told at once when something happens to their bookings.

- ``models``: notifications, each person's settings, group robots (a school's, a person's);
- ``sealing``: robots' webhook addresses and secrets encrypted at rest (a key from the SECRET_KEY);
- ``receivers``: the ``booking.events`` receivers, connected by ``init_app`` (called from ``create_app``);
- ``services``: writing a notification and its outbox messages (email, robots) in the event's transaction;
- ``messages`` / ``formats``: the words (in the recipient's language) and the robots' JSON and signatures;
- ``channels``: webhook address checks (no SSRF) and the HTTP hand-over used by the digests' outbox sender;
- ``reminders``: the scheduled job that reminds people N minutes before a booking, once;
- ``views`` / ``forms``: the list (unread badge in the header), settings and robots pages.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from booking.notifications import receivers, views

    receivers.connect()
    views.register_globals(app)
