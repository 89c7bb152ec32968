"""Every table of the dashboard, built from the report's figures (see ``tables`` for the shape).

Every column that counts hours says its basis (delivered, planned, no-show or booked = all three),
so a table read on its own, exported or printed, cannot be mistaken for another basis.
"""
from __future__ import annotations

from booking.i18n import format_days
from booking.labels import WEEKDAYS, label
from booking.reports.access import MAIN, SCOPE_LABELS, Access, Flows, Scope
from booking.reports.activity import Activity
from booking.reports.bases import Basis, labelled
from booking.reports.tables import FLAG, HOURS, INT, PERCENT, RATIO, Cell, Column, Table
from booking.reports.utilisation import Utilisation, UtilisationRow
from booking.texts import lazy_gettext as _l

DELIVERED, PLANNED, NO_SHOW = Basis.DELIVERED, Basis.PLANNED, Basis.NO_SHOW
BOOKED = _l("booked: delivered + planned + no-show")


# Each table's title by key: the dashboard names the tables without building them.
TITLES = {
    "summary": _l("Headline figures"),
    "utilisation_categories": _l("Utilisation by category"),
    "utilisation_schools": _l("Utilisation by owner school"),
    "utilisation_resources": _l("Utilisation by resource"),
    "heatmap": labelled(_l("Hours by weekday and period"), DELIVERED),
    "trend": _l("Hours by week"),
    "flow_matrix": labelled(_l("Sharing flows: hours by booking school and providing school"), DELIVERED),
    "flow_schools": _l("Which schools lend and which borrow"),
    "access_schools": _l("Access per school: compulsory education"),
    "access_kindergartens": _l("Access per kindergarten (outside compulsory education)"),
    "equity": labelled(_l("Dispersion across schools: shared and total access"), DELIVERED),
    "under_served": _l("Schools below their stage's level of shared access"),
    "own_use_only": _l("Schools above the level on their own use, with almost no shared access"),
}


def _booked(text):
    return _l("%(name)s (%(basis)s)", name=text, basis=BOOKED)


USAGE_COLUMNS = [
    Column("teaching_hours", _l("Teaching hours (bell periods)"), HOURS),
    Column("period_utilisation", _booked(_l("Utilisation of teaching periods")), PERCENT),
    Column("delivered_period_utilisation", labelled(_l("Utilisation of teaching periods"), DELIVERED), PERCENT),
    Column("bookable_hours", _l("Hours open"), HOURS),
    Column("opening_utilisation", _booked(_l("Utilisation of opening hours")), PERCENT),
    Column("delivered_hours", labelled(_l("Hours of use"), DELIVERED), HOURS),
    Column("planned_hours", labelled(_l("Hours of use"), PLANNED), HOURS),
    Column("no_show_hours", labelled(_l("Hours of use"), NO_SHOW), HOURS),
    Column("no_show_rate", _l("No-show rate (of ended hours)"), PERCENT),
    Column("cross_share", labelled(_l("Used by other schools"), DELIVERED), PERCENT),
]


def _usage_cells(row: UtilisationRow, link) -> list:
    hours = row.hours
    return [row.teaching_hours, row.period_utilisation(), row.period_utilisation(DELIVERED), row.bookable_hours,
            row.utilisation, Cell(hours.delivered.hours, link(DELIVERED)), Cell(hours.planned.hours, link(PLANNED)),
            Cell(hours.no_show.hours, link(NO_SHOW)), hours.no_show_rate, hours.delivered.cross_share]


def _no_link(_basis):
    return None


def utilisation_tables(figures: Utilisation, links) -> list[Table]:
    total = [str(_l("Total"))] + _usage_cells(figures.total, _no_link)
    note = _l("Teaching periods: the owner school's bell periods on its teaching days (term weekdays, less closures "
              "and blackouts); a booking counts the part of each period it covers.")

    def facility_link(**params):
        return lambda basis: links.facility(basis=basis.value, **params)

    by_category = Table("utilisation_categories", TITLES["utilisation_categories"],
                        [Column("category", _l("Category"))] + USAGE_COLUMNS,
                        [[label(row.category)] + _usage_cells(row, facility_link(category=row.category.value))
                         for row in figures.by_category], total=total, note=note)
    by_school = Table("utilisation_schools", TITLES["utilisation_schools"],
                      [Column("school", _l("Owner school"))] + USAGE_COLUMNS,
                      [[row.name] + _usage_cells(row, facility_link(owner=row.key)) for row in figures.by_school],
                      total=total, note=note)
    by_resource = Table("utilisation_resources", TITLES["utilisation_resources"],
                        [Column("resource", _l("Resource")), Column("school", _l("Owner school")),
                         Column("category", _l("Category"))] + USAGE_COLUMNS,
                        [[row.name, row.owner_school_name, label(row.category)]
                         + _usage_cells(row, facility_link(resource=row.key)) for row in figures.by_resource],
                        note=note)
    return [by_category, by_school, by_resource]


