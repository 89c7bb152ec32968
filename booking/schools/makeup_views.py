"""The coordinators' make-up teaching days (调休上课 / 补班), beside the closures: kept, like them, by whoever
keeps the closures of the same place (``permissions.can_manage_makeup_day``): the county's by county
coordinators, a district's by its coordinator (学区长), one school's by those who manage the school."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.accounts.models import Role
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.i18n import format_day
from booking.labels import WEEKDAYS
from booking.permissions import can_manage_makeup_day, can_see_makeup_day, role_required
from booking.schools import makeup
from booking.form_helpers import CsrfOnlyForm
from booking.schools.forms import MakeupDayForm
from booking.schools.models import MakeupDay
from booking.schools.places import place_namer, wide_choices
from booking.schools.views import _managed_schools, _save, bp


def _manages(day: MakeupDay) -> bool:
    return can_manage_makeup_day(current_user, day.school_id, day.district_id)


def _managed_or_404(makeup_id: int) -> MakeupDay:
    day = db.get_or_404(MakeupDay, makeup_id)
    if not _manages(day):
        abort(404)
    return day


@bp.get("/makeup-days")
@role_required(Role.COORDINATOR)
def list_makeup_days():
    school_id = request.args.get("school", type=int)
    upcoming, past = (
        [d for d in found if can_see_makeup_day(current_user, d)] for found in makeup.list_makeup_days(school_id))
    return render_template("admin/makeup_days.html", upcoming=upcoming, past=past, school_id=school_id,
                           schools=_managed_schools(include_inactive=True), button=CsrfOnlyForm(), manages=_manages,
                           place=place_namer())


def _form(day: MakeupDay | None = None) -> MakeupDayForm:
    form = MakeupDayForm(obj=day)
    form.set_choices(wide_choices(current_user), _managed_schools())
    if day is not None and request.method == "GET":
        form.school_id.data = form.choice_of(day.school_id, day.district_id)
        form.follows_weekday.data = str(day.follows_weekday)
        form.day.data = day.day.isoformat()
    return form


@bp.route("/makeup-days/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_makeup_day():
    form = _form()
    return _save(form, lambda: makeup.create_makeup_day(form.to_input(), current_user),
                 _("The make-up day was added."), url_for("admin.list_makeup_days"), "admin/makeup_days_form.html",
                 makeup_day=None)


@bp.route("/makeup-days/<id:makeup_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_makeup_day(makeup_id: int):
    day = _managed_or_404(makeup_id)
    form = _form(day)
    return _save(form, lambda: makeup.save_makeup_day(day, form.to_input(), current_user),
                 _("The make-up day was saved."), url_for("admin.list_makeup_days"), "admin/makeup_days_form.html",
                 makeup_day=day)


@bp.post("/makeup-days/<id:makeup_id>/delete")
@role_required(Role.COORDINATOR)
def delete_makeup_day(makeup_id: int):
    day = _managed_or_404(makeup_id)
    if CsrfOnlyForm().validate_on_submit():
        if not confirmed():
            return confirmation_page(Confirmation(
                title=_("Delete the make-up day %(reason)s?", reason=day.reason), action=request.path,
                back_url=url_for("admin.list_makeup_days"), confirm_label=_("Delete the make-up day"),
                consequences=[_("On %(day)s %(where)s no longer teaches the timetable of %(weekday)s: that weekday's "
                                "weekly bookings and opening hours no longer apply that day.",
                                day=format_day(day.day, "full"), where=place_namer(in_sentence=True)(day),
                                weekday=WEEKDAYS[day.follows_weekday]),
                              _("No booking is cancelled or made by this.")]))
        makeup.delete_makeup_day(day, current_user)
        flash(_("The make-up day was deleted."), "success")
    return redirect(url_for("admin.list_makeup_days"))
