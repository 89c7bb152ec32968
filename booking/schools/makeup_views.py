"""The district coordinator's make-up teaching days (调休上课 / 补班), beside the closures."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.i18n import format_day
from booking.labels import WEEKDAYS
from booking.permissions import district_coordinator_required
from booking.schools import makeup, services
from booking.form_helpers import CsrfOnlyForm
from booking.schools.forms import MakeupDayForm
from booking.schools.models import MakeupDay
from booking.schools.views import _save, bp


@bp.get("/makeup-days")
@district_coordinator_required
def list_makeup_days():
    school_id = request.args.get("school", type=int)
    upcoming, past = makeup.list_makeup_days(school_id)
    return render_template("admin/makeup_days.html", upcoming=upcoming, past=past, school_id=school_id,
                           schools=services.list_schools(include_inactive=True), button=CsrfOnlyForm())


def _form(day: MakeupDay | None = None) -> MakeupDayForm:
    form = MakeupDayForm(obj=day)
    form.set_choices(services.list_schools(), _("The whole district"))
    if day is not None and request.method == "GET":
        form.school_id.data = str(day.school_id or "")
        form.follows_weekday.data = str(day.follows_weekday)
        form.day.data = day.day.isoformat()
    return form


@bp.route("/makeup-days/new", methods=["GET", "POST"])
@district_coordinator_required
def new_makeup_day():
    form = _form()
    return _save(form, lambda: makeup.create_makeup_day(form.to_input(), current_user), _("The make-up day was added."),
                 url_for("admin.list_makeup_days"), "admin/makeup_days_form.html", makeup_day=None)


@bp.route("/makeup-days/<id:makeup_id>", methods=["GET", "POST"])
@district_coordinator_required
def edit_makeup_day(makeup_id: int):
    day = db.get_or_404(MakeupDay, makeup_id)
    form = _form(day)
    return _save(form, lambda: makeup.save_makeup_day(day, form.to_input(), current_user),
                 _("The make-up day was saved."), url_for("admin.list_makeup_days"), "admin/makeup_days_form.html",
                 makeup_day=day)


@bp.post("/makeup-days/<id:makeup_id>/delete")
@district_coordinator_required
def delete_makeup_day(makeup_id: int):
    day = db.get_or_404(MakeupDay, makeup_id)
    if CsrfOnlyForm().validate_on_submit():
        if not confirmed():
            return confirmation_page(Confirmation(
                title=_("Delete the make-up day %(reason)s?", reason=day.reason), action=request.path,
                back_url=url_for("admin.list_makeup_days"), confirm_label=_("Delete the make-up day"),
                consequences=[_("On %(day)s %(where)s no longer teaches the timetable of %(weekday)s: that weekday's "
                                "weekly bookings and opening hours no longer apply that day.",
                                day=format_day(day.day, "full"),
                                where=day.school.name if day.school else _("the whole district"),
                                weekday=WEEKDAYS[day.follows_weekday]),
                              _("No booking is cancelled or made by this.")]))
        makeup.delete_makeup_day(day, current_user)
        flash(_("The make-up day was deleted."), "success")
    return redirect(url_for("admin.list_makeup_days"))
