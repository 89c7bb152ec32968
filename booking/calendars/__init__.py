"""Calendars in and out: iCalendar feeds people subscribe to, and closures imported from .ics files.

- ``models``: feed subscriptions (secret tokens), the event cache, the district's change counter, imported UIDs;
  ``services``: subscriptions.
- ``targets``: what each kind of feed shows and who may have it; ``feeds``: a feed's rows, window and validator;
  ``district``: the district feed's window, size limit and counter-based validator.
- ``shaping`` (pure): booking rows to events; ``texts``: their words; ``ical`` (pure): the iCalendar text;
  ``cache``: serialised events kept between fetches.
- ``ics_import`` (pure): reading an .ics file; ``fetch``: downloading one; ``imports``: what an import adds,
  changes and removes; ``import_requests``: what its page and API share (target, file or address, the
  signed preview, confirming it); ``import_views``: its pages.
- ``closure_views``: the closures pages (admin blueprint), which settle the bookings a closure falls on.
- ``views``: the feed, subscribing, one booking as .ics; ``forms``: the pages' forms.
"""
