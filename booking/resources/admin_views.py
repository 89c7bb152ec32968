"""Managing resources: coordinators for every school, school admins for their own.

Routes live on the ``resources`` blueprint (loaded at the bottom of ``views.py``). Views are thin:
read the form, call the service, redirect; or show the service's field errors (422), nothing saved.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from booking.accounts.models import Role
from booking.bookings import hits
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.i18n import district_zone, format_span
from booking.permissions import can_manage_school, role_required
from booking.resources import blackouts, edits, services
from booking.resources.forms import BlackoutForm, resource_form
from booking.resources.models import Category, Resource, ResourceKind
from booking.resources.views import bp
from booking.form_helpers import CsrfOnlyForm, attach_errors
from booking.validation import ValidationFailed
from booking.web import save_form

CONFIRM_LIST_LIMIT = 50  # a confirmation lists this many of what it leaves or cancels, then says how many more

# Pages show "Edit" links only to the people the edit pages would let in.
bp.add_app_template_global(can_manage_school, "can_manage_school")


def _managed_resource_or_404(resource_id: int) -> Resource:
    """The resource: 404 when there is none, 403 when ``current_user`` may not manage its school."""
    resource = db.get_or_404(Resource, resource_id)
    if not can_manage_school(current_user, resource.owner_school_id):
        abort(403)
    return resource


@bp.get("/manage")
@role_required(Role.SCHOOL_ADMIN)
def manage_resources():
    filters = services.ResourceFilter.from_args(request.args)
    return render_template(
        "resources/admin_list.html", resources=services.manageable_resources(current_user, filters),
        filters=filters, schools=services.manageable_schools(current_user), categories=list(Category),
        kinds=list(ResourceKind), button=CsrfOnlyForm(),
    )


def _show_errors(form, errors: dict) -> None:
    """Field errors on their inputs; the opening-hours error beside the hours grid."""
    others = dict(errors)
    hours_error = others.pop("opening_hours", None)
    attach_errors(form, others)
    if hours_error:
        form.opening_hours.errors = [*form.opening_hours.errors, hours_error]


def _save(form, save, success_message, resource: Resource | None):
    return save_form(form, save, success_message, url_for("resources.manage_resources"), "resources/form.html",
                     _show_errors, resource=resource)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def new_resource():
    form = resource_form(services.manageable_schools(current_user))
    return _save(form, lambda: services.create_resource(form.to_input(), current_user),
                 lambda saved: _("The resource %(name)s was added.", name=saved.name), None)


def _school_choices(resource: Resource):
    """The schools the resource may move to; its own school even when that school was deactivated."""
    schools = services.manageable_schools(current_user)
    return schools if resource.owner_school in schools else [resource.owner_school, *schools]


def _saved_message(saved: services.ResourceSaved) -> str:
    parts = [_("The resource %(name)s was saved.", name=saved.resource.name)]
    if saved.cancelled:
        parts.append(ngettext("%(num)d booking it no longer allowed was cancelled.",
                              "%(num)d bookings it no longer allowed were cancelled.", len(saved.cancelled)))
    if saved.confirmed:
        parts.append(ngettext("%(num)d request was confirmed: approval is no longer needed.",
                              "%(num)d requests were confirmed: approval is no longer needed.", len(saved.confirmed)))
    return " ".join(parts)


@bp.route("/<id:resource_id>/edit", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def edit_resource(resource_id: int):
    """The edit form; an edit that would break active bookings lists them first (nothing saved) and
    saves only when the admin chose to cancel exactly those."""
    resource = _managed_resource_or_404(resource_id)
    form = resource_form(_school_choices(resource), resource)

    def save():
        return services.update_resource(resource, form.to_input(), current_user,
                                        cancel_broken=form.cancels_broken(), expected_ids=form.shown_ids())

    try:
        return _save(form, save, _saved_message, resource)
    except edits.BookingsBroken as refused:
        form.shown.data = ",".join(str(booking_id) for booking_id in refused.ids)
        return render_template("resources/form.html", form=form, resource=resource, broken=refused.broken,
                               changed=refused.changed)


def _archive_confirmation(resource: Resource):
    upcoming = services.upcoming_bookings(resource)
    return confirmation_page(Confirmation(
        title=_("Archive %(name)s?", name=resource.name), action=request.path,
        back_url=url_for("resources.manage_resources"), confirm_label=_("Archive %(name)s", name=resource.name),
        hidden={"active": "0"},
        consequences=[_("%(name)s (%(school)s) can no longer be booked, and it leaves the lists teachers choose from.",
                        name=resource.name, school=resource.owner_school.name),
                      ngettext("Nothing is cancelled: its %(num)d booking still to come is kept; cancel it yourself "
                               "if it cannot take place.",
                               "Nothing is cancelled: its %(num)d bookings still to come are kept; cancel them "
                               "yourself if they cannot take place.", len(upcoming)) if upcoming
                      else _("It has no bookings still to come."),
                      _("You can restore it at any time.")],
        items_heading=_("Bookings still to come"),
        items=[f"{format_span(b.starts_at, b.ends_at)} · {b.school.name if b.school else ''} {b.class_name} · {b.title}"
               for b in upcoming[:CONFIRM_LIST_LIMIT]]))


@bp.post("/<id:resource_id>/active")
@role_required(Role.SCHOOL_ADMIN)
def set_resource_active(resource_id: int):
    resource = _managed_resource_or_404(resource_id)
    if CsrfOnlyForm().validate_on_submit():
        active = request.form.get("active") == "1"
        if not active and resource.active and not confirmed():
            return _archive_confirmation(resource)
        services.set_resource_active(resource, active, current_user)
        flash(_("%(name)s can be booked again.", name=resource.name) if active
              else _("%(name)s was archived: it can no longer be booked.", name=resource.name), "success")
    return redirect(url_for("resources.manage_resources"))


# --- Maintenance blackouts ---------------------------------------------------------------------


def _chosen(form: BlackoutForm) -> str | None:
    """What the confirmation page's button said to do with the bookings inside (None: not asked yet)."""
    return hits.chosen(form.on_bookings.data)


