"""Coordinator administration of schools, travel times, bell schedules and terms (the closures' pages,
which settle the bookings a closure falls on, are ``booking.calendars.closure_views`` on this blueprint).

Views are thin: read the form, call the service, then flash and redirect, or show the
service's field errors on the same page (status 422) with nothing saved.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.accounts.models import Role
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.permissions import (
    can_manage_school, district_coordinator_required, is_district_coordinator, role_required,
)
from booking.schools import calendar, services, travel
from booking.schools.forms import BellScheduleForm, SchoolForm, TermForm
from booking.form_helpers import CsrfOnlyForm, attach_errors
from booking.schools.models import School, Term
from booking.schools.rules import travel_key
from booking.validation import ValidationFailed
from booking.web import save_form

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_global(is_district_coordinator, "is_district_coordinator")


@bp.get("/")
@role_required(Role.COORDINATOR)
def dashboard():
    return render_template("admin/dashboard.html")


def _managed_school_or_404(school_id: int) -> School:
    """A school the current coordinator manages (an area coordinator: their area's); others are not found."""
    school = db.get_or_404(School, school_id)
    if not can_manage_school(current_user, school.id):
        abort(404)
    return school


def _managed_schools(include_inactive: bool = False) -> list[School]:
    return [s for s in services.list_schools(include_inactive=include_inactive)
            if can_manage_school(current_user, s.id)]


def _save(form, save, success_message: str, next_url: str | None, template: str, **context):
    """The shared add/edit pattern (``web.save_form``) with this module's error attachment."""
    return save_form(form, save, lambda _saved: success_message, next_url or request.path, template,
                     attach_errors, **context)


# --- Schools ---------------------------------------------------------------------------------------


@bp.get("/schools")
@role_required(Role.COORDINATOR)
def list_schools():
    schools = _managed_schools(include_inactive=True)
    districts = services.list_districts()
    # Several districts (a county): each school says its district.
    district_names = {d.id: d.name for d in districts} if len(districts) > 1 else {}
    return render_template("admin/schools.html", groups=services.schools_by_lead(schools), button=CsrfOnlyForm(),
                           district_names=district_names)


def _school_form(school: School | None = None) -> SchoolForm:
    lead_code = school.lead_school.code if school is not None and school.lead_school else ""
    form = SchoolForm(obj=school, lead_school_code=lead_code)
    if school is None and not form.is_submitted():
        form.area.data = current_user.area  # an area coordinator adds schools to their area
    leads = [s for s in _managed_schools() if s.is_lead and s is not school]
    form.set_lead_choices(leads, _("Not tied to a lead school"))
    return form


@bp.route("/schools/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_school():
    form = _school_form()
    return _save(form, lambda: services.create_school(form.to_input(), current_user),
                 _("The school was added."), url_for("admin.list_schools"), "admin/schools_form.html", school=None)


def _school_page_context(school: School) -> dict:
    """The school page beyond its form: its travel-time row (active schools only) and buttons."""
    matrix = travel.travel_matrix()
    pairs = travel.school_pairs(_managed_schools(), around=school) if school.active else []
    stored = {travel_key(a.id, b.id): travel.travel_minutes(a.id, b.id, matrix) for a, b in pairs}
    return {"school": school, "travel_pairs": pairs, "travel_values": stored, "travel_errors": {},
            "travel_key": travel_key, "button": CsrfOnlyForm()}


@bp.route("/schools/<id:school_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_school(school_id: int):
    school = _managed_school_or_404(school_id)
    form = _school_form(school)
    return _save(form, lambda: services.update_school(school, form.to_input(), current_user),
                 _("The school was saved."), url_for("admin.list_schools"), "admin/schools_form.html",
                 **_school_page_context(school))


def _may_deactivate(school: School) -> bool:
    try:
        services.check_deactivation(school)
    except ValidationFailed:
        return False  # the refusal is said by the service on this same post
    return True


@bp.post("/schools/<id:school_id>/active")
@role_required(Role.COORDINATOR)
def set_school_active(school_id: int):
    school = _managed_school_or_404(school_id)
    if CsrfOnlyForm().validate_on_submit():
        active = request.form.get("active") == "1"
        if not active and school.active and not confirmed() and _may_deactivate(school):
            return confirmation_page(Confirmation(
                title=_("Deactivate %(name)s?", name=school.name), action=request.path,
                back_url=url_for("admin.edit_school", school_id=school.id),
                confirm_label=_("Deactivate %(name)s", name=school.name), hidden={"active": "0"},
                consequences=[_("%(name)s then takes no new bookings, and its resources leave the lists teachers "
                                "choose from.", name=school.name),
                              _("Nothing is cancelled or deleted: its bookings, users and history are kept."),
                              _("You can reactivate it at any time.")]))
        try:
            services.set_school_active(school, active, current_user)
        except ValidationFailed as failed:
            for message in failed.errors.values():
                flash(message, "error")
        else:
            flash(_("The school is active again.") if active else _("The school was deactivated."), "success")
    return redirect(url_for("admin.list_schools"))


# --- Travel times ----------------------------------------------------------------------------------


def _submitted_travel(pairs) -> dict:
    return {(a.id, b.id): request.form.get(travel_key(a.id, b.id), "").strip() for a, b in pairs}


def _save_travel(pairs) -> tuple[bool, dict, dict]:
    """Save the submitted minutes for ``pairs``: (saved, values as typed, errors)."""
    submitted = _submitted_travel(pairs)
    values = {travel_key(a, b): raw for (a, b), raw in submitted.items()}
    try:
        travel.set_travel_times(submitted, current_user)
    except ValidationFailed as failed:
        return False, values, failed.errors
    flash(_("The travel times were saved."), "success")
    return True, values, {}


@bp.route("/travel", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def travel_matrix():
    schools = _managed_schools()
    pairs = travel.school_pairs(schools)
    form = CsrfOnlyForm()
    values, errors = {}, {}
    if form.validate_on_submit():
        saved, values, errors = _save_travel(pairs)
        if saved:
            return redirect(url_for("admin.travel_matrix"))
    if not values:
        values = {travel_key(a, b): minutes for (a, b), minutes in travel.travel_matrix().items()}
    return render_template("admin/travel.html", schools=schools, values=values, errors=errors, form=form,
                           pair_count=len(pairs), travel_key=travel_key), 422 if errors else 200


@bp.post("/schools/<id:school_id>/travel")
@role_required(Role.COORDINATOR)
def school_travel(school_id: int):
    school = _managed_school_or_404(school_id)
    if not CsrfOnlyForm().validate_on_submit():
        return redirect(url_for("admin.edit_school", school_id=school.id))
    context = _school_page_context(school)
    saved, values, errors = _save_travel(context["travel_pairs"])
    if saved:
        return redirect(url_for("admin.edit_school", school_id=school.id))
    context.update(travel_values=values, travel_errors=errors)
    return render_template("admin/schools_form.html", form=_school_form(school), **context), 422


# --- Bell schedules --------------------------------------------------------------------------------


@bp.route("/schools/<id:school_id>/bells", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_bells(school_id: int):
    school = _managed_school_or_404(school_id)
    form = BellScheduleForm()
    source = None
    if not form.is_submitted():
        source = db.session.get(School, request.args.get("copy_from", type=int) or 0)
        source = None if source is school else source
        form.fill(services.period_rows(source or school))
    others = [s for s in _managed_schools() if s.id != school.id and s.bell_periods]
    return _save(form, lambda: services.replace_bell_schedule(school, form.to_rows(), current_user),
                 _("The bell schedule of %(school)s was saved.", school=school.name),
                 url_for("admin.edit_school", school_id=school.id), "admin/bells.html",
                 school=school, copied_from=source, others=others)


# --- Terms -----------------------------------------------------------------------------------------


@bp.get("/terms")
@district_coordinator_required
def list_terms():
    return render_template("admin/terms.html", terms=calendar.list_terms(), current=services.current_term())


@bp.route("/terms/new", methods=["GET", "POST"])
@district_coordinator_required
def new_term():
    form = TermForm()
    return _save(form, lambda: calendar.create_term(form.to_input(), current_user), _("The term was added."),
                 url_for("admin.list_terms"), "admin/terms_form.html", term=None)


@bp.route("/terms/<id:term_id>", methods=["GET", "POST"])
@district_coordinator_required
def edit_term(term_id: int):
    term = db.get_or_404(Term, term_id)
    form = TermForm(obj=term)
    return _save(form, lambda: calendar.update_term(term, form.to_input(), current_user), _("The term was saved."),
                 url_for("admin.list_terms"), "admin/terms_form.html", term=term)


from booking.schools import makeup_views  # noqa: E402,F401  (registers the make-up day routes on bp)
