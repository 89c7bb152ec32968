"""Fair shares of scarce resources (issue #14): priority booking windows and per-school term quotas.

- ``models``: the windows (district, category, resource), the term quotas and the exceptions granted.
- ``services``: reading the settings for a booking, counting a school's hours under the quota's lock (called
  by booking.bookings inside ``booking_write``) and what the pages say beforehand. The pure rules are in
  booking.bookings.rules (``window_refusal``, ``quota_refusals``).
- ``settings``: the coordinators' audited changes of windows, quotas and exceptions, and their lists.
- ``districts``: which district's settings a coordinator's page or API call reads and edits.
- ``forms``, ``views``: the coordinators' page (/admin/quotas/).
"""
