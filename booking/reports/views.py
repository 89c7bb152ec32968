"""Report pages: the dashboard (headline and charts), each table a page at a time, the bookings behind a
number, exports, the printable equity page and its PDF, and the outcome buttons' POST. Coordinators and
school admins only; teachers get 403.

Route names other pages use: ``reports.dashboard``, ``reports.record_outcome`` (POST
/bookings/<id>/outcome with ``outcome`` = used | no_show, optional ``note`` and ``next``),
``reports.check_in`` (POST /bookings/<id>/check-in with ``next``: the phone's check-in button).
"""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.accounts.models import Role
from booking.bookings.errors import NotAllowed
from booking.bookings.services import visible_booking_or_404
from booking.extensions import db
from booking.i18n import format_day, format_moment
from booking.labels import label
from booking.permissions import role_required
from booking.bookings import checkin, outcomes
from booking.paging import Page, page_number
from booking.reports import drilldown, exports, pdf, report_tables
from booking.reports.bases import BASIS_LABELS, BASIS_NOTES
from booking.reports.dashboard import charts_for, print_charts
from booking.reports.filters import ReportFilter, Viewer, parse_filter
from booking.reports.forms import FilterForm, OutcomeForm
from booking.reports.services import TABLE_KEYS, build_report
from booking.reports.tables import HOURS, Column, display
from booking.schools.calendar import list_terms
from booking.form_helpers import attach_errors
from booking.parsing import parse_whole_number
from booking.schools.models import School
from booking.schools.services import holds_several_districts, list_districts, list_schools, place_name
from booking.teachers.mandates import mandate_progress, term_or_current
from booking.urls import safe_next_url
from booking.validation import MAX_ID, ValidationFailed

bp = Blueprint("reports", __name__)


@bp.app_context_processor
def outcome_helpers():
    """What `reports/_outcome.html` needs wherever a booking is shown (the booking page too)."""
    return {"can_record": outcomes.can_record_now, "can_check_in": checkin.can_check_in_now,
            "outcome_labels": outcomes.OUTCOME_LABELS}

HOURS_COLUMN = Column("hours", "", HOURS)
TABLE_PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def cell_text(cell, column: Column) -> str:
    return display(cell, column)


def _viewer() -> Viewer:
    return Viewer.of(current_user)


def _filter_form(viewer: Viewer) -> FilterForm:
    form = FilterForm(request.args)
    chosen = parse_whole_number((request.args.get("district") or "").strip(), MAX_ID)
    district_id = viewer.district(chosen, {})
    schools = [s for s in list_schools() if viewer.may_name(s.id) and district_id in (None, s.district_id)]
    form.set_choices(list_terms(), schools, list_districts() if viewer.chooses_district else ())
    return form


def _drill_url(**params) -> str:
    return url_for("reports.bookings", **params)


def describe(report_filter: ReportFilter) -> list[str]:
    """The filter in words, written on exports and on the printed page."""
    lines = [_("Date range: %(first)s – %(last)s", first=format_day(report_filter.range.first),
               last=format_day(report_filter.range.last)),
             _("Bases as of %(now)s: %(notes)s", now=format_moment(report_filter.cut),
               notes=" ".join(str(note) for note in BASIS_NOTES.values()))]
    if report_filter.category:
        lines.append(_("Category: %(name)s", name=label(report_filter.category)))
    if report_filter.stage:
        lines.append(_("Stage: %(name)s", name=label(report_filter.stage)))
    if report_filter.school_id:
        lines.append(_("School: %(name)s", name=db.session.get(School, report_filter.school_id).name))
    if holds_several_districts():  # one district: the report is the installation's
        place = place_name(report_filter.district_id)
        lines.append(_("District: %(name)s", name=place) if report_filter.district_id
                     else _("Every district of %(county)s", county=place))
    return lines


def _report_page(render):
    """The report for the filter in the query string, shown by ``render(report, form, viewer)``;
    the filter form with its errors (422) when the filter is not valid."""
    viewer = _viewer()
    form = _filter_form(viewer)
    try:
        report_filter = parse_filter(viewer, request.args)
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return render_template("reports/dashboard.html", form=form, report=None), 422
    form.show(report_filter)
    return render(build_report(report_filter, viewer), form, viewer)


@bp.get("/reports/")
@role_required(Role.SCHOOL_ADMIN)
def dashboard():
    """Headline figures and charts (each with the numbers it draws); the long tables a link each."""
    def render(report, form, viewer):
        term = term_or_current(None)
        progress = mandate_progress(term, district_id=report.filter.district_id) if term is not None else None
        return render_template("reports/dashboard.html", form=form, report=report, viewer=viewer,
                               summary=report.table("summary"), row_counts=report.row_counts(),
                               titles={key: report_tables.TITLES[key] for key in TABLE_KEYS},
                               charts=charts_for(report, progress), progress=progress,
                               description=describe(report.filter), export_args=report.filter.query_args())

    return _report_page(render)


