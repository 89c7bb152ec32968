"""The coordinator's part: the district yesterday (hours by category and by school), the equity
highlights of the term so far, requests waiting more than 24 hours, no-shows, and the visiting
teachers' mandates that are behind schedule.

The equity highlights are context: they come with the news, never alone.
"""
from __future__ import annotations

from booking.accounts.models import Role
from booking.digests.content import DigestWindow, Section
from booking.digests.figures import DistrictFigures, DigestRun
from booking.digests.formatting import class_text, external_url, number, place_text, span_text, table, when_text
from booking.digests.providers.school_admin import requests_section
from booking.labels import label
from booking.reports.access import MAIN, Access, Scope
from booking.reports.bases import Basis, labelled
from booking.reports.queries import OWN
from booking.reports.tables import HOURS, PERCENT, RATIO, Column
from booking.permissions import can_manage_district, can_manage_school
from booking.schools.services import current_term, list_schools
from booking.teachers.mandates import line_label, mandate_progress
from booking.texts import lazy_gettext as _l

FURTHEST_BELOW_SHOWN = 3


def usage_section(figures: DistrictFigures, window: DigestWindow) -> Section | None:
    total = figures.usage.total
    if not total.hours.booked.seconds:
        return None
    columns = [Column("category", _l("Category")), Column("delivered", labelled(_l("Hours of use"), Basis.DELIVERED), HOURS),
               Column("no_show", labelled(_l("Hours of use"), Basis.NO_SHOW), HOURS),
               Column("utilisation", labelled(_l("Utilisation of teaching periods"), Basis.DELIVERED), PERCENT)]
    rows = [[str(label(row.category)), row.hours.delivered.hours, row.hours.no_show.hours,
             row.period_utilisation(Basis.DELIVERED)]
            for row in figures.usage.by_category if row.hours.booked.seconds]
    shown, more = table(columns, rows, limit=len(rows))
    lines = [str(_l("%(hours)s hours delivered across the district (%(no_show)s no-show); utilisation of teaching "
                    "periods %(share)s (delivered).", hours=number(total.hours.delivered.hours, HOURS),
                    no_show=number(total.hours.no_show.hours, HOURS),
                    share=number(total.period_utilisation(Basis.DELIVERED), PERCENT)))]
    title = _l("The district, %(days)s: hours by category", days=span_text(*window.past))
    return Section("district_usage", str(title), lines=lines, table=shown, more=more,
                   link=(str(_l("Open the reports")), external_url("reports.dashboard")))


def schools_section(figures: DistrictFigures, window: DigestWindow) -> Section | None:
    received = sorted((row for row in figures.access.schools if row.value(scope=Scope.TOTAL) > 0),
                      key=lambda row: -row.value(scope=Scope.TOTAL))
    if not received:
        return None
    columns = [Column("school", _l("School")), Column("own", labelled(_l("Own use, hours"), Basis.DELIVERED), HOURS),
               Column("shared", labelled(_l("Shared access, hours"), Basis.DELIVERED), HOURS),
               Column("per_100", labelled(_l("Shared access per 100 students"), Basis.DELIVERED), HOURS)]
    shown, more = table(columns, [[row.school.name, row.source_hours(OWN), row.value(), row.per_100()]
                                  for row in received])
    title = _l("The district, %(days)s: hours by school", days=span_text(*window.past))
    return Section("district_schools", str(title), table=shown, more=more)


def _verdict(passes: bool) -> str:
    return str(_l("passes") if passes else _l("does not pass"))


