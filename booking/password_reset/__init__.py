"""Forgotten passwords: a single-use, time-limited link by email, the same answer for every address.

- ``tokens`` (pure but for the secret): the signed link, bound to the password it replaces, so it
  works once and stops working when the password changes by any route.
- ``services``: asking for a link (mailed in the background, at most one per address every few
  minutes) and setting the new password, which signs the account out everywhere.
- ``views`` and ``forms``: the two pages, linked from the sign-in page.
"""
from flask import Blueprint

bp = Blueprint("password_reset", __name__, url_prefix="/password")

from booking.password_reset import views  # noqa: E402,F401  (registers the routes)
