"""Every table of the dashboard, built from the report's figures (see ``tables`` for the shape)."""
from __future__ import annotations

from booking.labels import WEEKDAYS, label
from booking.reports.access import MAIN, Access, Flows
from booking.reports.activity import Activity
from booking.reports.tables import FLAG, HOURS, INT, PERCENT, RATIO, Cell, Column, Table
from booking.reports.utilisation import Utilisation, UtilisationRow
from booking.texts import lazy_gettext as _l

USAGE_COLUMNS = [
    Column("bookable_hours", _l("Bookable hours"), HOURS),
    Column("booked_hours", _l("Booked hours"), HOURS),
    Column("utilisation", _l("Utilisation"), PERCENT),
    Column("used_hours", _l("Used hours"), HOURS),
    Column("no_show_hours", _l("No-show hours"), HOURS),
    Column("no_show_rate", _l("No-show rate"), PERCENT),
    Column("cross_share", _l("Used by other schools"), PERCENT),
]


def _usage_cells(row: UtilisationRow, link: str | None) -> list:
    hours = row.hours
    return [row.bookable_hours, Cell(hours.hours, link), row.utilisation, hours.used_hours, hours.no_show_hours,
            hours.no_show_rate, hours.cross_share]


def utilisation_tables(figures: Utilisation, links) -> list[Table]:
    total = [str(_l("Total"))] + _usage_cells(figures.total, None)
    by_category = Table("utilisation_categories", _l("Utilisation by category"),
                        [Column("category", _l("Category"))] + USAGE_COLUMNS,
                        [[label(row.category)] + _usage_cells(row, links.facility(category=row.category.value))
                         for row in figures.by_category], total=total)
    by_school = Table("utilisation_schools", _l("Utilisation by owner school"),
                      [Column("school", _l("Owner school"))] + USAGE_COLUMNS,
                      [[row.name] + _usage_cells(row, links.facility(owner=row.key)) for row in figures.by_school],
                      total=total)
    by_resource = Table("utilisation_resources", _l("Utilisation by resource"),
                        [Column("resource", _l("Resource")), Column("school", _l("Owner school")),
                         Column("category", _l("Category"))] + USAGE_COLUMNS,
                        [[row.name, row.owner_school_name, label(row.category)]
                         + _usage_cells(row, links.facility(resource=row.key)) for row in figures.by_resource])
    return [by_category, by_school, by_resource]


def _linked_if_any(hours: float, link: str | None) -> Cell:
    return Cell(hours, link if hours else None)


def heatmap_table(figures: Activity, links) -> Table:
    columns = [Column("hour", _l("Hour"))] + [Column(f"weekday_{n}", WEEKDAYS[n], HOURS) for n in range(7)]
    rows = [[f"{hour:02d}:00–{hour + 1:02d}:00"]
            + [_linked_if_any(figures.cell(weekday, hour).hours, links.facility(weekday=weekday, hour=hour))
               for weekday in range(7)]
            for hour in figures.hours_of_day]
    return Table("heatmap", _l("Booked hours by weekday and hour"), columns, rows,
                 note=_l("Each booking counts in the local hour it starts."))


def trend_table(figures: Activity, links) -> Table:
    columns = [Column("week", _l("Week")), Column("booked_hours", _l("Booked hours"), HOURS),
               Column("cross_hours", _l("Hours used by other schools"), HOURS),
               Column("used_hours", _l("Used hours"), HOURS), Column("no_show_hours", _l("No-show hours"), HOURS)]
    rows = [[f"{week.first.isoformat()} – {week.last.isoformat()}",
             Cell(week.hours.hours, links.facility(start=week.first.isoformat(), end=week.last.isoformat())),
             week.hours.cross_hours, week.hours.used_hours, week.hours.no_show_hours]
            for week in figures.weeks]
    return Table("trend", _l("Booked hours by week"), columns, rows)


def flow_matrix_table(figures: Flows, links) -> Table:
    columns = [Column("booking_school", _l("Booking school ↓ / owner school →"))]
    columns += [Column(f"owner_{school.id}", school.name, HOURS) for school in figures.schools]
    rows = []
    for booker in figures.schools:
        cells = [booker.name]
        for owner in figures.schools:
            hours = figures.cells.get((booker.id, owner.id))
            cells.append(Cell(hours.hours, links.students(booker=booker.id, owner=owner.id)) if hours else None)
        rows.append(cells)
    return Table("flow_matrix", _l("Sharing flows: hours by booking school and owner school"), columns, rows,
                 note=_l("The diagonal is a school's use of its own resources."))