def _confirmation(resource: Resource, form: BlackoutForm):
    """The page listing the bookings a valid new blackout falls on, until the admin has chosen for
    exactly those; None when there is nothing to confirm (or the input is bad: saving shows why)."""
    if not form.validate_on_submit():
        return None
    try:
        span = blackouts.validated(form.to_input(district_zone()))
    except ValidationFailed:
        return None
    affected = blackouts.affected_bookings(resource, span)
    ask, changed = hits.must_confirm(affected, _chosen(form), form.shown.data)
    if not ask:
        return None
    form.shown.data = hits.shown_ids(affected)
    return render_template("resources/blackout_confirm.html", resource=resource, form=form, affected=affected,
                           changed=changed)


def _added_message(added: blackouts.BlackoutAdded) -> str:
    parts = [_("The blackout was added.")]
    if added.cancelled:
        parts.append(ngettext("%(num)d booking inside it was cancelled.",
                              "%(num)d bookings inside it were cancelled.", len(added.cancelled)))
    if added.kept:
        parts.append(ngettext("%(num)d booking inside it is kept.", "%(num)d bookings inside it are kept.",
                              len(added.kept)))
    return " ".join(parts)


@bp.route("/<id:resource_id>/blackouts", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def resource_blackouts(resource_id: int):
    """The list, and the form to add one; a blackout over bookings asks first what to do with them."""
    resource = _managed_resource_or_404(resource_id)
    form = BlackoutForm()
    confirmation = _confirmation(resource, form)
    if confirmation is not None:
        return confirmation
    upcoming, recent = blackouts.list_blackouts(resource)
    return save_form(
        form, lambda: blackouts.create_blackout(current_user, resource, form.to_input(district_zone()),
                                                _chosen(form) or "keep"),
        _added_message, url_for("resources.resource_blackouts", resource_id=resource.id),
        "resources/blackouts.html", attach_errors, resource=resource, upcoming=upcoming, recent=recent,
        button=CsrfOnlyForm(),
    )


@bp.post("/<id:resource_id>/blackouts/<id:blackout_id>/delete")
@role_required(Role.SCHOOL_ADMIN)
def delete_blackout(resource_id: int, blackout_id: int):
    resource = _managed_resource_or_404(resource_id)
    blackout = blackouts.find_blackout(resource, blackout_id)
    if blackout is None:
        abort(404)
    if CsrfOnlyForm().validate_on_submit():
        if not confirmed():
            return confirmation_page(Confirmation(
                title=_("Delete the blackout %(reason)s?", reason=blackout.reason), action=request.path,
                back_url=url_for("resources.resource_blackouts", resource_id=resource.id),
                confirm_label=_("Delete the blackout"),
                consequences=[_("%(name)s can be booked again during %(when)s.", name=resource.name,
                                when=format_span(blackout.starts_at, blackout.ends_at)),
                              _("Bookings the blackout cancelled stay cancelled: their teachers were told and may "
                                "book again.")]))
        blackouts.delete_blackout(current_user, blackout)
        flash(_("The blackout was deleted."), "success")
    return redirect(url_for("resources.resource_blackouts", resource_id=resource.id))
