"""Where each person lands after signing in: what their role comes to do, on one page.

- ``services``: what a home page holds — my next bookings and where I book most (teachers), the
  requests waiting for an answer (school admins, coordinators), today's itinerary (visiting
  teachers), the district's headline figures and mandates behind (coordinators).
- ``views``: the page at ``/`` and the waiting-requests count in the header (``booking.web`` wires both).
"""
