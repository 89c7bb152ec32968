"""The coordinator's report: every figure for one filter and one viewer, and its tables.

The dashboard, the exports, the printable equity page and the API all start from ``build_report``
(or the part of it they need), so they show the same numbers.

A later section (visiting-teacher mandate progress, issue 4) adds a field here, a table
builder in ``report_tables`` and a block in ``templates/reports/dashboard.html``.
"""
from __future__ import annotations

from dataclasses import dataclass

from booking.i18n import format_days
from booking.labels import label
from booking.reports import cache, report_tables
from booking.reports.access import SCOPE_LABELS, Access, Flows, Scope, access, flows
from booking.reports.activity import Activity, activity
from booking.reports.bases import BASIS_NOTES, Basis, labelled
from booking.reports.drilldown import Links
from booking.reports.filters import ReportFilter, Viewer
from booking.reports.tables import HOURS, INT, PERCENT, RATIO, TEXT, Cell, Column, Table
from booking.reports.utilisation import Utilisation, utilisation
from booking.texts import lazy_gettext as _l


@dataclass
class Report:
    filter: ReportFilter
    viewer: Viewer
    utilisation: Utilisation
    access: Access
    flows: Flows
    activity: Activity

    def _builders(self, links: Links) -> dict:
        """Each table's key and how to build it, in page order."""
        usage = lambda: report_tables.utilisation_tables(self.utilisation, links)  # noqa: E731
        return {
            "summary": lambda: [summary_table(self)],
            "under_served": lambda: [report_tables.under_served_table(self.access, links)],
            "own_use_only": lambda: [report_tables.own_use_only_table(self.access, links)],
            "equity": lambda: [report_tables.equity_table(self.access)],
            "access_schools": lambda: [report_tables.access_table(self.access, links)],
            "access_kindergartens": lambda: [report_tables.kindergarten_access_table(self.access, links)],
            ("utilisation_categories", "utilisation_schools", "utilisation_resources"): usage,
            "heatmap": lambda: [report_tables.heatmap_table(self.activity, links)],
            "trend": lambda: [report_tables.trend_table(self.activity, links)],
            "flow_matrix": lambda: [report_tables.flow_matrix_table(self.flows, links)],
            "flow_schools": lambda: [report_tables.flow_schools_table(self.flows, links)],
        }

    def tables(self, make_link=None) -> list[Table]:
        """Every table, in page order; ``make_link(**params)`` gives drill-down URLs (None: no links)."""
        return [table for build in self._builders(Links(make_link, self.filter)).values() for table in build()]

    def row_counts(self) -> dict[str, int]:
        """How many rows each table has, without building its cells (the dashboard's links say it)."""
        figures, access_figures = self.utilisation, self.access
        return {"under_served": len(access_figures.under_served), "own_use_only": len(access_figures.own_use_only),
                "equity": sum(len(group.indicators) for group in access_figures.groups),
                "access_schools": len(access_figures.compulsory_schools),
                "access_kindergartens": len(access_figures.kindergartens),
                "utilisation_categories": len(figures.by_category), "utilisation_schools": len(figures.by_school),
                "utilisation_resources": len(figures.by_resource), "heatmap": len(self.activity.periods),
                "trend": len(self.activity.weeks), "flow_matrix": len(self.flows.schools),
                "flow_schools": len(self.flows.rows)}

    def table(self, key: str, make_link=None) -> Table | None:
        """One table (None: no such key), its links made only for it."""
        for keys, build in self._builders(Links(make_link, self.filter)).items():
            if key == keys or (isinstance(keys, tuple) and key in keys):
                return next(table for table in build() if table.key == key)
        return None


TABLE_KEYS = ("summary", "under_served", "own_use_only", "equity", "access_schools", "access_kindergartens",
              "utilisation_categories", "utilisation_schools", "utilisation_resources", "heatmap", "trend",
              "flow_matrix", "flow_schools")


def build_report(report_filter: ReportFilter, viewer: Viewer) -> Report:
    """Every figure; each GROUP BY runs once, or not at all when the cache holds its result for the data
    as it is now (``cache``)."""
    report_filter = cache.pinned(report_filter)
    return Report(report_filter, viewer, utilisation(report_filter, viewer), access(report_filter, viewer),
                  flows(report_filter, viewer), activity(report_filter))


def _pass_note(item) -> str:
    if item.threshold is None:
        return str(_l("No pass mark for this stage"))
    if item.passes is None:  # no CV: nothing delivered to compare yet, which is neither a pass nor a failure
        verdict = _l("no figure yet")
    else:
        verdict = _l("passes") if item.passes else _l("does not pass")
    return str(_l("Pass mark %(mark).2f: %(verdict)s", mark=item.threshold, verdict=verdict))


def _named(text, basis: Basis) -> str:
    return str(labelled(text, basis))


def _stage_name(group) -> str:
    return label(group.stage) if group.stage else str(_l("Compulsory education, all stages"))


def summary_table(report: Report) -> Table:
    """The headline figures, as a table so they export and print like the rest; each says its basis."""
    total = report.utilisation.total
    hours = total.hours
    rows = [
        [str(_l("Date range")), Cell(format_days(report.filter.range.first, report.filter.range.last),
                                     kind=TEXT), ""],
        *([_named(_l("Hours of use"), basis), Cell(hours.of(basis).hours, kind=HOURS), str(BASIS_NOTES[basis])]
          for basis in Basis),
        [_named(_l("Utilisation of teaching periods"), Basis.DELIVERED),
         Cell(total.period_utilisation(Basis.DELIVERED), kind=PERCENT),
         str(_l("Time delivered inside the owner schools' bell periods over their teaching time"))],
        [str(_l("Utilisation of teaching periods (booked: delivered + planned + no-show)")),
         Cell(total.period_utilisation(), kind=PERCENT), ""],
        [str(_l("Utilisation of opening hours (booked: delivered + planned + no-show)")),
         Cell(total.utilisation, kind=PERCENT), str(_l("Booked hours over opening hours"))],
        [str(_l("No-show rate")), Cell(hours.no_show_rate, kind=PERCENT), str(_l("Of the hours that have ended"))],
        [_named(_l("Share of cross-school use"), Basis.DELIVERED), Cell(report.flows.cross_share, kind=PERCENT),
         str(_l("Hours provided by another school"))],
    ]
    for group in report.access.groups:
        main = group.main
        for scope in (Scope.SHARED, Scope.TOTAL):
            data = main.of(scope)
            rows.append([_named(_l("Weighted CV of %(scope)s: %(stage)s", scope=SCOPE_LABELS[scope],
                                     stage=_stage_name(group)), Basis.DELIVERED),
                         Cell(data.figures.cv_weighted, kind=RATIO), _pass_note(data)])
    rows.append([str(_l("Schools below their stage's level of shared access")),
                 Cell(report.access.under_served_count, kind=INT), ""])
    rows.append([str(_l("Schools above the level on their own use, with almost no shared access")),
                 Cell(len(report.access.own_use_only), kind=INT), ""])
    columns = [Column("figure", _l("Figure")), Column("value", _l("Value")), Column("note", _l("Note"))]
    return Table("summary", report_tables.TITLES["summary"], columns, rows)
