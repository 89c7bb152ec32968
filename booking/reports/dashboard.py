"""What the dashboard page draws besides tables: the charts, from the same tables' numbers."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from booking.labels import WEEKDAYS, label
from booking.reports import charts
from booking.reports.bases import Basis, labelled
from booking.reports.services import Report
from booking.reports.tables import HOURS, PERCENT, Column, display

_PERCENT = Column("value", "", PERCENT)
_HOURS = Column("value", "", HOURS)


def utilisation_chart(report: Report) -> Markup:
    bars = [charts.Bar(str(label(row.category)), row.period_utilisation(Basis.DELIVERED) or 0.0,
                       display(row.period_utilisation(Basis.DELIVERED), _PERCENT))
            for row in report.utilisation.by_category]
    return charts.bar_chart(bars, labelled(_("Utilisation of teaching periods by category"), Basis.DELIVERED))


def access_chart(report: Report) -> Markup:
    """Shared access per 100 students by school (compulsory education), under-served schools darker, the
    level of the first group as a line."""
    rows = [row for row in report.access.compulsory_schools if row.enrollment]
    bars = [charts.Bar(row.school.name, row.per_100(), display(row.per_100(), _HOURS), highlight=row.below_level)
            for row in rows]
    groups = [group for group in report.access.groups if group.threshold is not None or group.stage is None]
    level = groups[0].main.shared.figures.level if groups else None
    reference = (_("Level %(value)s", value=display(100 * level, _HOURS)), 100 * level) if level else None
    legend = [(charts.ACCENT_COLOUR, _("Below the stage's level")), (charts.BAR_COLOUR, _("At or above it"))]
    return charts.bar_chart(bars, labelled(_("Shared access per 100 students"), Basis.DELIVERED), reference, legend)


def heatmap_chart(report: Report) -> Markup:
    figures = report.activity
    values = [[figures.cell(weekday, period).delivered.hours for weekday in range(7)] for period in figures.periods]
    return charts.heatmap([_("Period %(n)d", n=period) for period in figures.periods], [str(day) for day in WEEKDAYS],
                          values, labelled(_("Hours by weekday and period"), Basis.DELIVERED))


def trend_chart(report: Report) -> Markup:
    weeks = report.activity.weeks
    return charts.column_chart([week.first.strftime("%m-%d") for week in weeks],
                               [week.hours.delivered.hours for week in weeks],
                               [week.hours.delivered.cross_hours for week in weeks],
                               labelled(_("Hours by week"), Basis.DELIVERED),
                               [labelled(_("Hours of use"), Basis.DELIVERED),
                                labelled(_("Hours used by other schools"), Basis.DELIVERED)])


def charts_for(report: Report) -> dict[str, Markup]:
    """Charts keyed by the table they picture; each is printed above that table."""
    return {"utilisation_categories": utilisation_chart(report), "access_schools": access_chart(report),
            "heatmap": heatmap_chart(report), "trend": trend_chart(report)}
