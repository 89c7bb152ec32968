"""What the dashboard page draws besides tables: the charts, from the same tables' numbers."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from booking.labels import WEEKDAYS, label
from booking.reports import charts
from booking.reports.access import MAIN
from booking.reports.services import Report
from booking.reports.tables import HOURS, PERCENT, Column, display

_PERCENT = Column("value", "", PERCENT)
_HOURS = Column("value", "", HOURS)


def utilisation_chart(report: Report) -> Markup:
    bars = [charts.Bar(str(label(row.category)), row.utilisation or 0.0, display(row.utilisation, _PERCENT))
            for row in report.utilisation.by_category]
    return charts.bar_chart(bars, _("Utilisation by category"))


def access_chart(report: Report) -> Markup:
    """Hours per 100 students by school, under-served schools darker, the district level as a line."""
    rows = [row for row in report.access.schools if row.enrollment]
    bars = [charts.Bar(row.school.name, row.per_100(MAIN.key), display(row.per_100(MAIN.key), _HOURS),
                       highlight=row.below_level) for row in rows]
    level = report.access.groups[0].indicators[0].figures.level if report.access.groups else None
    reference = (_("District level %(value)s", value=display(100 * level, _HOURS)), 100 * level) if level else None
    legend = [(charts.ACCENT_COLOUR, _("Below the stage's level")), (charts.BAR_COLOUR, _("At or above it"))]
    return charts.bar_chart(bars, _("Hours received per 100 students"), reference, legend)


def heatmap_chart(report: Report) -> Markup:
    figures = report.activity
    values = [[figures.cell(weekday, hour).hours for weekday in range(7)] for hour in figures.hours_of_day]
    return charts.heatmap([f"{hour:02d}:00" for hour in figures.hours_of_day], [str(day) for day in WEEKDAYS],
                          values, _("Booked hours by weekday and hour"))


def trend_chart(report: Report) -> Markup:
    weeks = report.activity.weeks
    return charts.column_chart([week.first.strftime("%m-%d") for week in weeks], [week.hours.hours for week in weeks],
                               [week.hours.cross_hours for week in weeks], _("Booked hours by week"),
                               [_("Booked hours"), _("Hours used by other schools")])


def charts_for(report: Report) -> dict[str, Markup]:
    """Charts keyed by the table they picture; each is printed above that table."""
    return {"utilisation_categories": utilisation_chart(report), "access_schools": access_chart(report),
            "heatmap": heatmap_chart(report), "trend": trend_chart(report)}