@bp.get("/reports/tables/<key>")
@role_required(Role.SCHOOL_ADMIN)
def table(key: str):
    """One table of the report, TABLE_PAGE_SIZE rows a page, its numbers linking to the bookings behind them."""
    if key not in TABLE_KEYS:
        abort(404)

    def render(report, form, _viewer):
        found = report.table(key, _drill_url)
        rows = found.rows
        size = TABLE_PAGE_SIZE
        number = min(page_number(request.args), max(1, -(-len(rows) // size)))
        page = Page(rows[(number - 1) * size:number * size], number, size, len(rows))
        shown = replace(found, rows=page.items)
        return render_template("reports/table.html", form=form, table=shown, page=page,
                               description=describe(report.filter), export_args=report.filter.query_args())

    return _report_page(render)


EQUITY_TABLES = ("summary", "equity", "under_served", "own_use_only", "access_schools", "access_kindergartens")


def _equity_page(template: str, report) -> str:
    return render_template(template, report=report, description=describe(report.filter),
                           place=place_name(report.filter.district_id),
                           tables=[report.table(key) for key in EQUITY_TABLES], charts=print_charts(report))


@bp.get("/reports/equity/print")
@role_required(Role.SCHOOL_ADMIN)
def equity_print():
    return _report_page(lambda report, _form, _viewer: _equity_page("reports/equity_print.html", report))


@bp.get("/reports/equity.pdf")
@role_required(Role.SCHOOL_ADMIN)
def equity_pdf():
    """The printable equity report as a PDF (WeasyPrint; no network)."""
    def render(report, _form, _viewer):
        body = pdf.html_to_pdf(_equity_page("reports/equity_pdf.html", report))
        stem = f"equity-report-{report.filter.range.first.isoformat()}-{report.filter.range.last.isoformat()}"
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'})

    return _report_page(render)


@bp.get("/reports/export/<key>.<fmt>")
@role_required(Role.SCHOOL_ADMIN)
def export(key: str, fmt: str):
    """One table as CSV or XLSX, or every table as one workbook (``all.xlsx``)."""
    if fmt not in ("csv", "xlsx") or (key == "all" and fmt != "xlsx"):
        abort(404)
    viewer = _viewer()
    try:
        report = build_report(parse_filter(viewer, request.args), viewer)
    except ValidationFailed as failed:
        return Response("\n".join(f"{field}: {message}" for field, message in failed.errors.items()), status=422,
                        mimetype="text/plain")
    tables = report.tables() if key == "all" else [table for table in report.tables() if table.key == key]
    if not tables:
        abort(404)
    heading = describe(report.filter)
    stem = f"district-report-{key}-{report.filter.range.first.isoformat()}-{report.filter.range.last.isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.table_csv(tables[0], [str(tables[0].title), *heading]), "text/csv"
    else:
        body, mimetype = exports.tables_xlsx(tables, heading), XLSX_TYPE
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


@bp.get("/reports/bookings")
@role_required(Role.SCHOOL_ADMIN)
def bookings():
    """The bookings behind a number of the dashboard."""
    viewer = _viewer()
    try:
        drill = drilldown.parse_drilldown(viewer, request.args)
    except ValidationFailed as failed:
        return render_template("reports/bookings.html", errors=failed.errors, drill=None), 422
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, totals = drilldown.listing(drill, viewer, page)
    return render_template("reports/bookings.html", errors={}, drill=drill, rows=rows, totals=totals, page=page,
                           page_size=drilldown.PAGE_SIZE, hours_inside=drilldown.hours_inside,
                           description=describe(drill.filter), hours_column=HOURS_COLUMN, basis_labels=BASIS_LABELS)


def _posted_booking_form(booking_id: int):
    """The booking a small posted form is about (404 unless visible), the form, and where to go back;
    the form is None when it expired (said in a flash message)."""
    booking = visible_booking_or_404(current_user, booking_id)
    form = OutcomeForm()
    back = safe_next_url(form.next.data) or url_for("index")
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return booking, None, back
    return booking, form, back


@bp.post("/bookings/<id:booking_id>/outcome")
@role_required(Role.TEACHER)
def record_outcome(booking_id: int):
    """Mark a booking that took place as used or no-show; back to ``next`` with a message."""
    booking, form, back = _posted_booking_form(booking_id)
    if form is None:
        return redirect(back)
    try:
        outcomes.record_outcome(booking, form.outcome.data, form.note.data or "", current_user)
    except NotAllowed:
        abort(403)
    except ValidationFailed as failed:
        for message in failed.errors.values():
            flash(message, "error")
        return redirect(back)
    flash(_("Recorded: %(outcome)s.", outcome=outcomes.OUTCOME_LABELS[booking.outcome]), "success")
    return redirect(back)


@bp.post("/bookings/<id:booking_id>/check-in")
@role_required(Role.TEACHER)
def check_in(booking_id: int):
    """Check a booking in (from a phone, within its window); back to ``next`` with a message."""
    booking, form, back = _posted_booking_form(booking_id)
    if form is None:
        return redirect(back)
    try:
        checkin.check_in(booking, current_user)
    except NotAllowed:
        abort(403)
    except ValidationFailed as failed:  # outside the window, already checked in, released …: said on a 422 page
        message = " ".join(str(text) for text in failed.errors.values())
        return render_template("error.html", status=422, message=message), 422
    flash(_("Checked in."), "success")
    return redirect(back)
