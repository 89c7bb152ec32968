"""Words and small template helpers of the booking pages: states, refusal kinds, local clock times."""
from __future__ import annotations


from flask import Blueprint, url_for
from werkzeug.routing import BuildError

from booking.bookings.models import BookingStatus
from booking.bookings.rules.recurrence import WEEKDAY_CODES
from booking.bookings.rules import Kind
from booking.i18n import enumeration, format_day, local_clock, local_day
from booking.labels import WEEKDAYS
from booking.texts import lazy_gettext as _l

STATUS_LABELS = {
    BookingStatus.PENDING: _l("Waiting for approval"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.CANCELLED: _l("Cancelled"),
    BookingStatus.REJECTED: _l("Rejected"),
    BookingStatus.EXPIRED: _l("Expired (nobody answered in time)"),
}

# A heading for each kind of refusal; the refusal's own message says the details.
KIND_TITLES = {
    Kind.RESOURCE_OVERLAP: _l("Already taken"),
    Kind.QUANTITY: _l("Not enough in stock"),
    Kind.CAPACITY: _l("The class is too large"),
    Kind.CLOSED: _l("Closed"),
    Kind.OUTSIDE_HOURS: _l("Outside the opening hours"),
    Kind.DURATION: _l("Length not allowed"),
    Kind.HORIZON: _l("Not bookable at that date"),
    Kind.NOT_SHARED: _l("Not open to you"),
    Kind.TEACHER_BUSY: _l("The teacher is busy"),
    Kind.TRAVEL_TIME: _l("Not enough travel time"),
    Kind.OVER_WORKLOAD: _l("Weekly workload reached"),
    Kind.OUTSIDE_AVAILABILITY: _l("Outside the teacher's available times"),
    Kind.OUTSIDE_TERM: _l("Between two terms"),
    Kind.NOT_OPEN_YET: _l("Not open for booking yet"),
    Kind.QUOTA: _l("Term quota used up"),
}

# The state of one date of a series in the preview, and of one cell of the week grid.
STATE_LABELS = {
    "free": _l("Free"),
    "conflict": _l("Clashes"),
    "closed": _l("Closed, skipped"),
    "booked": _l("Booked"),
    "requested": _l("Requested"),
    "past": _l("Past"),
    "unavailable": _l("Not bookable"),
}


def status_label(status) -> str:
    return STATUS_LABELS.get(status, str(status))


def kind_title(kind) -> str:
    return KIND_TITLES.get(kind, str(kind))


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def series_summary(series) -> str:
    """"Every week on Thursday, until 22 January" from a stored weekly rule; a plain "repeats" otherwise."""
    parts = dict(piece.partition("=")[::2] for piece in series.rrule.split(";"))
    until = format_day(series.until) if series.until else ""
    days = [WEEKDAYS[WEEKDAY_CODES.index(code[-2:])] for code in parts.get("BYDAY", "").split(",")
            if code[-2:] in WEEKDAY_CODES]
    if parts.get("FREQ") != "WEEKLY" or not days:
        return _l("Repeats until %(until)s", until=until)
    names = enumeration(days)
    weeks = int(parts.get("INTERVAL", "1") or 1)
    if weeks == 1:
        return _l("Every week on %(days)s, until %(until)s", days=names, until=until)
    return _l("Every %(n)d weeks on %(days)s, until %(until)s", n=weeks, days=names, until=until)


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of a route another part of the app may add later (e.g. the .ics of a booking), else None."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def weekday_name(weekday: int) -> str:
    """周一 … 周日 / Monday … Sunday for 0 … 6."""
    return str(WEEKDAYS[weekday]) if weekday is not None and 0 <= weekday < 7 else ""


def register_template_helpers(bp: Blueprint) -> None:
    for name, helper in (("booking_status", status_label), ("refusal_title", kind_title), ("state_label", state_label),
                         ("local_clock", local_clock), ("local_day", local_day),
                         ("series_summary", series_summary), ("weekday_name", weekday_name)):
        bp.add_app_template_filter(helper, name)
    bp.add_app_template_global(optional_url, "optional_url")
