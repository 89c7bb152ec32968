"""What a notification says, in the language of the locale it is rendered in (call inside ``force_locale``).

No database, no request: a notification's words come from its kind and its stored ``params`` (title,
place, times, reason …, written when it happened), so the list, the email and the robots say the same,
each reader in their own language. ``clean`` is applied to every user-written value first: identity for
pages and email (which escape on output), ``formats.neutralise`` for the robots' markdown.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable


from booking.i18n import format_moment, local_clock
from booking.notifications.models import NotificationKind
from booking.texts import lazy_gettext as _l

HEADLINES = {
    NotificationKind.APPROVED: _l("Your booking “%(title)s” was approved"),
    NotificationKind.REJECTED: _l("Your booking request “%(title)s” was rejected"),
    NotificationKind.DISPLACED: _l("Your booking request “%(title)s” was declined: another request for the time "
                                   "was approved"),
    NotificationKind.CANCELLED: _l("Your booking “%(title)s” was cancelled by %(actor)s"),
    NotificationKind.CHANGED: _l("Your booking “%(title)s” was changed by %(actor)s"),
    NotificationKind.RELEASED: _l("Your booking “%(title)s” was released: nobody checked in"),
    NotificationKind.CLOSURE_HIT: _l("Your booking “%(title)s” was cancelled: the school is closed (%(closure)s)"),
    NotificationKind.WAITLIST_OFFERED: _l("A time you waited for is free: %(place)s"),
    NotificationKind.WAITLIST_BOOKED: _l("You got the time you waited for: “%(title)s”"),
    NotificationKind.REMINDER: _l("Reminder: “%(title)s” starts at %(clock)s"),
}
# The visiting teacher of a lesson someone else booked (params["as_teacher"]).
LESSON_HEADLINES = {
    NotificationKind.APPROVED: _l("You have a new lesson to teach: “%(title)s”"),
    NotificationKind.CANCELLED: _l("Your lesson “%(title)s” was cancelled by %(actor)s"),
    NotificationKind.CHANGED: _l("Your lesson “%(title)s” was changed by %(actor)s"),
    NotificationKind.RELEASED: _l("Your lesson “%(title)s” was released: nobody checked in"),
    NotificationKind.CLOSURE_HIT: _l("Your lesson “%(title)s” was cancelled: the school is closed (%(closure)s)"),
}
CLOSURE_KEPT = _l("Your booking “%(title)s” falls on a closure (%(closure)s) and was kept")
KIND_LABELS = {
    NotificationKind.APPROVED: _l("Approved"), NotificationKind.REJECTED: _l("Rejected"),
    NotificationKind.DISPLACED: _l("Declined"), NotificationKind.CANCELLED: _l("Cancelled"),
    NotificationKind.CHANGED: _l("Changed"), NotificationKind.RELEASED: _l("Released as a no-show"),
    NotificationKind.CLOSURE_HIT: _l("Closure"), NotificationKind.WAITLIST_OFFERED: _l("Waitlist offer"),
    NotificationKind.WAITLIST_BOOKED: _l("Waitlist booking"), NotificationKind.REMINDER: _l("Reminder"),
}


def _instant(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def when_text(params: dict) -> str:
    start, end = _instant(params.get("starts_at")), _instant(params.get("ends_at"))
    if start is None:
        return ""
    text = format_moment(start)
    return f"{text}–{local_clock(end)}" if end else text


def headline(kind: NotificationKind, params: dict, clean: Callable[[str], str] = str) -> str:
    values = {
        "title": clean(params.get("title") or str(_l("booking"))),
        "actor": clean(params.get("actor") or str(_l("someone else"))),
        "closure": clean(params.get("closure") or ""),
        "place": clean(params.get("place") or ""),
        "clock": local_clock(_instant(params.get("starts_at"))),
    }
    if kind == NotificationKind.CLOSURE_HIT and params.get("action") == "kept":
        template = CLOSURE_KEPT
    elif params.get("as_teacher") and kind in LESSON_HEADLINES:
        template = LESSON_HEADLINES[kind]
    else:
        template = HEADLINES[kind]
    text = str(template) % values
    count = params.get("count") or 1
    if isinstance(count, int) and count > 1:
        text += str(_l(" (%(n)d dates)", n=count))
    return text


def detail_lines(params: dict, clean: Callable[[str], str] = str) -> list[str]:
    lines = []
    if params.get("place"):
        lines.append(str(_l("Where: %(place)s", place=clean(params["place"]))))
    when = when_text(params)
    if when:
        lines.append(str(_l("When: %(when)s", when=when)))
    if params.get("reason"):
        lines.append(str(_l("Reason: %(reason)s", reason=clean(params["reason"]))))
    expires = _instant(params.get("expires_at"))
    if expires is not None:
        lines.append(str(_l("The offer is open until %(when)s",
                            when=format_moment(expires))))
    return lines
