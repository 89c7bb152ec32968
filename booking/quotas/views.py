"""The coordinators' fair-shares page: priority booking windows, term quotas and their exceptions.

Coordinators of a district (and county coordinators, for the district they choose: ``?district=``) set its
windows and quotas; a coordinator (district or area) grants exceptions to the schools they manage. Thin: the
forms carry input, booking.quotas.services validates, audits and flushes.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from booking.accounts.models import Role
from booking.extensions import db
from booking.labels import label
from booking.parsing import parse_whole_number
from booking.permissions import can_grant_quota_exception, can_set_fair_shares, may_choose_district, role_required
from booking.quotas import services, settings
from booking.quotas.districts import settings_district
from booking.quotas.forms import ExceptionForm, QuotaForm, WindowForm, typed_number
from booking.quotas.models import QuotaException, TermQuota, scope_key
from booking.resources.models import Category, Resource
from booking.form_helpers import attach_errors
from booking.schools.models import District, School, Term
from booking.schools.services import county_district_ids, list_districts
from booking.validation import MAX_ID, ValidationFailed

bp = Blueprint("quotas", __name__, url_prefix="/admin/quotas")


def _chosen() -> int | None:
    raw = (request.args.get("district") or "").strip()
    chosen = parse_whole_number(raw, MAX_ID) if raw else None
    if raw and chosen is None:
        abort(404)
    return chosen


def _district_id() -> int:
    """The coordinator's district; a county coordinator's choice (``?district=``, else the first)."""
    if "quota_district_id" not in g:
        district = settings_district(current_user, _chosen())
        if district is None:
            abort(404)
        g.quota_district_id = district.id
    return g.quota_district_id


def _district_args() -> dict:
    """What the page's links and forms carry to stay on the district shown."""
    return {"district": _district_id()} if may_choose_district(current_user) else {}


def _scope_choices(with_district: bool) -> list[tuple[str, str]]:
    choices = [("district", _("The whole district (default)"))] if with_district else []
    choices += [(f"category:{c.value}", _("Category: %(name)s", name=label(c))) for c in Category]
    resources = db.session.scalars(select(Resource).where(Resource.active).join(Resource.owner_school).where(
        School.district_id == _district_id()).order_by(Resource.name))
    choices += [(f"resource:{r.id}", _("Resource: %(name)s (%(school)s)", name=r.name, school=r.owner_school.name))
                for r in resources]
    return choices


def _forms(window=None, quota=None, exception=None):
    window = window or WindowForm(prefix="window")
    window.set_scopes(_scope_choices(True))
    quota = quota or QuotaForm(prefix="quota")
    quota.set_scopes(_scope_choices(False))
    exception = exception or ExceptionForm(prefix="exception")
    district_id = _district_id()
    exception.quota_id.choices = [(str(q.id), services.scope_label(q)) for q in settings.list_quotas(district_id)]
    schools = db.session.scalars(select(School).where(School.active).order_by(School.code))
    exception.school_id.choices = [(str(s.id), s.name) for s in schools if can_grant_quota_exception(current_user, s.id)]
    exception.term_id.choices = [(str(t.id), t.name) for t in db.session.scalars(
        select(Term).where(Term.district_id.in_(county_district_ids(district_id))).order_by(Term.start_date.desc()))]
    return window, quota, exception


def _page(window=None, quota=None, exception=None, status: int = 200):
    district_id = _district_id()
    window, quota, exception = _forms(window, quota, exception)
    exceptions = db.session.scalars(select(QuotaException).join(TermQuota).where(
        TermQuota.district_id == district_id).order_by(QuotaException.created_at.desc(), QuotaException.id.desc()))
    return render_template(
        "admin/quotas.html", windows=settings.list_windows(district_id), quotas=settings.list_quotas(district_id),
        exceptions=[e for e in exceptions if can_grant_quota_exception(current_user, e.school_id)],
        window_form=window, quota_form=quota, exception_form=exception,
        may_set=can_set_fair_shares(current_user, district_id), scope_name=_scope_name,
        district=db.session.get(District, district_id), district_args=_district_args(),
        districts=list_districts() if may_choose_district(current_user) else []), status


def _scope_name(row) -> str:
    if row.resource is not None:
        return row.resource.name
    return str(label(Category(row.category))) if row.category else _("The whole district (default)")


def _prefilled(scope: str) -> tuple[WindowForm, QuotaForm]:
    """The two settings forms opened on one scope (``?scope=resource:12`` from the resource's edit form),
    with what is set there now."""
    window, quota = WindowForm(prefix="window"), QuotaForm(prefix="quota")
    resource_id, category = settings.parse_scope(scope)
    key = scope_key(resource_id, category)
    window.scope.data = quota.scope.data = key
    district_id = _district_id()
    for form, rows, names in ((window, settings.list_windows(district_id), settings.WINDOW_FIELDS),
                              (quota, settings.list_quotas(district_id), settings.QUOTA_FIELDS)):
        row = next((r for r in rows if r.scope_key == key), None)
        for name in names:
            value = getattr(row, name) if row is not None else None
            getattr(form, name).data = "" if value is None else f"{value:g}"
    return window, quota


@bp.get("/")
@role_required(Role.COORDINATOR)
def index():
    if request.args.get("scope"):
        window, quota = _prefilled(request.args["scope"])
        return _page(window=window, quota=quota)
    return _page()


def _save(form, save, message: str, **which):
    try:
        save()
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return _page(status=422, **which)
    flash(message, "success")
    return redirect(url_for("quotas.index", **_district_args()))


@bp.post("/window")
@role_required(Role.COORDINATOR)
def set_window():
    if not can_set_fair_shares(current_user, _district_id()):
        abort(403)
    form = WindowForm(prefix="window")
    if not form.validate_on_submit():
        return _page(window=form, status=422)
    resource_id, category = settings.parse_scope(form.scope.data)
    return _save(form, lambda: settings.set_window(current_user, _district_id(), form.values(), resource_id, category),
                 _("The booking window was saved."), window=form)


@bp.post("/quota")
@role_required(Role.COORDINATOR)
def set_quota():
    if not can_set_fair_shares(current_user, _district_id()):
        abort(403)
    form = QuotaForm(prefix="quota")
    if not form.validate_on_submit():
        return _page(quota=form, status=422)
    resource_id, category = settings.parse_scope(form.scope.data)
    return _save(form, lambda: settings.set_quota(current_user, _district_id(), form.values(), resource_id, category),
                 _("The term quota was saved."), quota=form)


def _id(value) -> int | None:
    number = typed_number(value)
    return number if isinstance(number, int) and 0 < number < 2**31 else None


@bp.post("/exception")
@role_required(Role.COORDINATOR)
def grant_exception():
    form = ExceptionForm(prefix="exception")
    if not form.validate_on_submit():
        return _page(exception=form, status=422)
    quota_id = _id(form.quota_id.data)
    quota = db.session.get(TermQuota, quota_id) if quota_id else None
    if quota is None or quota.district_id != _district_id():
        attach_errors(form, {"quota_id": _("Choose a quota.")})
        return _page(exception=form, status=422)
    return _save(form, lambda: settings.grant_exception(current_user, quota, _id(form.school_id.data),
                                                        _id(form.term_id.data), typed_number(form.extra_hours.data),
                                                        form.reason.data or ""),
                 _("The exception was granted and recorded."), exception=form)
