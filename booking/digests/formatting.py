"""Turning figures into the words and tables of a section, in the recipient's language.

Called inside ``force_locale`` (see ``render``): numbers and dates come out in that language.
Tables use the reports' columns and cell formatting (``booking.reports.tables``), so an hour
or a percentage reads the same in a digest as on the dashboard.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import current_app

from booking.bookings.models import Booking
from booking.bookings.web.labels import status_label
from booking.i18n import format_day, format_days, local_clock
from booking.digests.content import SectionTable, cut_short
from booking.reports.tables import TEXT, Column, display
from booking.texts import lazy_gettext as _l

ROWS_SHOWN = 10


def external_url(endpoint: str, **values) -> str:
    """An absolute link into the app for an email: built on PUBLIC_URL, no request needed."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/",
                                       url_scheme=public.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def day_text(day: date) -> str:
    return format_day(day, "full")


def span_text(first: date, last: date) -> str:
    return day_text(first) if first == last else format_days(first, last)


def time_span(booking: Booking) -> str:
    return f"{local_clock(booking.starts_at)}–{local_clock(booking.ends_at)}"


def when_text(booking: Booking) -> str:
    """"Thursday, 19 November 2026 08:50–09:30" in the district's zone."""
    return f"{format_day(booking.starts_at)} {time_span(booking)}"


def place_text(booking: Booking) -> str:
    """The resource, and its owner school when the class is from another school."""
    resource = booking.resource
    if resource.owner_school_id != booking.school_id:
        return f"{resource.name} ({resource.owner_school.name})"
    return resource.name


def class_text(booking: Booking) -> str:
    return " · ".join(part for part in (booking.title, booking.class_name) if part)


def change_text(booking: Booking) -> str:
    """What the booking is now, with the reason someone gave."""
    reason = booking.cancel_reason if booking.status == "cancelled" else booking.decision_reason
    state = str(status_label(booking.status))
    return str(_l("%(state)s: %(reason)s", state=state, reason=reason)) if reason else state


def number(value, kind: str) -> str:
    """One figure formatted like a table cell of that kind (hours, ratio, percent …)."""
    return display(value, Column("value", "", kind))


def table(columns: list[Column], rows: list[list], limit: int = ROWS_SHOWN) -> tuple[SectionTable, str]:
    """A section table of at most ``limit`` rows, formatted, and the "and N more" note."""
    shown, left_out = cut_short(rows, limit)
    formatted = [[display(cell, column) for cell, column in zip(row, columns)] for row in shown]
    more = str(_l("and %(n)d more", n=left_out)) if left_out else ""
    return SectionTable([str(c.label) for c in columns], formatted, [c.kind != TEXT for c in columns]), more
