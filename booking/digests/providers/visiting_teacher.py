"""The visiting teacher's part: the itinerary of tomorrow (or of the coming week), school by school
with the trips in between. The 06:30 itinerary (``booking.digests.itinerary``) sends the same
section for the day itself.
"""
from __future__ import annotations

from datetime import date


from booking.i18n import format_day, local_clock
from booking.digests.content import DigestWindow, Section
from booking.digests.figures import DigestRun
from booking.digests.formatting import external_url, span_text, table
from booking.digests.models import DigestKind
from booking.reports.tables import Column
from booking.teachers.itinerary import DayPlan, Leg, itinerary
from booking.teachers.lessons import LESSON_KIND_LABELS
from booking.teachers.profiles import profile_of_user
from booking.texts import lazy_gettext as _l

COLUMNS = [Column("when", _l("When")), Column("where", _l("Where")), Column("what", _l("What"))]
ROWS_SHOWN = 30  # a week of lessons and trips


def _leg_row(leg: Leg, day_prefix: str) -> list[str]:
    when = str(_l("leave by %(time)s", time=local_clock(leg.leave_by))) if leg.leave_by else ""
    what = (str(_l("%(n)d minutes on the road", n=leg.minutes)) if leg.minutes is not None
            else str(_l("travel time unknown")))
    return [f"{day_prefix}{when}", f"{leg.origin.name} → {leg.destination.name}", what]


def _stop_row(stop, day_prefix: str) -> list[str]:
    when = f"{day_prefix}{local_clock(stop.start)}–{local_clock(stop.end)}"
    if stop.booking is None:
        what = _l("Home-school timetable: %(what)s", what=stop.note) if stop.note else _l("Home-school timetable")
        return [when, stop.school.name, str(what)]
    booking = stop.booking
    parts = [booking.title, booking.class_name, str(LESSON_KIND_LABELS.get(booking.lesson_kind, ""))]
    if stop.pending:
        parts.append(str(_l("Waiting for approval")))
    return [when, stop.school.name, " · ".join(part for part in parts if part)]


def itinerary_rows(plans: list[DayPlan], with_dates: bool) -> list[list[str]]:
    rows = []
    for plan in plans:
        prefix = f"{format_day(plan.day)} " if with_dates else ""
        for item in plan.items:
            rows.append(_leg_row(item, prefix) if isinstance(item, Leg) else _stop_row(item, prefix))
    return rows


def itinerary_section(key: str, title: str, plans: list[DayPlan], with_dates: bool) -> Section | None:
    """The plans' lessons and trips as one section; None when no day has a lesson away from home."""
    plans = [plan for plan in plans if plan.lessons]
    if not plans:
        return None
    shown, more = table(COLUMNS, itinerary_rows(plans, with_dates), limit=ROWS_SHOWN)
    lines = [str(_l("Start at %(school)s (home school)", school=plans[0].home.name))]
    return Section(key, title, lines=lines, table=shown, more=more,
                   link=(str(_l("Today's itinerary")), external_url("teachers.today")))


def day_count(first: date, last: date) -> int:
    return (last - first).days + 1


def visiting_teacher_sections(run: DigestRun, user, window: DigestWindow) -> list[Section]:
    profile = profile_of_user(user.id)
    if profile is None:
        return []
    first, last = window.ahead
    daily = window.kind == DigestKind.DAILY
    title = (_l("Your itinerary tomorrow, %(day)s", day=span_text(first, last)) if daily
             else _l("Your itinerary in the coming week, %(days)s", days=span_text(first, last)))
    section = itinerary_section("visiting_teacher_itinerary", str(title),
                                itinerary(profile, first, day_count(first, last)), with_dates=not daily)
    return [section] if section else []
