"""Visiting specialist teachers (走教/送教): profiles, home timetables, visits, lessons and mandates.

- ``models``: profiles, home-school busy times, mandates; ``rules`` (pure): what makes a profile valid.
- ``profiles``: profiles and timetables; ``snapshots``: a teacher as the booking rules see them
  (handed to ``booking.bookings.queries`` by create_app).
- ``visits``: requesting a visit; ``lessons``: recording a lesson; ``itinerary``: a teacher's day.
- ``mandates``: the district's visit mandates per term and their progress.
- ``views``, ``admin_views`` and ``forms``: the pages.
"""
