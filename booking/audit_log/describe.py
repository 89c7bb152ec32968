"""An audit entry in words: the action's name in the reader's language, its details as text, its CSV row.

Every action has a name here (a test reads the code for the actions it records); an unknown one
shows its code (``resource.update``), as does an unknown entity type; details are said by
``audit_log.details``, as text, never as markup (the templates escape it, the CSV guards formulas).
"""
from __future__ import annotations

from flask_babel import gettext as _

from booking.audit.models import AuditEntry
from booking.audit_log.details import Names, detail_lines
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
    "waitlist.join": _l("Joined the waitlist"),
    "waitlist.leave": _l("Left the waitlist"),
    "waitlist.offer": _l("Waitlist: time offered"),
    "waitlist.accept": _l("Waitlist: offer accepted"),
    "waitlist.booked": _l("Waitlist: booked"),
    "waitlist.lapse": _l("Waitlist: offer lapsed"),
    "allocation.open": _l("Allocation round opened"),
    "allocation.request": _l("Allocation request"),
    "allocation.commit": _l("Allocation round committed"),
    "mandate_plan.commit": _l("Mandate plan booked"),
    "mandates.update": _l("Mandates changed"),
    "resource.create": _l("Resource added"),
    "resource.update": _l("Resource changed"),
    "resource.archive": _l("Resource archived"),
    "resource.restore": _l("Resource restored"),
    "resource.check_in": _l("Check-in setting changed"),
    "blackout.create": _l("Blackout added"),
    "blackout.delete": _l("Blackout deleted"),
    "school.create": _l("School added"),
    "school.update": _l("School changed"),
    "school.activate": _l("School reactivated"),
    "school.deactivate": _l("School deactivated"),
    "bells.replace": _l("Bell periods changed"),
    "travel.update": _l("Travel times changed"),
    "term.create": _l("Term added"),
    "term.update": _l("Term changed"),
    "term.delete": _l("Term deleted"),
    "closure.create": _l("Closure added"),
    "closure.update": _l("Closure changed"),
    "closure.delete": _l("Closure deleted"),
    "makeup_day.create": _l("Make-up day added"),
    "makeup_day.update": _l("Make-up day changed"),
    "makeup_day.delete": _l("Make-up day deleted"),
    "quota.set": _l("Quota set"),
    "quota.delete": _l("Quota removed"),
    "quota.exception": _l("Quota exception granted"),
    "window.set": _l("Booking window set"),
    "window.delete": _l("Booking window removed"),
    "teacher.create": _l("Visiting teacher added"),
    "teacher.update": _l("Visiting teacher changed"),
    "teacher.busy.add": _l("Busy time added"),
    "teacher.busy.remove": _l("Busy time removed"),
    "teacher.busy.import": _l("Busy times imported"),
    "teacher.settings": _l("Visiting settings changed"),
    "import.users": _l("Users imported"),
    "import.schools": _l("Schools imported"),
    "import.resources": _l("Resources imported"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.password_change": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.sso_login": _l("Signed in through single sign-on"),
    "user.sso_logout": _l("Signed out through single sign-on"),
    "user.sso_refused": _l("Single sign-on refused"),
    "token.issue": _l("API token issued"),
    "token.revoke": _l("API token revoked"),
    "feed.create": _l("Calendar feed created"),
    "feed.revoke": _l("Calendar feed revoked"),
    "digest.frequency": _l("Digest frequency changed"),
    "notifications.settings": _l("Notification settings changed"),
    "notifications.robot_added": _l("Group chat robot added"),
    "notifications.robot_removed": _l("Group chat robot removed"),
    "demo.seed": _l("Demo data loaded"),
}

# What an entry is about, by the model's class name as stored in ``entity_type``.
ENTITY_NAMES = {
    "Booking": _l("Booking"),
    "BookingSeries": _l("Booking series"),
    "WaitlistEntry": _l("Waitlist place"),
    "AllocationRound": _l("Allocation round"),
    "AllocationRequest": _l("Allocation request"),
    "Resource": _l("Resource"),
    "ResourceBlackout": _l("Blackout"),
    "School": _l("School"),
    "District": _l("District"),
    "TravelTime": _l("Travel times"),
    "Term": _l("Term"),
    "Closure": _l("Closure"),
    "MakeupDay": _l("Make-up day"),
    "TermQuota": _l("Quota"),
    "QuotaException": _l("Quota exception"),
    "BookingWindow": _l("Booking window"),
    "TeacherProfile": _l("Visiting teacher"),
    "Import": _l("Import"),
    "User": _l("Account"),
    "ExternalIdentity": _l("Single sign-on account"),
    "ApiToken": _l("API token"),
    "FeedToken": _l("Calendar feed"),
    "NotificationRobot": _l("Group chat robot"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def entity_name(entity_type: str) -> str:
    return str(ENTITY_NAMES[entity_type]) if entity_type in ENTITY_NAMES else entity_type


def entry_details(entry: AuditEntry, schools: dict[int, str], resources: dict[int, str],
                  terms: dict[int, str] | None = None, districts: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """The entry's details in words (``audit_log.details``); booking numbers are left to the "What" column."""
    skip = frozenset({"ids"}) if entry.booking_ids else frozenset()
    return detail_lines(entry.details, Names(schools, resources, action_name, terms or {}, districts or {}), skip)


def actor_name(entry: AuditEntry) -> str:
    if entry.actor is None:
        return _("System") if entry.actor_id is None else _("Deleted account #%(id)s", id=entry.actor_id)
    return entry.actor.display_name


def csv_header() -> list[str]:
    return [_("Time"), _("Person"), _("Email"), _("Action"), _("Action code"), _("What"), _("Booking numbers"),
            _("School"), _("Resource"), _("Client address"), _("Browser"), _("What changed")]


def csv_row(entry: AuditEntry, schools: dict[int, str], resources: dict[int, str],
            terms: dict[int, str] | None = None, districts: dict[int, str] | None = None) -> list:
    return [to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"), actor_name(entry),
            entry.actor.email if entry.actor else "", action_name(entry.action), entry.action,
            f"{entity_name(entry.entity_type)} {entry.entity_id or ''}".strip(), " ".join(str(i) for i in entry.booking_ids),
            schools.get(entry.school_id, ""), resources.get(entry.resource_id, ""), entry.client_address,
            entry.user_agent, "; ".join(f"{key}: {text}" for key, text in entry_details(entry, schools, resources, terms,
                                                                                     districts))]
