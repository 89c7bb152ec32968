"""Term allocation rounds in the browser: the round list (and opening one), a round's page with the request
form, the coordinator's preview and commit. Thin: read the form, call booking.allocation.services."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from booking.allocation.forms import CommitForm, OpenRoundForm, RequestForm, slot_choices
from booking.allocation.models import AllocationRound
from booking.allocation.services import (RequestInput, accepts_requests, commit_round, open_round, preview_round,
                                         rounds, submit_request, visible_requests)
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.labels import WEEKDAYS, label, period_label
from booking.parsing import parse_clock, parse_day
from booking.permissions import can_run_allocation, visible_resources_clause
from booking.resources.models import Category, Resource
from booking.form_helpers import attach_errors
from booking.schools.models import School, Term
from booking.validation import ValidationFailed

bp = Blueprint("allocation", __name__, url_prefix="/allocation")


@bp.app_template_global()
def slot_label(weekday: int, period: int) -> str:
    return f"{WEEKDAYS[weekday]} {period_label(period)}"


def _round_or_404(round_id: int) -> AllocationRound:
    round_ = db.session.get(AllocationRound, round_id)
    if round_ is None:
        abort(404)
    return round_


def _parse_deadline(text: str) -> datetime | None:
    """The picker's 2026-09-10T17:00 (or 2026-09-10 17:00 typed), in the district's time zone."""
    day_text, _, clock_text = (text or "").strip().replace("T", " ", 1).partition(" ")
    day, clock = parse_day(day_text), parse_clock(clock_text)
    return local_to_utc(day, clock, district_zone()) if day and clock else None


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = OpenRoundForm()
    form.term_id.choices = [(str(t.id), t.name) for t in db.session.scalars(select(Term).order_by(Term.start_date))]
    status = 200
    if request.method == "POST":
        if not can_run_allocation(current_user):
            abort(403)
        round_ = _submitted(form, lambda: open_round(
            current_user, int(form.term_id.data) if form.term_id.data else None, form.name.data,
            _parse_deadline(form.deadline.data)))
        if round_ is not None:
            flash(_("The round is open for requests."))
            return redirect(url_for("allocation.show", round_id=round_.id))
        status = 422
    return render_template("allocation/index.html", rounds=rounds(), form=form,
                           may_run=can_run_allocation(current_user), accepts=accepts_requests), status


def _request_form(round_: AllocationRound) -> RequestForm:
    form = RequestForm()
    resources = db.session.scalars(select(Resource).join(Resource.owner_school)
                                   .where(visible_resources_clause(current_user), Resource.active.is_(True))
                                   .order_by(School.id != current_user.school_id, School.name, Resource.name))
    # Each with its school, the user's own school's first: fifteen 图书室 told apart by where they are.
    form.resource_id.choices = [("", _("Any of the kind below"))] + [
        (str(r.id), _("%(name)s (%(school)s)", name=r.name, school=r.owner_school.name)) for r in resources]
    form.category.choices = [("", "—")] + [(c.value, label(c)) for c in Category]
    form.slots.choices = slot_choices()
    return form


def _whole(text) -> int | None:
    return int(text) if text not in (None, "") and str(text).isdigit() else None


def _request_input(form: RequestForm) -> RequestInput:
    slots = [[int(part) for part in value.split("-")] for value in form.slots.data or []]
    return RequestInput(title=form.title.data or "", slots=slots, weeks=form.weeks.data or 0,
                        resource_id=_whole(form.resource_id.data), category=form.category.data or None,
                        class_name=form.class_name.data or "", students=form.students.data,
                        priority=_whole(form.priority.data) or 3)


def _submitted(form, action):
    """What ``action`` made from the valid ``form``; None (the page answers 422) when the form or the
    service refused it, the service's messages on the form's fields. NotAllowed: 403."""
    if not form.validate_on_submit():
        return None
    try:
        return action()
    except NotAllowed:
        abort(403)
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return None


@bp.route("/<id:round_id>", methods=["GET", "POST"])
@login_required
def show(round_id: int):
    round_ = _round_or_404(round_id)
    form = _request_form(round_)
    status = 200
    if request.method == "POST":
        if _submitted(form, lambda: submit_request(current_user, round_, _request_input(form))) is not None:
            flash(_("Your request is in. You will be told when the round is committed."))
            return redirect(url_for("allocation.show", round_id=round_.id))
        status = 422
    return render_template("allocation/round.html", round=round_, form=form, accepts=accepts_requests(round_),
                           requests=visible_requests(current_user, round_), may_run=can_run_allocation(current_user),
                           ), status


@bp.route("/<id:round_id>/preview")
@login_required
def preview(round_id: int):
    round_ = _round_or_404(round_id)
    if not can_run_allocation(current_user):
        abort(403)
    return render_template("allocation/preview.html", round=round_, preview=preview_round(current_user, round_),
                           form=CommitForm())


@bp.post("/<id:round_id>/commit")
@login_required
def commit(round_id: int):
    round_ = _round_or_404(round_id)
    if not can_run_allocation(current_user):
        abort(403)
    if not CommitForm().validate_on_submit():
        abort(400)
    try:
        result = commit_round(current_user, round_)
    except ValidationFailed as failed:
        flash(" ".join(str(message) for message in failed.errors.values()))
        return redirect(url_for("allocation.preview", round_id=round_.id)), 303
    except BookingRefused:
        # The boundary rolls back: no series of this round is kept.
        return render_template("allocation/preview.html", round=round_, preview=None, form=CommitForm(),
                               refused=True), 409
    flash(_("Committed: %(served)d of %(total)d requests became weekly bookings.", served=result.served,
            total=len(result.lines)))
    return redirect(url_for("allocation.show", round_id=round_.id))
