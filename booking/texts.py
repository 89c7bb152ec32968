"""Translated text that stays text wherever it lands: the project's one ``lazy_gettext``.

Flask-Babel's lazy strings declare ``__html__`` as their plain text, so Jinja (and
``markupsafe.escape``, and WTForms' widgets) treat them as markup already made safe. A
message such as "booked by %(holder)s" then carried a user-written title into the page
unescaped: a stored XSS. Here the translated, interpolated text is escaped whenever it is
put into HTML, so a message can carry anything a user typed. Every module imports
``lazy_gettext`` from here (tests/test_security_headers.py fails otherwise).
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import escape


class LazyText(LazyString):
    """Translated when rendered; escaped when put into HTML."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    return LazyText(gettext, string, **variables)


class DayText:
    """A calendar day inside a message: written the one way (``booking.i18n.format_day``) when the message is
    rendered, in the reader's language; pure code can put it into a message without a request."""

    def __init__(self, day) -> None:
        self.day = day

    def __str__(self) -> str:
        from booking.i18n import format_day  # at render time: i18n needs the app, this module must not

        return format_day(self.day)

    def __repr__(self) -> str:
        return f"DayText({self.day!r})"
