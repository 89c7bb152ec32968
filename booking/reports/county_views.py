"""The county equity report's pages: the report (printable as it is), and its tables as CSV or XLSX.

County coordinators only (``permissions.can_see_county_report``); everyone else gets 403. The dates come
from the district report's filter (a term, or a first and last day), chosen on the page; stage and school
filters do not apply.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from booking.extensions import db
from booking.form_helpers import attach_errors
from booking.parsing import parse_whole_number
from booking.permissions import can_see_county_report
from booking.reports import exports
from booking.reports.county import build_county_report
from booking.reports.filters import Viewer, parse_filter
from booking.reports.forms import FilterForm
from booking.reports.views import XLSX_TYPE, describe
from booking.schools.calendar import list_terms
from booking.schools.models import County, District
from booking.validation import MAX_ID, ValidationFailed

bp = Blueprint("county_reports", __name__)
DATE_ARGS = ("term", "shown", "start", "end")


@bp.app_template_global()
def county_report_link() -> bool:
    """The header's link: county coordinators of a county of more than one district."""
    return can_see_county_report(current_user) and (db.session.scalar(select(func.count()).select_from(District)) or 0) > 1


def _county() -> County:
    raw = (request.args.get("county") or "").strip()
    county_id = parse_whole_number(raw, MAX_ID) if raw else None
    if raw and county_id is None:
        abort(404)
    query = select(County).order_by(County.id)
    county = db.session.get(County, county_id) if county_id else db.session.scalar(query.limit(1))
    if county is None:
        abort(404)
    return county


def _report():
    if not can_see_county_report(current_user):
        abort(403)
    county = _county()
    return build_county_report(parse_filter(Viewer.of(current_user), {k: request.args.get(k) for k in DATE_ARGS}),
                               county)


def _refused(failed: ValidationFailed) -> Response:
    return Response("\n".join(f"{field}: {message}" for field, message in failed.errors.items()), status=422,
                    mimetype="text/plain")


def _period_form() -> FilterForm:
    """The report's period: a term, or a first and last day (the dashboard's fields; the others do not apply)."""
    form = FilterForm(request.args)
    form.set_choices(list_terms(), [])
    return form


@bp.get("/reports/county/")
@login_required
def county_report():
    form = _period_form()
    try:
        report = _report()
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return render_template("reports/county.html", report=None, form=form, county=_county()), 422
    form.show(report.filter)
    args = {**report.filter.query_args(), "county": report.county.id}
    for key in ("category", "stage", "school"):
        args.pop(key, None)
    return render_template("reports/county.html", report=report, form=form, county=report.county,
                           description=describe(report.filter), tables=report.tables(), export_args=args)


@bp.get("/reports/county/export/<key>.<fmt>")
@login_required
def county_export(key: str, fmt: str):
    if fmt not in ("csv", "xlsx") or (key == "all" and fmt != "xlsx"):
        abort(404)
    try:
        report = _report()
    except ValidationFailed as failed:
        return _refused(failed)
    tables = report.tables() if key == "all" else [table for table in report.tables() if table.key == key]
    if not tables:
        abort(404)
    heading = [report.county.name, *describe(report.filter)]
    stem = f"county-report-{key}-{report.filter.range.first.isoformat()}-{report.filter.range.last.isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.table_csv(tables[0], [str(tables[0].title), *heading]), "text/csv"
    else:
        body, mimetype = exports.tables_xlsx(tables, heading), XLSX_TYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})