def heatmap_table(figures: Activity, _links) -> Table:
    columns = [Column("period", _l("Period"))] + [Column(f"weekday_{n}", WEEKDAYS[n], HOURS) for n in range(7)]
    rows = [[str(_l("Period %(n)d", n=period))]
            # No drill-down link: a cell counts parts of bookings, which no listing of whole bookings adds up to.
            + [figures.cell(weekday, period).delivered.hours for weekday in range(7)]
            for period in figures.periods]
    return Table("heatmap", TITLES["heatmap"], columns, rows,
                 note=_l("Periods are the owner school's bell periods (第N节); a period counts the part of it a "
                         "booking covers, and a booking over several periods counts in each."))


def trend_table(figures: Activity, links) -> Table:
    columns = [Column("week", _l("Week")), Column("delivered_hours", labelled(_l("Hours of use"), DELIVERED), HOURS),
               Column("planned_hours", labelled(_l("Hours of use"), PLANNED), HOURS),
               Column("no_show_hours", labelled(_l("Hours of use"), NO_SHOW), HOURS),
               Column("cross_hours", labelled(_l("Hours used by other schools"), DELIVERED), HOURS)]
    rows = [[format_days(week.first, week.last, "short"),
             Cell(week.hours.delivered.hours, links.facility(start=week.first.isoformat(), end=week.last.isoformat(),
                                                             basis=DELIVERED.value)),
             week.hours.planned.hours, week.hours.no_show.hours, week.hours.delivered.cross_hours]
            for week in figures.weeks]
    return Table("trend", TITLES["trend"], columns, rows)


def flow_matrix_table(figures: Flows, links) -> Table:
    columns = [Column("booking_school", _l("Booking school ↓ / providing school →"))]
    columns += [Column(f"owner_{school.id}", school.name, HOURS) for school in figures.schools]
    rows = []
    for booker in figures.schools:
        cells = [booker.name]
        for owner in figures.schools:
            hours = figures.cells.get((booker.id, owner.id))
            cells.append(Cell(hours.delivered.hours, links.students(booker=booker.id, owner=owner.id,
                                                                   basis=DELIVERED.value)) if hours else None)
        rows.append(cells)
    return Table("flow_matrix", TITLES["flow_matrix"],
                 columns, rows, note=_l("The diagonal is a school's use of its own resources. A visiting teacher's "
                                        "lessons are provided by the teacher's home school."))


def flow_schools_table(figures: Flows, links) -> Table:
    columns = [Column("school", _l("School")),
               Column("lent", labelled(_l("Lent (hours other schools used)"), DELIVERED), HOURS),
               Column("borrowed", labelled(_l("Borrowed (hours in other schools)"), DELIVERED), HOURS),
               Column("own_use", labelled(_l("Own use"), DELIVERED), HOURS),
               Column("net", labelled(_l("Lent minus borrowed"), DELIVERED), HOURS),
               Column("planned_borrowed", labelled(_l("Borrowed (hours in other schools)"), PLANNED), HOURS)]
    rows = [[row.school.name, Cell(row.lent.delivered.hours, links.students(owner=row.school.id, cross=1)),
             Cell(row.borrowed.delivered.hours, links.students(booker=row.school.id, cross=1)),
             row.own_use.delivered.hours, row.lent.delivered.hours - row.borrowed.delivered.hours,
             row.borrowed.planned.hours]
            for row in figures.rows]
    return Table("flow_schools", TITLES["flow_schools"], columns, rows)


def _access_columns() -> list[Column]:
    return [Column("school", _l("School")), Column("stage", _l("Stage")), Column("weak", _l("Weak school"), FLAG),
            Column("enrollment", _l("Students"), INT),
            Column("own_hours", labelled(_l("Own use, hours"), DELIVERED), HOURS),
            Column("received_hours", labelled(_l("Received from other schools, hours"), DELIVERED), HOURS),
            Column("district_hours", labelled(_l("District resources, hours"), DELIVERED), HOURS),
            Column("shared_per_100", labelled(_l("Shared access per 100 students"), DELIVERED), HOURS),
            Column("shared_planned_per_100", labelled(_l("Shared access per 100 students"), PLANNED), HOURS),
            Column("total_per_100", labelled(_l("Total access per 100 students"), DELIVERED), HOURS),
            Column("total_planned_per_100", labelled(_l("Total access per 100 students"), PLANNED), HOURS),
            Column("shared_teacher_hours", labelled(_l("Visiting-teacher lesson hours received"), DELIVERED), HOURS),
            Column("shared_student_hours", labelled(_l("Shared student-hours"), DELIVERED), HOURS),
            Column("hours_to_level", labelled(_l("Shared hours to reach the stage's level"), DELIVERED), HOURS),
            Column("own_use_only", _l("Own use only"), FLAG)]


def _access_rows(rows, links) -> list[list]:
    return [[row.school.name, label(row.school.stage), row.school.is_weak, row.enrollment,
             row.source_hours("own"),
             Cell(row.source_hours("received"), links.students(booker=row.school.id, cross=1, basis=DELIVERED.value)),
             row.source_hours("district"), row.per_100(), row.per_100(basis=PLANNED),
             row.per_100(scope=Scope.TOTAL), row.per_100(scope=Scope.TOTAL, basis=PLANNED),
             row.value("teacher_hours"), row.value("student_hours"),
             row.gaps.get((MAIN.key, Scope.SHARED)) if row.enrollment else None, row.own_use_only]
            for row in rows]