def equity_lines(equity: Access) -> list[str]:
    """The weighted CV of shared and total access (delivered) against each stage's pass mark, then the
    schools furthest below and the ones living on their own use."""
    lines = []
    for group in equity.groups:
        main = group.main
        if group.threshold is None or main.shared.figures.cv_weighted is None:
            continue
        lines.append(str(_l("%(stage)s (delivered): weighted CV of shared access %(cv)s, of total access %(total)s, "
                            "against the pass mark %(mark)s: shared access %(verdict)s.",
                            stage=label(group.stage), cv=number(main.shared.figures.cv_weighted, RATIO),
                            total=number(main.total.figures.cv_weighted, RATIO),
                            mark=number(group.threshold, RATIO), verdict=_verdict(main.shared.passes))))
    for row in equity.under_served[:FURTHEST_BELOW_SHOWN]:
        lines.append(str(_l("%(school)s received %(share)s of its stage's level of shared access (%(hours)s hours "
                            "short, delivered).", school=row.school.name, share=number(row.share_of_level, PERCENT),
                            hours=number(row.gaps[(MAIN.key, Scope.SHARED)], HOURS))))
    for row in equity.own_use_only[:FURTHEST_BELOW_SHOWN]:
        lines.append(str(_l("%(school)s is above the level on its own use but received almost nothing from other "
                            "schools.", school=row.school.name)))
    return lines


def equity_section(figures: DistrictFigures) -> Section | None:
    lines = equity_lines(figures.equity)
    if not lines:
        return None
    title = _l("Equity so far this term, %(days)s", days=span_text(*figures.equity_span))
    return Section("district_equity", str(title), lines=lines, news=False,
                   link=(str(_l("Open the equity report")), external_url("reports.dashboard")))


def waiting_section(figures: DistrictFigures) -> Section | None:
    title = _l("Requests waiting more than 24 hours: %(n)d", n=len(figures.waiting_long))
    return requests_section("district_waiting", figures.waiting_long, title)


def no_show_section(figures: DistrictFigures, window: DigestWindow) -> Section | None:
    if not figures.no_shows:
        return None
    columns = [Column("when", _l("When")), Column("where", _l("Resource")), Column("class", _l("Class")),
               Column("by", _l("Booked by"))]
    rows = [[when_text(b), place_text(b), f"{b.school.name} · {class_text(b)}", b.booked_by.display_name]
            for b in figures.no_shows]
    shown, more = table(columns, rows)
    title = _l("No-shows, %(days)s: %(n)d", days=span_text(*window.past), n=len(figures.no_shows))
    return Section("district_no_shows", str(title), table=shown, more=more)


def mandates_section(window: DigestWindow) -> Section | None:
    """News when a tied school is behind on a mandate for the share of the term that has passed."""
    term = current_term(window.digest_date)
    if term is None or term.start_date > window.digest_date:
        return None
    progress = mandate_progress(term, today=window.digest_date)
    if not progress.behind_rows:
        return None
    columns = [Column("school", _l("Tied school")), Column("behind", _l("Behind schedule"))]
    rows = [[row.school.name, "; ".join(
        str(_l("%(mandate)s %(delivered)d of %(required)d delivered", mandate=line_label(cell.line),
               delivered=cell.delivered, required=cell.line.required))
        for cell in row.cells if cell.status == "behind")] for row in progress.behind_rows]
    shown, more = table(columns, rows)
    lines = [str(_l("%(share)s of %(term)s has passed.", share=number(progress.elapsed, PERCENT), term=term.name))]
    title = _l("Visiting-teacher mandates behind schedule: %(n)d tied schools", n=len(progress.behind_rows))
    return Section("district_mandates", str(title), lines=lines, table=shown, more=more,
                   link=(str(_l("Open the mandate progress")), external_url("teachers.mandates")))


def area_waiting_section(run: DigestRun, user) -> Section | None:
    """An area coordinator's digest: the requests for their area's resources, not the district's figures."""
    requests = sorted((b for school in list_schools() if can_manage_school(user, school.id)
                       for b in run.waiting_for_school(school.id)), key=lambda b: (b.starts_at, b.id))
    return requests_section("area_waiting", requests)


def coordinator_sections(run: DigestRun, user, window: DigestWindow) -> list[Section]:
    if user.role != Role.COORDINATOR:
        return []
    if not can_manage_district(user):
        return [s for s in (area_waiting_section(run, user),) if s]
    figures = run.district(window.past)
    sections = (usage_section(figures, window), schools_section(figures, window), equity_section(figures),
                waiting_section(figures), no_show_section(figures, window), mandates_section(window))
    return [s for s in sections if s]
