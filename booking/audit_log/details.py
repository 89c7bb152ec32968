"""An audit entry's details as a reader says them: the keys in the reader's language, instants in the
district's local time, codes by their names, schools and resources by name.

The details are stored as the services wrote them (``{"resource_id": 1, "status": "confirmed", "start":
"2026-12-07T02:00:00+00:00"}``), which reads as code; this module turns them into ``[(label, text), …]``
(资源：实验室 · 状态：已确认 · 开始：2026年12月7日 10:00). It only formats: the names come from the caller
(``Names``), so it reads no database. An unknown key or value is shown as stored, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from booking.accounts.models import Role
from booking.bookings.web.forms import CANCEL_SCOPES
from booking.bookings.web.labels import STATUS_LABELS
from booking.i18n import enumeration, format_day, format_moment
from booking.labels import label
from booking.resources.models import Category
from booking.texts import lazy_gettext as _l

LABELS = {
    "status": _l("Status"), "start": _l("Start"), "starts": _l("Start"), "end": _l("End"), "ends": _l("End"),
    "day": _l("Date"), "scope": _l("Which"), "reason": _l("Reason"), "note": _l("Note"), "because": _l("Because of"),
    "by": _l("By booking"), "resource_id": _l("Resource"), "school_id": _l("School"), "term_id": _l("Term"),
    "district_id": _l("District"), "round_id": _l("Allocation round"), "quota_id": _l("Quota"),
    "booking_id": _l("Booking"), "ids": _l("Booking numbers"), "booking_ids": _l("Booking numbers"),
    "cancelled_ids": _l("Cancelled bookings"), "confirmed_ids": _l("Confirmed bookings"),
    "affected_ids": _l("Bookings affected"), "rejected": _l("Rejected bookings"), "name": _l("Name"),
    "email": _l("Email"), "role": _l("Role"), "code": _l("Code"), "provider": _l("Sign-in provider"),
    "subject": _l("Account at the provider"), "how": _l("How"), "via": _l("Through"), "from": _l("From"),
    "to": _l("To"), "before": _l("Before"), "after": _l("After"), "changes": _l("Values"),
    "enabled": _l("Switched on"), "active": _l("Active"), "kind": _l("Kind"), "url": _l("Address"),
    "target_id": _l("Of"), "file": _l("File"), "count": _l("Count"), "rows": _l("Rows"), "keys": _l("Entries"),
    "import": _l("From a calendar import"), "source_uid": _l("Calendar entry"), "weekday": _l("Weekday"),
    "follows_weekday": _l("Follows the timetable of"), "periods": _l("Periods"), "minutes": _l("Minutes"),
    "hours": _l("Hours per school a term"), "owner_hours": _l("Owner school's hours"),
    "hours_per_100": _l("Hours per 100 students"),
    "extra_hours": _l("Extra hours"), "owner_days": _l("Owner school's days ahead"),
    "weak_days": _l("Disadvantaged schools' days ahead"), "other_days": _l("Other schools' days ahead"),
    "deadline": _l("Deadline"), "expires": _l("Expires"), "released_at": _l("Released at"),
    "checked_in_at": _l("Checked in at"), "reminder_minutes": _l("Reminder (minutes before)"),
    "auto_confirm": _l("Confirmed without approval"), "on_bookings": _l("Bookings in the way"),
    "slots": _l("Times asked for"), "requests": _l("Requests"), "served": _l("Requests served"),
    "lessons": _l("Lessons"), "digest": _l("Plan"), "cv_fcfs": _l("CV first come, first served"),
    "cv_after": _l("CV after the round"), "users": _l("Accounts"), "schools": _l("Schools"),
    "resources": _l("Resources"), "bookings": _l("Bookings"),
}

# Codes that are stored by value, under the key they are stored with: what they are called.
VALUE_LABELS = {
    "status": {status.value: text for status, text in STATUS_LABELS.items()},
    "role": {role.value: label(role) for role in Role},
    "scope": {**dict(CANCEL_SCOPES), "district": _l("The whole district")},
    "on_bookings": {"cancel": _l("Cancelled them"), "keep": _l("Kept them")},
}
# key → the ``Names`` field
NAMED_IDS = {"resource_id": "resources", "school_id": "schools", "term_id": "terms", "district_id": "districts"}
ID_LISTS = {"ids", "booking_ids", "cancelled_ids", "confirmed_ids", "affected_ids", "rejected"}
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")
DAY = re.compile(r"\d{4}-\d\d-\d\d$")
CATEGORY_CODES = {category.value for category in Category}


@dataclass(frozen=True)
class Names:
    """What ids are called, as the page already read them: school, resource, term and district names by id,
    action names."""

    schools: dict[int, str] = field(default_factory=dict)
    resources: dict[int, str] = field(default_factory=dict)
    action: object = None  # action code → its name (``describe.action_name``)
    terms: dict[int, str] = field(default_factory=dict)
    districts: dict[int, str] = field(default_factory=dict)


def detail_lines(details: dict | None, names: Names, skip: frozenset = frozenset()) -> list[tuple[str, str]]:
    """``[(label, text), …]`` for ``details`` in their stored order, leaving out the keys in ``skip``."""
    return [(str(LABELS.get(key, key)), value_text(key, value, names))
            for key, value in (details or {}).items() if key not in skip]


def value_text(key: str, value, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in ID_LISTS and isinstance(value, list):
        return enumeration(f"#{item}" for item in value) or "—"
    if isinstance(value, list):
        return enumeration(value_text("", item, names) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{label_}: {text}" for label_, text in detail_lines(value, names))
    if key in NAMED_IDS:
        return getattr(names, NAMED_IDS[key]).get(value, f"#{value}")
    if key == "because" and names.action is not None:
        return names.action(value)
    if key == "scope" and isinstance(value, str) and ":" in value:  # a quota's or window's: category:lab, resource:12
        return _scope_text(value, names)
    if isinstance(value, str):
        return _string_text(key, value)
    return str(value)


def _scope_text(value: str, names: Names) -> str:
    level, _sep, code = value.partition(":")
    if level == "category" and code in CATEGORY_CODES:
        return _("Category: %(name)s", name=label(Category(code)))
    if level == "resource" and code.isdigit() and int(code) in names.resources:
        return names.resources[int(code)]
    return value


def _string_text(key: str, value: str) -> str:
    known = VALUE_LABELS.get(key, {}).get(value)
    if known is not None:
        return str(known)
    try:
        if INSTANT.match(value):
            return format_moment(datetime.fromisoformat(value.replace("Z", "+00:00")))
        if DAY.match(value):
            return format_day(date.fromisoformat(value))
    except ValueError:  # shaped like a date but none (2026-02-30): shown as stored
        pass
    return value
