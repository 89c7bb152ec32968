"""Language and time zone: zh_CN by default, English on request; the district's zone for display."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_time, get_locale
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


def enumeration(items) -> str:
    """Names in a row as the reader's language lists them: 语文、数学 in Chinese (the enumeration comma, not the
    comma of a clause), "Chinese, Maths" in English."""
    return ("、" if is_chinese() else ", ").join(str(item) for item in items)


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


# --- the one way dates and times are written on pages, in mails and in messages -------------
# 2026年12月7日 / Dec 7, 2026; with the weekday 2026年12月7日星期一 / Monday, December 7, 2026; within a year
# 12月7日 / Dec 7. Times are always HH:MM in the district's zone.
# Babel's own formats where they exist ("medium", "full"), a skeleton where not ("short": no year).
DASH = "\u00a0– "  # between the ends of a range: a line may break after the dash, never before it
DAY_SKELETONS = {"short": "MMMd", "month": "yMMMM"}


def format_day(day: date | datetime | None, style: str = "medium") -> str:
    """A calendar day (an aware instant: its local day): "medium", "full" (with the weekday), "short" (no
    year) or "month" (only the month: 2026年9月)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_local(day).date() if day.tzinfo else day.date()
    locale = get_locale() or "zh_Hans_CN"
    if style in DAY_SKELETONS:
        return format_skeleton(DAY_SKELETONS[style], day, locale=locale)
    return babel_format_date(day, "full" if style == "full" else "medium", locale=locale)


def format_moment(instant: datetime | None, style: str = "medium") -> str:
    """An instant as its local day and HH:MM: 2026年12月7日 08:00."""
    return f"{format_day(instant, style)} {local_clock(instant)}" if instant else ""


def format_span(start: datetime | None, end: datetime | None, style: str = "medium") -> str:
    """A half-open range of instants as people say it: whole days as days (the last day the one before an
    end at midnight: 12月7日 – 12月11日), one day as its day and times, else both ends as moments."""
    if start is None or end is None:
        return format_moment(start or end, style)
    first, last = to_local(start), to_local(end)
    if first.time() == time(0) == last.time() and last > first:
        last_day = last.date() - timedelta(days=1)
        if last_day == first.date():
            return format_day(first.date(), style)
        return f"{format_day(first.date(), style)}{DASH}{format_day(last_day, style)}"
    if first.date() == last.date():
        return f"{format_day(first.date(), style)} {first:%H:%M}–{last:%H:%M}"
    return f"{format_moment(start, style)}{DASH}{format_moment(end, style)}"


def format_days(first: date, last: date, style: str = "medium") -> str:
    """A range of calendar days, both included: one day once."""
    return format_day(first, style) if first == last else f"{format_day(first, style)}{DASH}{format_day(last, style)}"


def register(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = lambda instant, _style=None: format_moment(instant)
    app.jinja_env.filters["local_date"] = format_day
    app.jinja_env.filters["local_span"] = format_span
    app.jinja_env.filters["local_days"] = format_days
    app.jinja_env.filters["enumeration"] = enumeration
    app.jinja_env.filters["clock_time"] = lambda t: t.strftime("%H:%M") if t else ""
    app.jinja_env.filters["format_time"] = lambda t, fmt="short": format_time(t, fmt) if t else ""
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["is_chinese"] = is_chinese
    from booking import labels

    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["role_label"] = labels.role_label
    app.jinja_env.filters["period_label"] = labels.period_label
    app.jinja_env.globals["WEEKDAYS"] = labels.WEEKDAYS


def local_clock(instant: datetime | None) -> str:
    """HH:MM of an instant in the district's zone."""
    return to_local(instant).strftime("%H:%M") if instant else ""


def local_day(instant: datetime | None) -> date | None:
    return to_local(instant).date() if instant else None
