"""The school admin's part: their school's lending and borrowing yesterday (or last week), and
the requests for their school's resources that wait for their answer."""
from __future__ import annotations


from booking.accounts.models import Role
from booking.bookings.models import Booking
from booking.i18n import format_day
from booking.digests.content import DigestWindow, Section
from booking.digests.figures import DigestRun
from booking.digests.formatting import class_text, external_url, place_text, span_text, table, when_text
from booking.reports.access import Flows
from booking.reports.tables import HOURS, INT, Column
from booking.reports.bases import Basis, labelled
from booking.texts import lazy_gettext as _l


def sharing_rows(flows: Flows, school_id: int) -> list[list]:
    """[direction, other school, delivered hours, no-show hours, bookings] for each school ours lent to or
    borrowed from (the past window: nothing planned is left in it but bookings still running)."""
    names = {school.id: school.name for school in flows.schools}
    rows = []
    for (booker, owner), bases in sorted(flows.cells.items(), key=lambda item: -item[1].booked.seconds):
        if booker == owner or bases.booked.seconds == 0:
            continue
        figures = [bases.delivered.hours, bases.no_show.hours, bases.booked.bookings]
        if owner == school_id:
            rows.append([str(_l("Lent to")), names.get(booker, ""), *figures])
        elif booker == school_id:
            rows.append([str(_l("Borrowed from")), names.get(owner, ""), *figures])
    return rows


def sharing_section(run: DigestRun, user, window: DigestWindow) -> Section | None:
    first, last = window.past
    rows = sharing_rows(run.school_flows(user.school_id, window.past), user.school_id)
    if not rows:
        return None
    columns = [Column("direction", _l("Direction")), Column("school", _l("School")),
               Column("hours", labelled(_l("Hours of use"), Basis.DELIVERED), HOURS),
               Column("no_show", labelled(_l("Hours of use"), Basis.NO_SHOW), HOURS),
               Column("bookings", _l("Bookings"), INT)]
    shown, more = table(columns, rows)
    title = _l("%(school)s lending and borrowing, %(days)s", school=user.school.name, days=span_text(first, last))
    return Section("school_sharing", str(title), table=shown, more=more)


def request_rows(requests: list[Booking]) -> list[list]:
    return [[when_text(b), place_text(b), f"{b.school.name} · {class_text(b)}", b.booked_by.display_name,
             format_day(b.created_at)] for b in requests]


REQUEST_COLUMNS = [Column("when", _l("When")), Column("where", _l("Resource")), Column("class", _l("Class")),
                   Column("by", _l("Requested by")), Column("since", _l("Waiting since"))]


def approvals_link() -> tuple[str, str]:
    return str(_l("Answer requests")), external_url("bookings.approvals")


def requests_section(key: str, requests: list, title=None) -> Section | None:
    """A table of requests with the link to answer them (None: there are none); the title says how many
    wait for the reader's answer, unless given."""
    if not requests:
        return None
    shown, more = table(REQUEST_COLUMNS, request_rows(requests))
    title = title or _l("Requests waiting for your answer: %(n)d", n=len(requests))
    return Section(key, str(title), table=shown, more=more, link=approvals_link())


def waiting_section(run: DigestRun, user) -> Section | None:
    return requests_section("school_waiting", run.waiting_for_school(user.school_id))


def school_admin_sections(run: DigestRun, user, window: DigestWindow) -> list[Section]:
    if user.role != Role.SCHOOL_ADMIN or user.school_id is None:
        return []
    return [s for s in (sharing_section(run, user, window), waiting_section(run, user)) if s]
