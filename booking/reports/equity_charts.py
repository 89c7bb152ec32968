"""The equity charts: access per school against its stage's level, the Lorenz curves beside the Gini,
who uses whose (the sharing flows as a heat matrix), and the visiting-teacher mandates as progress bars.

Each returns a ``charts.Chart``: the SVG and the table of the numbers it draws.
"""
from __future__ import annotations

from flask_babel import gettext as _

from booking.labels import label
from booking.reports import charts, equity
from booking.reports.access import SCOPE_LABELS, COMPULSORY_STAGES, Scope
from booking.reports.bases import Basis, labelled
from booking.reports.tables import HOURS, INT, PERCENT, RATIO, TEXT, Column, Table, display
from booking.teachers.mandates import line_label
from booking.texts import lazy_gettext as _l

_HOURS = Column("value", "", HOURS)
FLOW_SCHOOLS = 10  # the heat matrix shows the schools with the most cross-school hours; the table has all
CURVE_COLOURS = {Scope.SHARED: charts.BELOW_COLOUR, Scope.TOTAL: charts.BAR_COLOUR}
SIDE_LABELS = {charts.BELOW: _l("Below the line"), charts.AT_OR_ABOVE: _l("At or above the line")}


def _stage_name(stage) -> str:
    return label(stage) if stage else str(_l("Compulsory education, all stages"))


def access_charts(report) -> list:
    """One chart per stage: each school's shared access per 100 students (delivered), the stage's level
    drawn as the line and each bar coloured by its side of that line (below = the under-served table)."""
    found = []
    for group in report.access.groups:
        if group.stage is None:
            continue  # schools are held to their own stage's level
        level = group.main.shared.figures.level
        rows = [row for row in report.access.schools if row.school.stage == group.stage and row.enrollment]
        if not rows or not level:
            continue
        line = 100 * level
        bars = [charts.Bar(row.school.name, row.per_100() or 0.0, display(row.per_100(), _HOURS)) for row in rows]
        title = labelled(_l("Shared access per 100 students: %(stage)s", stage=_stage_name(group.stage)),
                         Basis.DELIVERED)
        svg = charts.bar_chart(bars, str(title), (_("Stage's level %(value)s", value=display(line, _HOURS)), line),
                               (str(SIDE_LABELS[charts.BELOW]), str(SIDE_LABELS[charts.AT_OR_ABOVE])))
        columns = [Column("school", _l("School")), Column("value", _l("Shared access per 100 students"), HOURS),
                   Column("side", _l("Side of the stage's level"))]
        table_rows = [[bar.label, bar.value, str(SIDE_LABELS[charts.side_of_line(bar.value, line)])]
                      for bar in charts.sorted_bars(bars)]
        table = Table(f"chart_access_{group.stage.value}", title, columns, table_rows,
                      total=[str(_l("Stage's level")), line, ""])
        found.append(charts.Chart(f"access_{group.stage.value}", svg, table))
    return found


def headline_group(report):
    """The group the headline CV is about: compulsory education as a whole, else the first stage."""
    groups = [group for group in report.access.groups if group.stage in (None, *COMPULSORY_STAGES)]
    return groups[0] if groups else (report.access.groups[0] if report.access.groups else None)


def lorenz_chart(report):
    """Lorenz curves of shared and total access for the headline group, the Gini of each in its name."""
    group = headline_group(report)
    names = {row.school.id: row.school.name for row in report.access.schools}
    curves, rows = [], []
    for scope in (Scope.SHARED, Scope.TOTAL):
        data = group.main.of(scope) if group else None
        steps = list(data.curve) if data else []
        gini = display(data.figures.gini, Column("gini", "", RATIO)) if data else "–"
        name = _("%(scope)s (Gini %(gini)s)", scope=SCOPE_LABELS[scope], gini=gini)
        curves.append((name, equity.curve_points(steps), CURVE_COLOURS[scope]))
        rows += [[str(SCOPE_LABELS[scope]), names.get(step.key, str(_l("Another school"))), step.students_share,
                  step.hours_share] for step in steps]
    stage = _stage_name(group.stage) if group else ""
    title = labelled(_l("Lorenz curve: %(stage)s", stage=stage), Basis.DELIVERED)
    svg = charts.lorenz_chart(curves, str(title), (_("Share of students"), _("Share of hours")),
                              _("Perfect equality"))
    columns = [Column("scope", _l("Access")), Column("school", _l("School (least served first)")),
               Column("students_share", _l("Cumulative share of students"), PERCENT),
               Column("hours_share", _l("Cumulative share of hours"), PERCENT)]
    table = Table("chart_lorenz", title, columns, rows,
                  note=_l("Schools from the least served per student up; the further the curve sags below the "
                          "diagonal, the larger the Gini (twice the area between them). Schools you may not see by "
                          "name are shown as another school."))
    return charts.Chart("lorenz", svg, table)


