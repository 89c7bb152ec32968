"""Bookings: the booking engine, its services and its pages.

- ``rules/``: the pure engine (refusals, visiting-teacher rules, recurrence), tested without an app.
- ``models``: bookings (one row per occurrence), series, blackouts; ``errors``: what services raise.
- ``services``: booking, cancelling, seeing bookings; ``changes``: moving and editing one date, the
  following ones or a series; ``approvals``: the approval queue and decisions.
- ``planning``: from a request to a checked plan (bell periods, recurrence, preview);
  ``queries``: the SQL that narrows what the rules look at (bookings, holds); ``calendar_queries``: the
  calendar they are checked against (closures, make-up days, terms, blackouts); ``guarantee``: the lock around
  every write.
- ``availability``: taken and free time of one resource; ``suggestions``: alternatives and free search.
- ``outcomes``: whether a booking was used; ``checkin``: check-in and releasing no-shows.
- ``hits``: what a new blackout or closure does to the bookings it falls on (list, then cancel or keep);
  ``closures``: closures with their hit lists, decisions and the kept bookings flagged.
- ``web/``: the booking pages (the ``bookings`` blueprint and the resource page).
"""
