"""My bookings, one booking, and cancelling or changing it: one date, this and the following, or the series.

Someone else's booking answers 404 where its viewer may not see it and 403 to change it.
Routes live on the ``bookings`` blueprint (``booking.bookings.web`` imports this module).
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking.bookings.changes import change_booking
from booking.bookings.closures import closure_flags
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.web.forms import CancelForm, ChangeForm, DecisionForm
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.planning import can_approve, period_clock
from booking.bookings.services import SCOPES, cancel_booking, in_scope, visible_booking_or_404
from booking.bookings.web import bp
from booking.bookings.web.form_input import read_changes
from booking.bookings.web.month import build_month, month_end, month_of
from booking.bookings.web.queries import MY_LISTS, MyFilter, matching_period, my_bookings, my_month, series_counts
from booking.parsing import parse_day
from booking.clock import utcnow
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.i18n import district_zone, format_span, local_day, local_today, to_local
from booking.permissions import can_change_booking
from booking.form_helpers import attach_errors
from booking.validation import ValidationFailed


@contextmanager
def forbidden_when_not_allowed():
    """A service's NotAllowed (not theirs to change) as the 403 page."""
    try:
        yield
    except NotAllowed:
        abort(403)


def decision_prefix(booking_id: int) -> str:
    return f"b{booking_id}-"


def decision_form(booking: Booking, scope: str = "occurrence") -> DecisionForm:
    """Approve/reject form of one request; the prefix keeps the queue's rows apart."""
    return DecisionForm(prefix=decision_prefix(booking.id), data={"scope": scope})


def chosen_scope(form, booking: Booking) -> str:
    """The scope picked on a cancel or change form; a single booking has only itself."""
    return (form.scope.data or "occurrence") if booking.series_id else "occurrence"


def is_changeable(booking: Booking) -> bool:
    return booking.is_active and booking.ends_at > utcnow()


@bp.get("/mine")
@login_required
def mine():
    show = request.args.get("show", "upcoming")
    show = show if show in MY_LISTS else "upcoming"
    page = request.args.get("page", 0, type=int)  # a number too large for any column is a 400
    page = page if 0 <= page < 10_000 else 0
    first, last = parse_day(request.args.get("from") or ""), parse_day(request.args.get("to") or "")
    if first and last and last < first:
        first, last = last, first
    view = "calendar" if request.args.get("view") == "calendar" else "list"
    filters = MyFilter(show, first, last, grouped=request.args.get("series") == "1", view=view)
    if view == "calendar":
        month_first = month_of(request.args.get("month"), first or local_today())
        rows = my_month(current_user, filters, month_first, month_end(month_first))
        month = build_month(month_first, rows, lambda b: local_day(b.starts_at), local_today())
        return render_template("bookings/mine.html", show=show, filters=filters, month=month)
    bookings, has_more = my_bookings(current_user, show, page, filters)
    return render_template("bookings/mine.html", bookings=bookings, show=show, page=page, has_more=has_more,
                           filters=filters, counts=series_counts(current_user, bookings, filters))


def _render_detail(booking: Booking, cancel_form: CancelForm | None = None, status: int = 200):
    allowed = can_change_booking(current_user, booking)
    return render_template(
        "bookings/detail.html", booking=booking, cancel_form=cancel_form or CancelForm(),
        can_change=allowed and is_changeable(booking),
        can_decide=booking.status == BookingStatus.PENDING and can_approve(current_user, booking.resource),
        decision_form=decision_form(booking),
        period=matching_period(booking.resource.owner_school.bell_periods, booking.starts_at, booking.ends_at),
        on_closure=closure_flags([booking]).get(booking.id),
    ), status


@bp.get("/<id:booking_id>")
@login_required
def detail(booking_id: int):
    return _render_detail(visible_booking_or_404(current_user, booking_id))


