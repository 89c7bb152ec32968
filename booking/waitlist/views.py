"""The waitlist in the browser: joining from a refused booking (the refusal's "wait for this slot" button
submits the booking form here), and leaving or accepting an offer from 我的预约 (my bookings).

Views are thin: the services decide and write; the request's unit of work commits.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.web.book import booking_form, read_form, render_form
from booking.bookings.web.form_input import form_errors
from booking.extensions import db
from booking.form_helpers import attach_errors
from booking.permissions import can_see_resource
from booking.resources.models import Resource, ResourceKind
from booking.validation import ValidationFailed
from booking.waitlist import ordering
from booking.waitlist.forms import AcceptForm, LeaveForm, entry_prefix
from booking.waitlist.services import accept_offer, join_waitlist, leave_waitlist, my_entries, position, visible_entry

bp = Blueprint("waitlist", __name__, url_prefix="/waitlist")


def can_wait_for(refused: BookingRefused | None, form, resource) -> bool:
    """Whether a refusal page offers "wait for this slot": one date, held by others and only that."""
    return (refused is not None and not form.repeat.data and resource.kind != ResourceKind.TEACHER
            and ordering.may_join(r.kind.value for r in refused.refusals))


def my_waitlist() -> list[tuple]:
    """The places in line of the signed-in user, each with its position and its buttons, for 我的预约."""
    return [(entry, position(entry), LeaveForm(prefix=entry_prefix(entry.id)),
             AcceptForm(prefix=entry_prefix(entry.id))) for entry in my_entries(current_user)]


# The booking pages (a package below) show the button and the section through these template globals.
bp.add_app_template_global(can_wait_for, "waitlist_can_wait")
bp.add_app_template_global(my_waitlist, "my_waitlist")


@bp.post("/join/<id:resource_id>")
@login_required
def join(resource_id: int):
    """The refusal's "wait for this slot": the booking form's values, read as the booking page reads them."""
    resource = db.get_or_404(Resource, resource_id)
    if not can_see_resource(current_user, resource):
        abort(404)
    form = booking_form(resource)
    if not form.validate_on_submit():
        return render_form(form, resource, status=400)
    try:
        join_waitlist(current_user, read_form(form, resource))
    except ValidationFailed as failed:
        attach_errors(form, form_errors(failed.errors))
        return render_form(form, resource, status=422)
    except BookingRefused as refused:
        return render_form(form, resource, refused=refused, status=409)
    flash(_("You are on the waitlist for this time. If it frees, it is booked for you or offered to you."),
          "success")
    return redirect(url_for("bookings.mine"))


def _entry_or_404(entry_id: int):
    entry = visible_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/")
@login_required
def mine():
    return render_template("waitlist/mine.html", waiting=my_waitlist())


@bp.post("/<id:entry_id>/leave")
@login_required
def leave(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not LeaveForm(prefix=entry_prefix(entry.id)).validate_on_submit():
        abort(400)
    try:
        leave_waitlist(current_user, entry)
    except NotAllowed:
        abort(403)
    except ValidationFailed as failed:
        flash(" ".join(str(m) for m in failed.errors.values()), "error")
        return redirect(url_for("bookings.mine"))
    flash(_("You left the waitlist."), "success")
    return redirect(url_for("bookings.mine"))


@bp.post("/<id:entry_id>/accept")
@login_required
def accept(entry_id: int):
    entry = _entry_or_404(entry_id)
    if not AcceptForm(prefix=entry_prefix(entry.id)).validate_on_submit():
        abort(400)
    try:
        created = accept_offer(current_user, entry)
    except NotAllowed:
        abort(403)
    except ValidationFailed as failed:
        return render_template("waitlist/mine.html", waiting=my_waitlist(),
                               problem=" ".join(str(m) for m in failed.errors.values())), 422
    except BookingRefused as refused:
        return render_template("waitlist/mine.html", waiting=my_waitlist(), refused=refused), 409
    flash(_("Booked.") if created.bookings[0].status.value == "confirmed"
          else _("Your request was sent; the owner school will answer it."), "success")
    return redirect(url_for("bookings.detail", booking_id=created.bookings[0].id))
