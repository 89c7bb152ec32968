"""Language and time zone: zh_CN by default, English on request; the district's zone for display."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():  # CLI commands and the scheduler translate too
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    # An API call speaks the token owner's language (booking/api sets g.api_user before any view runs).
    user = g.get("api_user") or current_user
    if user and getattr(user, "is_authenticated", False) and user.locale in supported:
        return user.locale
    # Schools' machines are set up in Chinese; only an explicit choice switches to English.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def is_chinese() -> bool:
    """Babel reads zh_CN as zh_Hans_CN; compare languages, not locale strings."""
    locale = get_locale()
    return locale is not None and locale.language == "zh"


def district_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISTRICT_TIMEZONE"])


def to_local(instant: datetime) -> datetime:
    """An aware instant as wall-clock time in the district's zone."""
    return instant.astimezone(district_zone())


def local_to_utc(day: date, wall: time, zone: ZoneInfo | None = None) -> datetime:
    """A district wall-clock time on ``day`` as an aware UTC instant."""
    zone = zone or district_zone()
    return datetime.combine(day, wall, tzinfo=zone).astimezone(timezone.utc)


def local_today() -> date:
    from booking.clock import utcnow

    return to_local(utcnow()).date()


def select_timezone() -> str:
    return current_app.config["DISTRICT_TIMEZONE"]


def _format_instant(instant: datetime | None, fmt: str = "medium") -> str:
    """Flask-Babel rebases aware instants into the district zone (see select_timezone)."""
    return format_datetime(instant, fmt) if instant else ""


def register(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = _format_instant
    app.jinja_env.filters["local_date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
    app.jinja_env.filters["clock_time"] = lambda t: t.strftime("%H:%M") if t else ""
    app.jinja_env.filters["format_time"] = lambda t, fmt="short": format_time(t, fmt) if t else ""
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["is_chinese"] = is_chinese
    from booking import labels

    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["period_label"] = labels.period_label
    app.jinja_env.globals["WEEKDAYS"] = labels.WEEKDAYS


def local_clock(instant: datetime | None) -> str:
    """HH:MM of an instant in the district's zone."""
    return to_local(instant).strftime("%H:%M") if instant else ""


def local_day(instant: datetime | None) -> date | None:
    return to_local(instant).date() if instant else None