def _cancel_confirmation(booking: Booking, scope: str, reason: str):
    """Which dates the cancel will cancel, and who is told, before anything changes."""
    targets = in_scope(booking, scope)
    when = [format_span(row.starts_at, row.ends_at, "full") for row in targets]
    if scope == "series":
        title = _("Cancel the whole series %(title)s?", title=booking.title)
    elif scope == "following":
        title = _("Cancel this date and the following ones of %(title)s?", title=booking.title)
    else:
        title = _("Cancel %(title)s on this date?", title=booking.title)
    return confirmation_page(Confirmation(
        title=title, action=request.path, back_url=url_for("bookings.detail", booking_id=booking.id),
        confirm_label=ngettext("Cancel %(num)d date", "Cancel %(num)d dates", len(targets)),
        hidden={"scope": scope, "reason": reason},
        consequences=[_("%(resource)s (%(school)s) is then free for others at these times; the booker and the owner "
                        "school are told%(reason)s.", resource=booking.resource.name,
                        school=booking.resource.owner_school.name,
                        reason=_(", with your reason") if reason.strip() else ""),
                      _("A cancelled date cannot be restored: it would have to be booked again.")],
        items_heading=ngettext("%(num)d date to cancel", "%(num)d dates to cancel", len(targets)), items=when))


@bp.post("/<id:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    booking = visible_booking_or_404(current_user, booking_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_detail(booking, form, 422)
    scope = chosen_scope(form, booking)
    if not confirmed() and scope in SCOPES and is_changeable(booking) and can_change_booking(current_user, booking):
        return _cancel_confirmation(booking, scope, form.reason.data or "")
    try:
        with forbidden_when_not_allowed():
            cancelled = cancel_booking(current_user, booking, scope, form.reason.data or "")
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return _render_detail(booking, form, 422)
    flash(ngettext("%(num)d date was cancelled.", "%(num)d dates were cancelled.", len(cancelled)), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id))


def _change_form(booking: Booking) -> ChangeForm:
    """The change form, on a GET showing the booking as it is (by period when it is one)."""
    current = {}
    if request.method == "GET":
        start, end = to_local(booking.starts_at), to_local(booking.ends_at)
        period = matching_period(booking.resource.owner_school.bell_periods, booking.starts_at, booking.ends_at)
        current = {"day": start.date().isoformat(), "title": booking.title, "class_name": booking.class_name,
                   "students": "" if booking.students is None else str(booking.students),
                   "period_number": str(period) if period else "",
                   "start_time": "" if period else f"{start:%H:%M}", "end_time": "" if period else f"{end:%H:%M}"}
    form = ChangeForm(data=current)
    form.set_periods(booking.resource.owner_school.bell_periods)
    return form


def _render_change(booking: Booking, form: ChangeForm, refused: BookingRefused | None = None, status: int = 200):
    return render_template("bookings/change.html", booking=booking, form=form, refused=refused), status


def _apply_change(booking: Booking, form: ChangeForm):
    """Change the booking as the form says; raises ValidationFailed, BookingRefused or a 403."""
    scope = chosen_scope(form, booking)
    owner = booking.resource.owner_school_id
    changes, errors = read_changes(form.values(), booking.starts_at, booking.ends_at, district_zone(),
                                   lambda number: period_clock(owner, number), one_date=scope == "occurrence")
    if errors:
        raise ValidationFailed(errors)
    with forbidden_when_not_allowed():
        return change_booking(current_user, booking, changes, scope)


@bp.route("/<id:booking_id>/change", methods=["GET", "POST"])
@login_required
def change(booking_id: int):
    booking = visible_booking_or_404(current_user, booking_id)
    if not can_change_booking(current_user, booking):
        abort(403)
    if not is_changeable(booking):
        flash(_("This booking can no longer be changed."), "error")
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    form = _change_form(booking)
    if not form.validate_on_submit():
        return _render_change(booking, form)
    try:
        changed = _apply_change(booking, form)
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return _render_change(booking, form, status=422)
    except BookingRefused as refused:
        return _render_change(booking, form, refused, 409)
    flash(ngettext("%(num)d date was changed.", "%(num)d dates were changed.", len(changed)), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id))
