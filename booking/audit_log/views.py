"""The audit log page and its CSV export, for coordinators and school admins (teachers: 403).

Thin: ``queries`` reads the filters and builds the one query; ``describe`` says each entry in words.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from booking.audit_log import describe, queries
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import to_local
from booking.paging import page_number, paginate
from booking.permissions import can_read_audit_log
from booking.schools.calendar import list_terms
from booking.schools.services import list_districts
from booking.spreadsheets import csv_text

bp = Blueprint("audit_log", __name__, url_prefix="/audit")
bp.add_app_template_global(can_read_audit_log, "can_read_audit_log")

EXPORT_MAX_ROWS = 50_000  # the newest; narrow the filters for older ones


def _allowed() -> None:
    if not can_read_audit_log(current_user):
        abort(403)


def _term_names() -> dict[int, str]:
    """Every term's name by id (a handful a year), for the details that name a term."""
    return {term.id: term.name for term in list_terms()}


def _district_names() -> dict[int, str]:
    """Every district's name by id (a few in a county), for the details that name a district."""
    return {district.id: district.name for district in list_districts()}


@bp.get("/")
@login_required
def index():
    _allowed()
    filters, errors = queries.filter_from_args(request.args)
    page = paginate(queries.entries_query(current_user, filters), page_number(request.args))
    schools, resources = queries.names_by_id(page.items)
    choices = queries.filter_choices(current_user, describe.action_name)
    return render_template("audit/index.html", page=page, filters=filters, errors=errors, choices=choices,
                           schools=schools, resources=resources, terms=_term_names(), districts=_district_names(),
                           action_name=describe.action_name, entity_name=describe.entity_name,
                           entry_details=describe.entry_details,
                           actor_name=describe.actor_name)


@bp.get("/export.csv")
@login_required
def export():
    _allowed()
    filters, _errors = queries.filter_from_args(request.args)
    entries = list(db.session.scalars(queries.entries_query(current_user, filters).limit(EXPORT_MAX_ROWS)))
    schools, resources = queries.names_by_id(entries)
    terms, districts = _term_names(), _district_names()
    text = csv_text(describe.csv_header(), (describe.csv_row(e, schools, resources, terms, districts) for e in entries))
    name = f"audit-{to_local(utcnow()):%Y%m%d-%H%M}.csv"
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
