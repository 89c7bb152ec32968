"""The coordinator's closures pages (on the ``admin`` blueprint): the list with the bookings kept on
closures, and adding or editing one, which first lists the bookings it falls on and asks to cancel or
keep them (``booking.bookings.closures``). County coordinators manage every closure; a district's
coordinator (学区长) the district's and its schools'; an area coordinator those of their area's schools
(``permissions.can_manage_closure``), and sees the county's and their district's (``can_see_closure``).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from booking.bookings import closures, hits
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.form_helpers import CsrfOnlyForm, attach_errors
from booking.accounts.models import Role
from booking.permissions import can_manage_closure, can_see_closure, role_required
from booking.schools import calendar
from booking.schools.forms import ClosureForm
from booking.schools.models import Closure
from booking.schools.places import place_namer, wide_choices
from booking.schools.views import _managed_schools, bp
from booking.validation import ValidationFailed
from booking.web import save_form


# --- Closures --------------------------------------------------------------------------------------


@bp.get("/closures")
@role_required(Role.COORDINATOR)
def list_closures():
    school_id = request.args.get("school", type=int)
    upcoming, past = calendar.list_closures(school_id)
    upcoming, past = _seen(upcoming), _seen(past)
    return render_template("admin/closures.html", upcoming=upcoming, past=past, school_id=school_id,
                           flagged=closures.kept_on_closures([c for c in upcoming if _manages(c)]),
                           manages=_manages, schools=_managed_schools(include_inactive=True), button=CsrfOnlyForm(),
                           place=place_namer())


def _manages(closure: Closure) -> bool:
    return can_manage_closure(current_user, closure.school_id, closure.district_id)


def _seen(found: list[Closure]) -> list[Closure]:
    return [c for c in found if can_see_closure(current_user, c)]


def _managed_closure_or_404(closure_id: int) -> Closure:
    closure = db.get_or_404(Closure, closure_id)
    if not _manages(closure):
        abort(404)
    return closure


def _closure_form(closure: Closure | None = None) -> ClosureForm:
    form = ClosureForm(obj=closure)
    if closure is not None and not form.is_submitted():
        form.start_time.data = closure.start_time.strftime("%H:%M") if closure.start_time else ""
        form.end_time.data = closure.end_time.strftime("%H:%M") if closure.end_time else ""
        form.school_id.data = form.choice_of(closure.school_id, closure.district_id)
    form.set_place_choices(wide_choices(current_user), _managed_schools())
    return form


def _closure_confirmation(form: ClosureForm, closure: Closure | None):
    """The page listing the bookings a valid closure falls on, until the coordinator has chosen for
    exactly those; None when there is nothing to confirm (or the input is bad: saving shows why)."""
    if not form.validate_on_submit():
        return None
    try:
        span = closures.validated(form.to_input(), actor=current_user)
    except ValidationFailed:
        return None
    affected = closures.closure_hits(span)
    ask, changed = hits.must_confirm(affected, hits.chosen(form.on_bookings.data), form.shown.data)
    if not ask:
        return None
    form.shown.data = hits.shown_ids(affected)
    return render_template("admin/closure_confirm.html", form=form, closure=closure, span=span,
                           place=place_namer(in_sentence=True)(span), affected=affected, changed=changed)


def _closure_saved_message(saved: closures.ClosureSaved, first: str) -> str:
    parts = [first]
    if saved.cancelled:
        parts.append(ngettext("%(num)d booking on it was cancelled.", "%(num)d bookings on it were cancelled.",
                              len(saved.cancelled)))
    if saved.kept:
        parts.append(ngettext("%(num)d booking on it is kept and flagged on the closures page.",
                              "%(num)d bookings on it are kept and flagged on the closures page.", len(saved.kept)))
    return " ".join(parts)


def _save_closure(form: ClosureForm, closure: Closure | None, save, first_message: str):
    confirmation = _closure_confirmation(form, closure)
    if confirmation is not None:
        return confirmation
    choice = hits.chosen(form.on_bookings.data) or "keep"
    return save_form(form, lambda: save(choice), lambda saved: _closure_saved_message(saved, first_message),
                     url_for("admin.list_closures"), "admin/closures_form.html", attach_errors, closure=closure)


@bp.route("/closures/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_closure():
    form = _closure_form()
    return _save_closure(form, None, lambda choice: closures.create_closure(form.to_input(), current_user, choice),
                         _("The closure was added."))


@bp.route("/closures/<id:closure_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_closure(closure_id: int):
    closure = _managed_closure_or_404(closure_id)
    form = _closure_form(closure)
    return _save_closure(form, closure,
                         lambda choice: closures.update_closure(closure, form.to_input(), current_user, choice),
                         _("The closure was saved."))


@bp.post("/closures/<id:closure_id>/delete")
@role_required(Role.COORDINATOR)
def delete_closure(closure_id: int):
    closure = _managed_closure_or_404(closure_id)
    if CsrfOnlyForm().validate_on_submit():
        if not confirmed():
            where = place_namer(in_sentence=True)(closure)
            return confirmation_page(Confirmation(
                title=_("Delete the closure %(reason)s?", reason=closure.reason), action=request.path,
                back_url=url_for("admin.list_closures"), confirm_label=_("Delete the closure"),
                consequences=[_("On %(day)s, %(where)s can be booked again.", day=format_date(closure.start_date),
                                where=where) if closure.start_date == closure.end_date else
                              _("From %(start)s to %(end)s, %(where)s can be booked again.",
                                start=format_date(closure.start_date), end=format_date(closure.end_date), where=where),
                              _("Nothing already booked or cancelled changes.")]))
        calendar.delete_closure(closure, current_user)
        flash(_("The closure was deleted."), "success")
    return redirect(url_for("admin.list_closures"))
