"""The coordinator's user administration: list with search and filters, add, edit.

Views are thin: read the form, call the service, redirect; or show the service's field
errors on the same page (status 422) with nothing saved.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.accounts import services
from booking.accounts.forms import UserForm
from booking.accounts.models import Role, User
from booking.extensions import db
from booking.permissions import (
    can_change_user, can_manage_area, can_manage_school, may_choose_district, role_required,
)
from booking.form_helpers import attach_errors
from booking.schools.services import list_districts, list_schools
from booking.web import save_form

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")

USERS_PER_PAGE = 50


@bp.get("/")
@role_required(Role.COORDINATOR)
def list_users():
    filters = services.UserFilter.from_args(request.args)
    page = db.paginate(services.users_query(filters, current_user), page=request.args.get("page", 1, type=int),
                       per_page=USERS_PER_PAGE, error_out=False)
    # Page links keep the filters: every query argument but the page number.
    query_args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("admin/users.html", page=page, filters=filters, query_args=query_args,
                           schools=_schools_in_scope(include_inactive=True), roles=list(Role))


def _schools_in_scope(include_inactive: bool) -> list:
    return [s for s in list_schools(include_inactive=include_inactive) if can_manage_school(current_user, s.id)]


def _areas_in_scope() -> list[str]:
    return [area for area in services.school_areas() if can_manage_area(current_user, area)]


def _district_value(district_id: int | None) -> str:
    return "" if district_id is None else str(district_id)


def _user_form(user: User | None = None) -> UserForm:
    if user is None:
        form = UserForm(data={"role": Role.TEACHER.value, "locale": "zh_CN", "active": True,
                              "district": _district_value(current_user.district_id)})
    else:
        form = UserForm(data={"email": user.email, "display_name": user.display_name, "role": user.role.value,
                              "school": user.school.code if user.school else "", "locale": user.locale,
                              "active": user.active, "area": user.area, "district": _district_value(user.district_id),
                              "staff_number": user.staff_number or ""})
        form.password.label.text = _("New password (leave blank to keep the current one)")
    # Editing keeps a deactivated school selectable, so its people do not silently lose it.
    form.set_school_choices(_schools_in_scope(include_inactive=user is not None), _("No school (coordinators)"))
    form.set_area_choices(_areas_in_scope(), _("The whole district"))
    county = may_choose_district(current_user)
    form.set_district_choices([d for d in list_districts() if county or d.id == current_user.district_id],
                              _("None: the whole county (a county coordinator)") if county else None)
    return form


def _save(form: UserForm, save, success_message, user: User | None):
    return save_form(form, save, success_message, url_for("users_admin.list_users"), "admin/users_form.html",
                     attach_errors, user=user)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_user():
    form = _user_form()
    return _save(form, lambda: services.create_user(form.to_input(), current_user),
                 lambda saved: _("The user %(name)s was added.", name=saved.display_name), None)


@bp.route("/<id:user_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not can_change_user(current_user, user):
        abort(404)
    form = _user_form(user)
    return _save(form, lambda: services.update_user_by_admin(user, form.to_input(), form.active.data, current_user),
                 lambda saved: _("The user %(name)s was saved.", name=saved.display_name), user)
