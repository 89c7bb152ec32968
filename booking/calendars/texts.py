"""The words of a calendar event, in the feed owner's language, and how much the owner may read.

A booking's details (class, purpose, who booked it) are shown to the people who may see them in
the application; everyone else subscribed to a resource or school sees that the time is taken and
by which school.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from flask import current_app, url_for
from flask_babel import gettext as _

from booking.calendars.ical import EventText
from booking.calendars.shaping import BUSY, FULL, BookingFacts
from booking.permissions import can_manage_school


def uid_domain() -> str:
    """The right-hand side of every UID: stable per installation, never the same for two of them.

    ``CALENDAR_UID_DOMAIN`` sets it; otherwise it is derived from the secret key (one-way), so
    two districts' feeds in one calendar app cannot collide.
    """
    configured = current_app.config.get("CALENDAR_UID_DOMAIN")
    if configured:
        return configured
    tag = hashlib.sha256(f"calendar-uid:{current_app.config['SECRET_KEY']}".encode()).hexdigest()[:12]
    return f"{tag}.district-share"


def details_visible(viewer, row: BookingFacts) -> bool:
    """The booker, their school's people, admins of either school, and coordinators read details."""
    return (row.booked_by_id == viewer.id or viewer.school_id == row.school_id
            or can_manage_school(viewer, row.school_id) or can_manage_school(viewer, row.owner_school_id))


def detail_for(viewer) -> Callable[[BookingFacts], str]:
    return lambda row: FULL if details_visible(viewer, row) else BUSY


def _location(row: BookingFacts) -> str:
    # A visiting teacher goes to the class's school; a room stays where it is.
    if row.resource_kind == "teacher":
        return row.school_name
    return " · ".join(part for part in (row.owner_school_name, row.resource_location or row.resource_name) if part)


class Wording:
    """SUMMARY (resource and purpose), LOCATION (school, room), DESCRIPTION (class, booker, link).

    Made once per feed: the templates are translated here, and each resource's link is built once,
    because gettext and url_for for every one of thousands of events would cost more than the rest.
    """

    def __init__(self):
        # gettext without arguments gives the translated template; it is filled in per event.
        self.busy = _("%(resource)s · booked by %(school)s")
        self.class_line = _("Class: %(name)s")
        self.booker_line = _("Booked by: %(person)s (%(school)s)")
        self.pending_line = _("Waiting for approval.")
        self._links: dict[int, str] = {}

    def link(self, resource_id: int) -> str:
        if resource_id not in self._links:
            self._links[resource_id] = url_for("resources.show_resource", resource_id=resource_id, _external=True)
        return self._links[resource_id]

    def __call__(self, row: BookingFacts, detail: str) -> EventText:
        link = self.link(row.resource_id)
        if detail == BUSY:
            summary = self.busy % {"resource": row.resource_name, "school": row.school_name}
            return EventText(summary, _location(row), link, link)
        lines = [self.class_line % {"name": row.class_name}] if row.class_name else []
        lines.append(self.booker_line % {"person": row.booker_name, "school": row.school_name})
        if row.status == "pending":
            lines.append(self.pending_line)
        lines.append(link)
        return EventText(f"{row.resource_name} · {row.title}", _location(row), "\n".join(lines), link)
