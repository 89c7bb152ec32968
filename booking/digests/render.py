"""One user's digest, in their language: subject, HTML part and plain-text part.

Both parts come from the same sections (``digests/email.html`` and ``digests/email.txt``),
so they always say the same thing. Rendered without a request: links are absolute (PUBLIC_URL).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale

from booking.digests.content import DigestWindow, Section, has_news
from booking.digests.figures import DigestRun
from booking.digests.formatting import day_text, external_url
from booking.digests.models import DigestKind
from booking.digests.providers import PROVIDERS
from booking.digests.unsubscribe import unsubscribe_url
from booking.permissions import home_district_id
from booking.schools.services import place_name
from booking.texts import lazy_gettext as _l

SUBJECTS = {DigestKind.DAILY: _l("%(district)s daily digest, %(day)s"),
            DigestKind.WEEKLY: _l("%(district)s weekly digest, %(day)s")}


@dataclass(frozen=True)
class Rendered:
    locale: str
    subject: str
    html: str
    text: str
    sections: list[Section]


def locale_of(user) -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    return user.locale if user.locale in supported else current_app.config["BABEL_DEFAULT_LOCALE"]


def sections_for(run: DigestRun, user, window: DigestWindow) -> list[Section]:
    return [section for provider in PROVIDERS for section in provider(run, user, window)]


def render_digest(run: DigestRun, user, window: DigestWindow) -> Rendered | None:
    """The digest, or None when it would have no news (nobody gets an empty digest)."""
    locale = locale_of(user)
    with force_locale(locale):
        sections = sections_for(run, user, window)
        if not has_news(sections):
            return None
        return render_message(user, locale, SUBJECTS[window.kind], window.digest_date, sections)


def render_message(user, locale: str, subject_format, day, sections: list[Section]) -> Rendered:
    """Subject, HTML and text of ``sections`` for ``user``; call inside ``force_locale(locale)``.

    The 06:30 itinerary (``booking.digests.itinerary``) is rendered by it too."""
    subject = str(subject_format) % {"district": place_name(home_district_id(user)), "day": day_text(day)}
    context = {
        "subject": subject, "user": user, "sections": sections,
        "html_lang": locale.replace("_", "-"),
        "digests_url": external_url("digests.index"),
        "unsubscribe_url": unsubscribe_url(user.id),
    }
    html = render_template("digests/email.html", **context)
    text = render_template("digests/email.txt", **context)
    return Rendered(locale, subject, html, text, sections)
