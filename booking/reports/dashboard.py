"""What the dashboard draws: each chart with the small table of exactly the numbers it draws.

A ``charts.Chart`` is the SVG and its data table (``tables.Table``, so it prints and reads like the others);
the long tables of the report are not on the dashboard: they open a page at a time (``views.table``).
"""
from __future__ import annotations

from flask_babel import gettext as _

from booking.i18n import format_day, format_days
from booking.labels import WEEKDAYS, label
from booking.reports import charts
from booking.reports.bases import Basis, labelled
from booking.reports.equity_charts import access_charts, flow_chart, lorenz_chart, mandate_chart
from booking.reports.services import Report
from booking.reports.tables import HOURS, PERCENT, Column, Table, display
from booking.texts import lazy_gettext as _l

_PERCENT = Column("value", "", PERCENT)


def utilisation_chart(report: Report) -> charts.Chart:
    """Teaching-period utilisation by category, against the district's as the line."""
    rows = report.utilisation.by_category
    total = report.utilisation.total.period_utilisation(Basis.DELIVERED)
    bars = [charts.Bar(str(label(row.category)), row.period_utilisation(Basis.DELIVERED) or 0.0,
                       display(row.period_utilisation(Basis.DELIVERED), _PERCENT)) for row in rows]
    reference = (_("All categories: %(value)s", value=display(total, _PERCENT)), total) if total is not None else None
    title = labelled(_l("Utilisation of teaching periods by category"), Basis.DELIVERED)
    svg = charts.bar_chart(bars, str(title), reference, (_("Below all categories"), _("At or above")))
    table = Table("chart_utilisation", title, [Column("category", _l("Category")),
                                               Column("value", _l("Utilisation of teaching periods"), PERCENT)],
                  [[bar.label, bar.value] for bar in charts.sorted_bars(bars)],
                  total=[str(_l("All categories")), total])
    return charts.Chart("utilisation_categories", svg, table)


def heatmap_chart(report: Report) -> charts.Chart:
    figures = report.activity
    values = [[figures.cell(weekday, period).delivered.hours for weekday in range(7)] for period in figures.periods]
    rows = [str(_l("Period %(n)d", n=period)) for period in figures.periods]
    title = labelled(_l("Hours by weekday and period"), Basis.DELIVERED)
    svg = charts.heatmap(rows, [str(day) for day in WEEKDAYS], values, str(title))
    columns = [Column("period", _l("Period"))] + [Column(f"weekday_{n}", WEEKDAYS[n], HOURS) for n in range(7)]
    return charts.Chart("heatmap", svg, Table("chart_heatmap", title, columns,
                                       [[row, *cells] for row, cells in zip(rows, values)]))


def trend_chart(report: Report) -> charts.Chart:
    weeks = report.activity.weeks
    title = labelled(_l("Hours by week"), Basis.DELIVERED)
    names = [labelled(_l("Hours of use"), Basis.DELIVERED), labelled(_l("Hours used by other schools"), Basis.DELIVERED)]
    svg = charts.column_chart([format_day(week.first, "short") for week in weeks],
                              [week.hours.delivered.hours for week in weeks],
                              [week.hours.delivered.cross_hours for week in weeks], str(title),
                              [str(name) for name in names])
    columns = [Column("week", _l("Week")), Column("hours", names[0], HOURS), Column("cross", names[1], HOURS)]
    rows = [[format_days(week.first, week.last, "short"), week.hours.delivered.hours,
             week.hours.delivered.cross_hours] for week in weeks]
    return charts.Chart("trend", svg, Table("chart_trend", title, columns, rows))


def charts_for(report: Report, mandates=None) -> dict[str, list[charts.Chart]]:
    """The dashboard's charts by section; ``mandates`` is the term's mandate progress (None: no term)."""
    return {"equity": [*access_charts(report), lorenz_chart(report)],
            "usage": [utilisation_chart(report)],
            "time": [heatmap_chart(report), trend_chart(report)],
            "flows": [flow_chart(report)],
            "mandates": [mandate_chart(mandates)] if mandates is not None and mandates.rows else []}


def print_charts(report: Report) -> list[charts.Chart]:
    """The charts of the printable equity report (and its PDF)."""
    return [*access_charts(report), lorenz_chart(report)]
