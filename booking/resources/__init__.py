"""What schools share: facilities, equipment kits and visiting teachers, with their opening hours.

- ``models``: resources and opening hours; ``rules`` (pure): what makes a resource valid.
- ``services``: finding and changing resources; ``edits`` and ``reshape`` (pure): what an edit does to
  the bookings it would break; ``blackouts``: maintenance spans.
- ``views``: the resource list (the resource page is ``booking.bookings.web.resource_page``);
  ``admin_views`` and ``forms``: managing resources.
"""
