"""The approval queue: the owner school's admins and the coordinators approve, or reject with a reason.

Routes live on the ``bookings`` blueprint (``booking.bookings.web`` imports this module). A rejection
without a reason, or an approval the rules no longer allow, re-renders the queue with the
message beside that request; nothing is changed.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from booking.accounts.models import Role
from booking.bookings.closures import closure_flags
from booking.bookings.approvals import approval_queue, approve_booking, reject_booking
from booking.bookings.errors import BookingRefused
from booking.bookings.services import visible_booking_or_404
from booking.bookings.web import bp
from booking.bookings.web.manage import decision_form, decision_prefix, forbidden_when_not_allowed
from booking.permissions import role_required
from booking.form_helpers import attach_errors
from booking.urls import safe_next_url
from booking.validation import ValidationFailed


def one_row_per_series(queue: list) -> list[tuple[object, int]]:
    """The queue with a series shown once (its soonest waiting date) and how many of its dates wait."""
    rows: list[list] = []
    by_series: dict[int, list] = {}
    for booking in queue:
        if booking.series_id is not None and booking.series_id in by_series:
            by_series[booking.series_id][1] += 1
            continue
        row = [booking, 1]
        rows.append(row)
        if booking.series_id is not None:
            by_series[booking.series_id] = row
    return [(booking, count) for booking, count in rows]


def _render_queue(failed_id: int | None = None, errors: dict | None = None, refusals: list | None = None,
                  status: int = 200):
    rows = one_row_per_series(approval_queue(current_user))
    # A series is answered as a whole unless the approver chooses one date.
    forms = {booking.id: decision_form(booking, "series" if count > 1 else "occurrence") for booking, count in rows}
    if failed_id in forms and errors:
        prefix = decision_prefix(failed_id)
        attach_errors(forms[failed_id], {prefix + name: message for name, message in errors.items()})
    elif failed_id is not None:  # answered from its own page, not a row of the queue: say why above it
        for message in [*(errors or {}).values(), *(r.message for r in refusals or [])]:
            flash(message, "error")
    return render_template("bookings/approvals.html", rows=rows, forms=forms, failed_id=failed_id,
                           refusals=refusals or [], on_closure=closure_flags([b for b, _count in rows])), status


@bp.get("/approvals")
@role_required(Role.SCHOOL_ADMIN)
def approvals():
    return _render_queue()


def _answered():
    return redirect(safe_next_url(request.form.get("next")) or url_for("bookings.approvals"))


def _approved_message(decision) -> str:
    message = ngettext("%(num)d date was approved.", "%(num)d dates were approved.", len(decision.decided))
    if decision.displaced:
        message += ngettext(" %(num)d other request for the same time was rejected.",
                            " %(num)d other requests for the same time were rejected.", len(decision.displaced))
    return message


def _rejected_message(decision) -> str:
    return ngettext("%(num)d date was rejected.", "%(num)d dates were rejected.", len(decision.decided))


# answer → (the service deciding it, the message saying what was done)
ANSWERS = {
    "approve": (lambda actor, booking, scope, reason: approve_booking(actor, booking, scope, reason), _approved_message),
    "reject": (lambda actor, booking, scope, reason: reject_booking(actor, booking, reason, scope), _rejected_message),
}


@bp.post("/<id:booking_id>/<any(approve, reject):answer>")
@role_required(Role.SCHOOL_ADMIN)
def answer(booking_id: int, answer: str):
    """Approve or reject a request; on failure show why beside the request (or above the queue)."""
    decide, success = ANSWERS[answer]
    booking = visible_booking_or_404(current_user, booking_id)
    form = decision_form(booking)
    if not form.validate_on_submit():
        return _render_queue(status=422)
    try:
        with forbidden_when_not_allowed():
            decision = decide(current_user, booking, form.scope.data or "occurrence", form.reason.data or "")
    except ValidationFailed as failed:
        if "booking" in failed.errors:  # no longer waiting: it has left the queue
            flash(failed.errors["booking"], "error")
            return _answered()
        return _render_queue(booking.id, failed.errors, status=422)
    except BookingRefused as refused:
        return _render_queue(booking.id, refusals=refused.refusals, status=409)
    flash(success(decision), "success")
    return _answered()
