"""Visiting specialist teachers (走教/送教): profiles, home timetables, visits, lessons and mandates.

- ``models``: profiles, home-school busy times, mandates; ``rules`` (pure): what makes a profile valid.
- ``profiles``: profiles and timetables; ``snapshots``: a teacher as the booking rules see them
  (handed to ``booking.bookings.queries`` by create_app).
- ``visits``: requesting a visit; ``lessons``: recording a lesson; ``itinerary``: a teacher's day.
- ``mandates``: the district's visit mandates per term and their progress.
- ``planner`` (pure): the mandate planner (OR-Tools CP-SAT) and its greedy baseline, over ``plan_model`` (pure: what
  it reads and returns) and ``plan_rounds`` (pure: the candidate rounds); ``mandate_plans``: the
  term's plan read from the district, previewed per teacher and per school, committed as visits.
- ``views``, ``admin_views`` and ``forms``: the pages.
"""
