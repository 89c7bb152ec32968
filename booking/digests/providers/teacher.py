"""The teacher's part of a digest: their bookings tomorrow (or in the coming week), and what
changed or was cancelled since their last digest. Everyone who books gets it, whatever the role."""
from __future__ import annotations

from booking.bookings.web.labels import status_label
from booking.digests import figures
from booking.digests.content import DigestWindow, Section
from booking.digests.figures import DigestRun
from booking.digests.formatting import (class_text, change_text, external_url, place_text, span_text, table,
                                        time_span, when_text)
from booking.digests.models import DigestKind
from booking.reports.tables import Column
from booking.texts import lazy_gettext as _l

WHEN, WHERE, CLASS = Column("when", _l("When")), Column("where", _l("Where")), Column("class", _l("Class"))


def _my_bookings_link() -> tuple[str, str]:
    return str(_l("My bookings")), external_url("bookings.mine")


def ahead_section(run: DigestRun, user, window: DigestWindow) -> Section | None:
    first, last = window.ahead
    bookings = figures.bookings_of(user.id, run.span(first, last))
    if not bookings:
        return None
    daily = window.kind == DigestKind.DAILY
    columns = [WHEN, WHERE, CLASS, Column("state", _l("State"))]
    rows = [[time_span(b) if daily else when_text(b), place_text(b), class_text(b), str(status_label(b.status))]
            for b in bookings]
    shown, more = table(columns, rows)
    title = (_l("Your bookings tomorrow, %(day)s", day=span_text(first, last)) if daily
             else _l("Your bookings in the coming week, %(days)s", days=span_text(first, last)))
    return Section("teacher_ahead", str(title), table=shown, more=more, link=_my_bookings_link())


def changes_section(run: DigestRun, user, window: DigestWindow) -> Section | None:
    changed = figures.changed_bookings(user.id, window.changes_since, window.cut)
    if not changed:
        return None
    columns = [WHEN, WHERE, CLASS, Column("change", _l("Now"))]
    rows = [[when_text(b), place_text(b), class_text(b), change_text(b)] for b in changed]
    shown, more = table(columns, rows)
    return Section("teacher_changes", str(_l("Changed or cancelled since your last digest")), table=shown,
                   more=more, link=_my_bookings_link())


def teacher_sections(run: DigestRun, user, window: DigestWindow) -> list[Section]:
    return [s for s in (ahead_section(run, user, window), changes_section(run, user, window)) if s]
