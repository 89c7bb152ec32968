"""Who did what, when and from where.

- ``models``: one ``AuditEntry`` per change (actor, client address, user agent, the school and resource it
  is about) and the bookings it changed (``AuditBooking``);
- ``services``: ``record`` writes an entry in the caller's transaction.

The coordinators' viewer of the log is ``booking.audit_log`` (it names resources and bookings, which sit above).
"""
