"""The waitlist in the browser: joining from a refused booking (the booking form's "wait" button,
``join_from_form``), and leaving or accepting an offer from 我的预约 (my bookings).

Views are thin: the services decide and write; the request's unit of work commits.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.validation import ValidationFailed
from booking.waitlist import ordering
from booking.waitlist.forms import AcceptForm, LeaveForm, entry_prefix
from booking.waitlist.services import accept_offer, join_waitlist, leave_waitlist, my_entries, position, visible_entry

bp = Blueprint("waitlist", __name__, url_prefix="/waitlist")


def can_wait_for(refused: BookingRefused | None, data_is_single: bool, resource) -> bool:
    """Whether a refusal page offers "wait for this slot": one date, held by others and only that."""
    from booking.resources.models import ResourceKind

    return (refused is not None and data_is_single and resource.kind != ResourceKind.TEACHER
            and ordering.may_join(r.kind.value for r in refused.refusals))


def join_from_form(data) -> None:
    """The booking form's "wait" button: a place in line (raises what ``join_waitlist`` raises)."""
    join_waitlist(current_user, data)
    flash(_("You are on the waitlist for this time. If it frees, it is booked for you or offered to you."),
          "success")


def my_waitlist() -> list[tuple]:
    """The places in line of the signed-in user, each with its position and its buttons, for 我的预约."""
    return [(entry, position(entry), LeaveForm(prefix=entry_prefix(entry.id)),
             AcceptForm(prefix=entry_prefix(entry.id))) for entry in my_entries(current_user)]


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
