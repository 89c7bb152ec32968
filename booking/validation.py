"""Bad input, checked in one place: the error services raise, and the limits every input shares.

The limits are those of the storage and of the date arithmetic: ids are PostgreSQL ``integer``s,
PostgreSQL text cannot hold NUL (nor can any UTF-8 a lone surrogate), and a school calendar means
nothing outside FIRST_YEAR … LAST_YEAR while a date near year 1 or 9999 overflows as soon as a day
or a time zone is added to it. Pure code: no request, no database.
"""
from __future__ import annotations

import re
from datetime import date

from booking.texts import lazy_gettext as _l

# Ids and counts are PostgreSQL `integer`s; anything larger cannot exist and would overflow the driver.
MAX_ID = 2**31 - 1
# Path plus query string, in bytes: room for a 500-character Chinese reason (9 bytes each when
# percent-encoded) and below gunicorn's `--limit-request-line 8190` (README), so the app answers first.
MAX_URL_LENGTH = 8000
# The dates a school calendar can mean; beyond them week and time-zone arithmetic would overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# NUL, and UTF-16 halves that are not part of a pair: neither can be stored or encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ValidationFailed(Exception):
    """Bad input, reported per field. Nothing has been written when this is raised."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def is_supported_day(day: date) -> bool:
    """Whether ``day`` (a date or a datetime) lies in FIRST_YEAR … LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def has_unstorable_character(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def printable_name(name: str) -> str:
    """``name`` with each unstorable character shown as "?", to name a field in an error."""
    return _UNSTORABLE.sub("?", name)


def unstorable_text_message():
    return _l("Remove the control character or the invalid character from this text.")


def out_of_range_day_message():
    return _l("Enter a date from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def too_long_message(max_length: int):
    return _l("At most %(n)d characters.", n=max_length)


class NotAllowed(Exception):
    """The actor may see the thing but not change it (403)."""
