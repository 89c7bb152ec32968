"""The booking pages: the ``bookings`` blueprint (/bookings) and the resource page.

- ``book``: choose a resource, fill the form (by period or clock time), a refusal with alternatives,
  a series previewed date by date, the district-wide free search.
- ``manage``: my bookings (a list or a month calendar, built by ``month``, pure), one booking, cancelling or
  changing one date, the following ones or the series.
- ``approvals``: the approval queue, approving and rejecting.
- ``day``: the day grid of many rooms × bell periods, by school or by kind.
- ``resource_page``: one resource's facts and week grid (on the ``resources`` blueprint, /resources/<id>).
- ``queries``: what the pages read beyond the services; ``grid``: the week and day grids built from it (pure).
- ``form_input``: what the forms typed, read into the services' inputs (pure); ``forms``: the forms.
- ``labels``: words and template helpers (states, refusal kinds, local clock times).
"""
from flask import Blueprint

from booking.bookings.web.labels import register_template_helpers

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
register_template_helpers(bp)

from booking.bookings.web import approvals, book, day, manage, resource_page  # noqa: E402,F401  (register their routes)
