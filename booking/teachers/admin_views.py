"""Profiles of visiting teachers (coordinators and the home school's admins), their home-school
timetables, the mandate progress page and the coordinator's mandate and visit settings.

Routes live on the ``teachers`` blueprint (loaded at the bottom of ``views.py``).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from booking.accounts.models import Role
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.bookings.errors import NotAllowed
from booking.extensions import db
from booking.permissions import (can_manage_district, can_manage_school, district_coordinator_required, role_required,
                                 viewed_district_id)
from booking.resources.rules import format_opening_hours
from booking.form_helpers import CsrfOnlyForm, attach_errors
from booking.labels import weekly_hours
from booking.schools.models import Term
from booking.schools.services import list_schools
from booking.teachers import mandate_plans
from booking.teachers import profiles as service
from booking.teachers.forms import BusyForm, ProfileForm, SettingsForm, TimetableForm, set_term_choices
from booking.teachers.mandates import mandate_lines, mandate_progress, save_mandates, term_or_current
from booking.teachers.models import TeacherProfile
from booking.teachers.views import bp
from booking.validation import MAX_ID, ValidationFailed
from booking.web import save_form


def _profile_or_404(profile_id: int) -> TeacherProfile:
    profile = db.get_or_404(TeacherProfile, profile_id)
    if not service.can_manage_teacher_profile(current_user, profile):
        abort(404)
    return profile


def _terms() -> list[Term]:
    return list(db.session.scalars(select(Term).order_by(Term.start_date)))


@bp.get("/profiles")
@role_required(Role.SCHOOL_ADMIN)
def profiles():
    return render_template("teachers/profiles.html", profiles=service.profiles_for(current_user))


def _profile_form(profile: TeacherProfile | None) -> ProfileForm:
    data = {"weekly_cap": "", "availability": "1-5 08:00-17:00"}
    if profile is not None:
        data = {"user_id": str(profile.user_id), "home_school_id": str(profile.home_school_id),
                "weekly_cap": str(profile.weekly_cap), "subjects": profile.subjects,
                "served_school_ids": [str(s.id) for s in profile.served],
                "availability": format_opening_hours(profile.resource.opening_hours)}
    form = ProfileForm(data=data)
    users = service.visiting_teacher_candidates(current_user)
    if profile is not None and profile.user not in users:
        users.insert(0, profile.user)  # the teacher it has stays selectable
    homes = [s for s in list_schools() if can_manage_school(current_user, s.id)]
    form.set_choices(users, service.unlinked_teacher_resources(current_user), list_schools(), homes,
                     keep_resource=profile is not None)
    return form


def _save_profile(profile: TeacherProfile | None):
    form = _profile_form(profile)
    return save_form(form, lambda: service.save_profile(form.to_input(), current_user, profile),
                     lambda saved: _("The profile of %(name)s was saved.", name=saved.user.display_name),
                     url_for("teachers.profiles"), "teachers/profile_form.html", attach_errors, profile=profile)


@bp.route("/profiles/new", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def new_profile():
    return _save_profile(None)


@bp.route("/profiles/<id:profile_id>/edit", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def edit_profile(profile_id: int):
    return _save_profile(_profile_or_404(profile_id))


def _render_profile(profile: TeacherProfile, busy_form: BusyForm | None = None,
                    timetable_form: TimetableForm | None = None, status: int = 200):
    busy_form, timetable_form = busy_form or BusyForm(), timetable_form or TimetableForm()
    terms = _terms()
    set_term_choices(busy_form, terms)
    set_term_choices(timetable_form, terms)
    return render_template("teachers/profile.html", profile=profile, busy_form=busy_form,
                           timetable_form=timetable_form, delete_form=CsrfOnlyForm(),
                           availability=weekly_hours(profile.resource.opening_hours)), status


@bp.get("/profiles/<id:profile_id>")
@role_required(Role.SCHOOL_ADMIN)
def show_profile(profile_id: int):
    return _render_profile(_profile_or_404(profile_id))


def _busy_change(profile: TeacherProfile, form, change, message: str, **forms):
    if not form.validate_on_submit():
        return _render_profile(profile, **forms, status=422)
    try:
        change()
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return _render_profile(profile, **forms, status=422)
    flash(message, "success")
    return redirect(url_for("teachers.show_profile", profile_id=profile.id))


@bp.post("/profiles/<id:profile_id>/busy")
@role_required(Role.SCHOOL_ADMIN)
def add_busy(profile_id: int):
    profile = _profile_or_404(profile_id)
    form = BusyForm()
    return _busy_change(profile, form, lambda: service.add_busy_time(current_user, profile, form.to_input()),
                        _("The home-school time was added."), busy_form=form)


@bp.post("/profiles/<id:profile_id>/busy/import")
@role_required(Role.SCHOOL_ADMIN)
def import_busy(profile_id: int):
    profile = _profile_or_404(profile_id)
    form = TimetableForm()
    return _busy_change(profile, form,
                        lambda: service.import_timetable(current_user, profile, form.timetable.data or "",
                                                         form.term_id.data or None),
                        _("The home-school timetable was imported."), timetable_form=form)


@bp.post("/profiles/<id:profile_id>/busy/<id:busy_id>/delete")
@role_required(Role.SCHOOL_ADMIN)
def delete_busy(profile_id: int, busy_id: int):
    profile = _profile_or_404(profile_id)
    if CsrfOnlyForm().validate_on_submit():
        if not confirmed():
            return confirmation_page(Confirmation(
                title=_("Remove this home-school time?"), action=request.path,
                back_url=url_for("teachers.show_profile", profile_id=profile.id),
                confirm_label=_("Remove the home-school time"),
                consequences=[_("The visiting teacher is then free for visits at that time; nothing booked changes.")]))
        try:
            service.remove_busy_time(current_user, profile, busy_id)
            flash(_("The home-school time was removed."), "success")
        except ValidationFailed as failed:
            for message in failed.errors.values():
                flash(message, "error")
    return redirect(url_for("teachers.show_profile", profile_id=profile.id))


# --- mandates --------------------------------------------------------------------------------


@bp.route("/mandates", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def mandates():
    """Tied school × mandate: delivered / planned / required; coordinators also set the numbers."""
    term_id = request.values.get("term", type=int)
    term = term_or_current(term_id if term_id and term_id <= MAX_ID else None)
    if term is None:
        return render_template("teachers/mandates.html", progress=None, terms=_terms(), errors={}), \
            404 if term_id else 200
    errors, status = {}, 200
    if request.method == "POST":
        if not can_manage_district(current_user):
            abort(403)
        if CsrfOnlyForm().validate_on_submit():
            try:
                save_mandates(current_user, term, request.form)
                flash(_("The mandates of %(term)s were saved.", term=term.name), "success")
                return redirect(url_for("teachers.mandates", term=term.id))
            except ValidationFailed as failed:
                errors, status = failed.errors, 422
    progress = mandate_progress(term, district_id=viewed_district_id(current_user))  # the viewer's district's schools
    return render_template("teachers/mandates.html", progress=progress, terms=_terms(),
                           lines=mandate_lines(term), errors=errors, values=request.form, form=CsrfOnlyForm(),
                           settings_form=SettingsForm(data={"auto_confirm": service.visits_auto_confirm()})), status


@bp.post("/settings")
@role_required(Role.COORDINATOR)
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            service.set_visits_auto_confirm(current_user, form.auto_confirm.data)
        except NotAllowed:
            abort(403)
        flash(_("Visit requests are now confirmed at once.") if form.auto_confirm.data
              else _("Visit requests now wait for the lead school's admin."), "success")
    return redirect(url_for("teachers.mandates"))


# --- the mandate planner ---------------------------------------------------------------------


def _plan_term() -> Term:
    term_id = request.values.get("term", type=int)
    term = term_or_current(term_id if term_id and term_id <= MAX_ID else None)
    if term is None:
        abort(404)
    return term


def _render_plan(term: Term, status: int = 200):
    proposal = mandate_plans.propose(current_user, term)
    return render_template("teachers/mandate_plan.html", proposal=proposal, terms=_terms(),
                           teacher_plans=mandate_plans.teacher_plans(proposal),
                           coverage=mandate_plans.school_coverage(proposal), form=CsrfOnlyForm()), status


@bp.get("/mandates/plan")
@district_coordinator_required
def mandate_plan():
    """The proposal for the rest of the term: per teacher week by week, per school against its mandates."""
    return _render_plan(_plan_term())


@bp.post("/mandates/plan")
@district_coordinator_required
def commit_mandate_plan():
    term = _plan_term()
    if not CsrfOnlyForm().validate_on_submit():
        return _render_plan(term, 400)
    try:
        _proposal, booked = mandate_plans.commit(current_user, term, request.form.get("digest", ""))
    except mandate_plans.PlanChanged:
        flash(_("The plan changed since you saw it (bookings, timetables or mandates changed). Check the new plan "
                "before committing it."), "error")
        return _render_plan(term, 409)
    except mandate_plans.PlanRefused as refused:
        db.session.rollback()
        flash(_("Nothing was booked: the lesson on %(day)s, period %(period)d was refused: %(reason)s",
                day=refused.lesson.day.isoformat(), period=refused.lesson.period_number,
                reason="; ".join(str(r.message) for r in refused.refused.refusals)), "error")
        return _render_plan(term, 409)
    flash(_("%(n)d visits were booked from the plan.", n=len(booked)), "success")
    return redirect(url_for("teachers.mandates", term=term.id))