def flow_schools_table(figures: Flows, links) -> Table:
    columns = [Column("school", _l("School")), Column("lent", _l("Lent (hours other schools used)"), HOURS),
               Column("borrowed", _l("Borrowed (hours in other schools)"), HOURS),
               Column("own_use", _l("Own use"), HOURS), Column("net", _l("Lent minus borrowed"), HOURS)]
    rows = [[row.school.name, Cell(row.lent.hours, links.students(owner=row.school.id, cross=1)),
             Cell(row.borrowed.hours, links.students(booker=row.school.id, cross=1)), row.own_use.hours,
             row.lent.hours - row.borrowed.hours]
            for row in figures.rows]
    return Table("flow_schools", _l("Which schools lend and which borrow"), columns, rows)


def access_table(figures: Access, links) -> Table:
    columns = [Column("school", _l("School")), Column("stage", _l("Stage")), Column("weak", _l("Weak school"), FLAG),
               Column("enrollment", _l("Students"), INT), Column("hours", _l("Hours received"), HOURS),
               Column("hours_per_100", _l("Hours per 100 students"), HOURS),
               Column("facility_hours", _l("Facility hours"), HOURS),
               Column("teacher_hours", _l("Visiting-teacher lesson hours"), HOURS),
               Column("student_hours", _l("Student-hours"), HOURS),
               Column("student_hours_per_student", _l("Student-hours per student"), HOURS),
               Column("hours_to_level", _l("Hours to reach the stage's level"), HOURS)]
    rows = []
    for row in figures.schools:
        per_student = row.per_100("student_hours")
        rows.append([row.school.name, label(row.school.stage), row.school.is_weak, row.enrollment,
                     Cell(row.totals["hours"], links.students(booker=row.school.id)), row.per_100("hours"),
                     row.totals["facility_hours"], row.totals["teacher_hours"], row.totals["student_hours"],
                     per_student / 100 if per_student is not None else None,
                     row.gaps.get(MAIN.key) if row.enrollment else None])
    return Table("access_schools", _l("Access per school"), columns, rows,
                 note=_l("Schools without enrollment are listed but left out of every ratio."))


def equity_table(figures: Access) -> Table:
    columns = [Column("stage", _l("Stage")), Column("indicator", _l("Indicator")),
               Column("schools", _l("Schools"), INT), Column("level", _l("Level per 100 students"), HOURS),
               Column("cv_weighted", _l("CV (enrollment-weighted)"), RATIO),
               Column("cv_unweighted", _l("CV (unweighted)"), RATIO), Column("gini", _l("Gini (weighted)"), RATIO),
               Column("mcloone", _l("McLoone index"), RATIO), Column("threshold", _l("Pass mark (CV ≤)"), RATIO),
               Column("passes", _l("Passes"), FLAG)]
    rows = []
    for group in figures.groups:
        for item in group.indicators:
            data = item.figures
            rows.append([label(group.stage) if group.stage else str(_l("All stages")), item.indicator.label,
                         data.schools, 100 * data.level if data.level is not None else None, data.cv_weighted,
                         data.cv_unweighted, data.gini, data.mcloone, item.threshold, item.passes])
    return Table("equity", _l("Dispersion across schools"), columns, rows)


def under_served_table(figures: Access, links) -> Table:
    columns = [Column("school", _l("School")), Column("stage", _l("Stage")), Column("weak", _l("Weak school"), FLAG),
               Column("enrollment", _l("Students"), INT), Column("hours_per_100", _l("Hours per 100 students"), HOURS),
               Column("level_per_100", _l("Stage level per 100 students"), HOURS),
               Column("share_of_level", _l("Share of the level"), PERCENT),
               Column("hours_needed", _l("Hours needed to reach the level"), HOURS)]
    rows = [[row.school.name, label(row.school.stage), row.school.is_weak, row.enrollment,
             Cell(row.per_100("hours"), links.students(booker=row.school.id)), 100 * row.levels[MAIN.key],
             row.share_of_level, row.gaps[MAIN.key]]
            for row in figures.under_served]
    return Table("under_served", _l("Schools below their stage's level"), columns, rows,
                 note=_l("Furthest below first. Hours needed = (level − school's hours per student) × students."))