ACCESS_NOTE = _l("Shared access = received from other schools + district resources; total access adds own use. "
                 "Schools without enrollment are listed but left out of every ratio.")


def access_table(figures: Access, links) -> Table:
    return Table("access_schools", TITLES["access_schools"], _access_columns(),
                 _access_rows(figures.compulsory_schools, links), note=ACCESS_NOTE)


def kindergarten_access_table(figures: Access, links) -> Table:
    return Table("access_kindergartens", TITLES["access_kindergartens"],
                 _access_columns(), _access_rows(figures.kindergartens, links), note=ACCESS_NOTE)


def _stage_name(stage) -> str:
    return label(stage) if stage else str(_l("Compulsory education, all stages"))


def _scope_cells(item, scope: Scope) -> list:
    data = item.of(scope)
    figures = data.figures
    return [100 * figures.level if figures.level is not None else None,
            100 * data.planned_level if data.planned_level is not None else None,
            figures.cv_weighted, figures.cv_unweighted, figures.gini, figures.mcloone, data.passes]


def equity_table(figures: Access) -> Table:
    scoped = []
    for scope in (Scope.SHARED, Scope.TOTAL):
        name = SCOPE_LABELS[scope]
        scoped += [Column(f"{scope.value}_level", labelled(_l("%(scope)s: level per 100 students", scope=name),
                                                           DELIVERED), HOURS),
                   Column(f"{scope.value}_planned_level",
                          labelled(_l("%(scope)s: level per 100 students", scope=name), PLANNED), HOURS),
                   Column(f"{scope.value}_cv_weighted", _l("%(scope)s: CV (enrollment-weighted)", scope=name), RATIO),
                   Column(f"{scope.value}_cv_unweighted", _l("%(scope)s: CV (unweighted)", scope=name), RATIO),
                   Column(f"{scope.value}_gini", _l("%(scope)s: Gini (weighted)", scope=name), RATIO),
                   Column(f"{scope.value}_mcloone", _l("%(scope)s: McLoone index", scope=name), RATIO),
                   Column(f"{scope.value}_passes", _l("%(scope)s: passes", scope=name), FLAG)]
    columns = [Column("stage", _l("Stage")), Column("indicator", _l("Indicator")),
               Column("schools", _l("Schools"), INT), Column("threshold", _l("Pass mark (CV ≤)"), RATIO)] + scoped
    rows = [[_stage_name(group.stage), item.indicator.label, item.shared.figures.schools, group.threshold,
             *_scope_cells(item, Scope.SHARED), *_scope_cells(item, Scope.TOTAL)]
            for group in figures.groups for item in group.indicators]
    return Table("equity", TITLES["equity"], columns,
                 rows, note=_l("Shared access is the headline: what a school received from other schools and the "
                               "district. Kindergartens are a group of their own, without a pass mark."))


def under_served_table(figures: Access, links) -> Table:
    columns = [Column("school", _l("School")), Column("stage", _l("Stage")), Column("weak", _l("Weak school"), FLAG),
               Column("enrollment", _l("Students"), INT),
               Column("shared_per_100", labelled(_l("Shared access per 100 students"), DELIVERED), HOURS),
               Column("level_per_100", labelled(_l("Stage's shared level per 100 students"), DELIVERED), HOURS),
               Column("share_of_level", _l("Share of the level"), PERCENT),
               Column("hours_needed", labelled(_l("Shared hours needed to reach the level"), DELIVERED), HOURS)]
    rows = [[row.school.name, label(row.school.stage), row.school.is_weak, row.enrollment,
             Cell(row.per_100(), links.students(booker=row.school.id, cross=1, basis=DELIVERED.value)),
             100 * row.levels[(MAIN.key, Scope.SHARED)], row.share_of_level, row.gaps[(MAIN.key, Scope.SHARED)]]
            for row in figures.under_served]
    return Table("under_served", TITLES["under_served"], columns, rows,
                 note=_l("Furthest below first. Hours needed = (level − school's hours per student) × students."))


def own_use_only_table(figures: Access, links) -> Table:
    columns = [Column("school", _l("School")), Column("stage", _l("Stage")),
               Column("total_per_100", labelled(_l("Total access per 100 students"), DELIVERED), HOURS),
               Column("shared_per_100", labelled(_l("Shared access per 100 students"), DELIVERED), HOURS)]
    rows = [[row.school.name, label(row.school.stage), row.per_100(scope=Scope.TOTAL),
             Cell(row.per_100(), links.students(booker=row.school.id, cross=1, basis=DELIVERED.value))]
            for row in figures.own_use_only]
    return Table("own_use_only", TITLES["own_use_only"],
                 columns, rows, note=_l("Total access at or above the stage's level, shared access below a tenth of "
                                        "the stage's shared level."))

