"""An audit entry in words: the action's name in the reader's language, its details as text, its CSV row.

Actions without a name here show their code (``resource.update``); details are shown as
``key: value`` text, never as markup (the templates escape it, the CSV guards formulas).
"""
from __future__ import annotations

import json

from flask_babel import gettext as _

from booking.audit.models import AuditEntry
from booking.i18n import to_local
from booking.texts import lazy_gettext as _l

ACTION_NAMES = {
    "booking.create": _l("Booked"),
    "series.create": _l("Booked a series"),
    "booking.approve": _l("Approved"),
    "booking.reject": _l("Rejected"),
    "booking.displace": _l("Rejected: another request was approved"),
    "booking.cancel": _l("Cancelled"),
    "booking.change": _l("Changed"),
    "booking.outcome": _l("Outcome recorded"),
    "booking.outcome.correct": _l("Outcome corrected"),
    "booking.check_in": _l("Checked in"),
    "booking.release": _l("Released (nobody checked in)"),
    "booking.expire": _l("Expired unanswered"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def details_text(details: dict | None) -> str:
    """``{"scope": "series", "ids": [3, 4]}`` → ``scope: series; ids: [3, 4]``."""
    parts = []
    for key, value in (details or {}).items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def actor_name(entry: AuditEntry) -> str:
    if entry.actor is None:
        return _("System") if entry.actor_id is None else _("Deleted account #%(id)s", id=entry.actor_id)
    return entry.actor.display_name


def csv_header() -> list[str]:
    return [_("Time"), _("Person"), _("Email"), _("Action"), _("Action code"), _("What"), _("Booking numbers"),
            _("School"), _("Resource"), _("Client address"), _("Browser"), _("What changed")]


def csv_row(entry: AuditEntry, schools: dict[int, str], resources: dict[int, str]) -> list:
    return [to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"), actor_name(entry),
            entry.actor.email if entry.actor else "", action_name(entry.action), entry.action,
            f"{entry.entity_type} {entry.entity_id or ''}".strip(), " ".join(str(i) for i in entry.booking_ids),
            schools.get(entry.school_id, ""), resources.get(entry.resource_id, ""), entry.client_address,
            entry.user_agent, details_text(entry.details)]