def flow_schools(flows, count: int = FLOW_SCHOOLS) -> list:
    """The ``count`` schools with the most hours lent plus borrowed, most first (ties by the district's order)."""
    traffic = {row.school.id: row.lent.delivered.seconds + row.borrowed.delivered.seconds for row in flows.rows}
    order = {school.id: index for index, school in enumerate(flows.schools)}
    ranked = sorted((school for school in flows.schools if traffic.get(school.id)),
                    key=lambda school: (-traffic[school.id], order[school.id]))
    return ranked[:count]


def flow_chart(report):
    """Who uses whose: rows the booking school, columns the providing school, numbered; own use greyed."""
    schools = flow_schools(report.flows)
    cells = report.flows.cells
    values = [[(cells[(booker.id, owner.id)].delivered.hours if (booker.id, owner.id) in cells else None)
               for owner in schools] for booker in schools]
    row_labels = [f"{index} {school.name}" for index, school in enumerate(schools, 1)]
    title = labelled(_l("Who uses whose: hours by booking school (rows) and providing school (columns)"),
                     Basis.DELIVERED)
    svg = charts.heatmap(row_labels, [str(index) for index in range(1, len(schools) + 1)], values, str(title),
                         muted={(n, n) for n in range(len(schools))},
                         legend=[(charts.MUTED_COLOUR, _("Own use")), (charts.BAR_COLOUR, _("Used by another school"))])
    columns = [Column("booking_school", _l("Booking school ↓ / providing school →"))]
    columns += [Column(f"owner_{school.id}", f"{index} {school.name}", HOURS) for index, school in enumerate(schools, 1)]
    table = Table("chart_flows", title, columns, [[name, *row] for name, row in zip(row_labels, values)],
                  note=_l("The schools with the most hours lent and borrowed; every school is in the table "
                          "“Sharing flows”."))
    return charts.Chart("flows", svg, table)


def mandate_chart(progress, limit: int = 12):
    """Each tied school's mandates (behind schedule first) as bars out of what is required."""
    items, rows = [], []
    ordered = sorted(progress.rows, key=lambda row: not row.behind)
    for row in ordered:
        for cell in row.cells:
            name = f"{row.school.name} · {line_label(cell.line)}"
            items.append(charts.Progress(name, cell.delivered, cell.planned, cell.line.required, cell.expected,
                                         f"{cell.delivered} / {cell.line.required}"))
            rows.append([name, cell.delivered, cell.planned, cell.line.required, cell.expected,
                         str(_l("Behind schedule")) if cell.delivered < cell.expected else str(_l("On track"))])
    items, rows = items[:limit], rows[:limit]
    title = _l("Visiting-teacher mandates: lessons delivered of those required")
    svg = charts.progress_chart(items, str(title), (_("Expected by now"), _("Behind"), _("On track"), _("Planned")))
    columns = [Column("mandate", _l("Tied school · mandate")), Column("delivered", _l("Delivered"), INT),
               Column("planned", _l("Planned"), INT), Column("required", _l("Required"), INT),
               Column("expected", _l("Expected by now"), INT), Column("state", _l("State"), TEXT)]
    return charts.Chart("mandates", svg, Table("chart_mandates", title, columns, rows,
                                         note=_l("Behind schedule first; every mandate is on the mandates page.")))
