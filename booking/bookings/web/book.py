"""Booking in the browser: choose a resource, fill the form (by period or by clock time), see a
refusal explained with alternatives, preview a series date by date, and book.

Views are thin: ``form_input`` reads the form, the booking services decide and write. Bad input
re-renders the form with each field's message (422), a refusal with its reasons and up to five
alternatives (409); nothing is saved in either case.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from booking.bookings.errors import BookingRefused
from booking.bookings.web.forms import BookingForm, SearchForm
from booking.bookings.models import BookingStatus
from booking.bookings.planning import BookingInput, plan_booking, preview_booking
from booking.bookings.services import Created, create_booking
from booking.bookings.suggestions import district_period_numbers, search_free, series_alternatives
from booking.bookings.web.form_input import form_errors, read_booking, read_search
from booking.bookings.web import bp
from booking.bookings.web.queries import chooser_page, slot_links, term_span_on
from booking.extensions import db
from booking.i18n import district_zone, local_today
from booking.permissions import can_book_for_school, can_see_resource
from booking.labels import choices
from booking.paging import page_number
from booking.quotas.services import notice_for
from booking.resources.models import Category, Resource, ResourceKind, resource_for_rules
from booking.form_helpers import attach_errors
from booking.schools.services import list_schools
from booking.validation import ValidationFailed


PREFILLED = ("day", "period_number", "period_to", "start_time", "end_time", "class_name", "students", "title",
             "school_id", "quantity")
CARRIED = ("class_name", "students", "title", "school_id", "quantity")  # kept when following an alternative


@bp.get("/new")
@login_required
def choose_resource():
    """The "Book" entry point: pick a resource (or arrive with ?resource_id= and go to its form)."""
    chosen = request.args.get("resource_id", type=int)  # a number too large for any column is a 400
    if chosen is not None and chosen > 0:
        return redirect(url_for("bookings.new_booking", resource_id=chosen))
    q = (request.args.get("q") or "").strip()[:100] or None
    category = request.args.get("category") or None
    category = category if category in {c.value for c in Category} else None
    page, groups = chooser_page(current_user, q, category, page_number(request.args))
    return render_template("bookings/choose.html", page=page, groups=groups, q=q or "", category=category or "",
                           categories=choices(Category))


def _booking_form(resource: Resource) -> BookingForm:
    """The form for ``resource``; on a GET pre-filled from the query (week grid, alternatives, search)."""
    prefill = {name: request.args[name] for name in PREFILLED if request.args.get(name)} if request.method == "GET" else {}
    bells = resource.owner_school.bell_periods
    if request.method == "GET":  # 按节次 where the owner school rings bells, unless clock times were asked for
        by_time = not bells or (not prefill.get("period_number") and bool(prefill.get("start_time")))
        prefill["when_mode"] = "time" if by_time else "period"
    form = BookingForm(data=prefill)
    form.set_periods(bells)
    if current_user.is_coordinator:
        form.set_school_choices([s for s in list_schools() if can_book_for_school(current_user, s.id)])
    return form


def _typed_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _render_form(form: BookingForm, resource: Resource, refused: BookingRefused | None = None, status: int = 200):
    carried = {name: form[name].data for name in CARRIED if name in form}
    alternatives = slot_links(refused.suggestions, carried) if refused else []
    fair = notice_for(current_user, resource, local_today(), [_typed_day(form.day.data)])
    return render_template("bookings/form.html", form=form, resource=resource, refused=refused,
                           alternatives=alternatives, fair=fair), status


def _render_preview(preview, form: BookingForm, resource: Resource):
    """The series date by date; a clashing date offers a few single-date alternatives, bookable from here."""
    carried = {name: form[name].data for name in CARRIED if name in form}
    alternatives = {interval: slot_links(found, carried)
                    for interval, found in series_alternatives(current_user, preview).items() if found}
    return render_template("bookings/preview.html", preview=preview, form=form, resource=resource,
                           alternatives=alternatives)


def _read(form: BookingForm, resource: Resource) -> BookingInput:
    """The typed values as a BookingInput; ValidationFailed names every bad field, the service's too."""
    parsed = read_booking(form.values(), resource.id, district_zone(), term_span_on,
                          choose_school=current_user.is_coordinator, quantity_based=resource.is_quantity_based)
    if parsed.errors:
        try:
            plan_booking(current_user, parsed.data)  # only for the messages of the fields it checks
        except ValidationFailed as failed:
            raise ValidationFailed(form_errors(failed.errors, parsed.errors)) from None
        raise ValidationFailed(parsed.errors)
    return parsed.data


# What the waitlist (booking.waitlist.views, a package above this one) builds its "wait for this slot" on.
booking_form, read_form, render_form = _booking_form, _read, _render_form


def _booked_message(created: Created) -> str:
    pending = created.bookings[0].status == BookingStatus.PENDING
    if created.series is None:
        return _("Your request was sent; the owner school will answer it.") if pending else _("Booked.")
    booked = ngettext("%(num)d date was requested.", "%(num)d dates were requested.", len(created.bookings)) \
        if pending else ngettext("%(num)d date was booked.", "%(num)d dates were booked.", len(created.bookings))
    skipped = ngettext(" %(num)d date was skipped.", " %(num)d dates were skipped.", len(created.skipped))
    return booked + (skipped if created.skipped else "")


@bp.route("/new/<id:resource_id>", methods=["GET", "POST"])
@login_required
def new_booking(resource_id: int):
    """GET: the form. POST: book one date; a series first shows its preview, then books on "confirm"."""
    resource = db.get_or_404(Resource, resource_id, options=resource_for_rules())  # with what the booking reads
    if not can_see_resource(current_user, resource):
        abort(404)
    if resource.kind == ResourceKind.TEACHER:  # a visit is asked for by subject and the class's periods
        carried = {name: request.args[name] for name in ("day", "period_number", "class_name", "students")
                   if request.args.get(name)}
        return redirect(url_for("teachers.visit", resource_id=resource.id, subject=resource.subject, **carried))
    form = _booking_form(resource)
    action = request.form.get("action", "book")
    if request.method == "GET" or action == "edit" or not form.validate_on_submit():
        return _render_form(form, resource)
    try:
        data = _read(form, resource)
        if data.rrule and action != "confirm":
            preview = preview_booking(current_user, data)
            return _render_preview(preview, form, resource)
        # A confirmed series books the dates that are free now and skips the rest, as its preview said.
        created = create_booking(current_user, replace(data, skip_conflicts=bool(data.rrule)))
    except ValidationFailed as failed:
        attach_errors(form, form_errors(failed.errors))
        return _render_form(form, resource, status=422)
    except BookingRefused as refused:
        return _render_form(form, resource, refused=refused, status=409)
    flash(_booked_message(created), "success")
    return redirect(url_for("bookings.detail", booking_id=created.bookings[0].id))


@bp.get("/search")
@login_required
def search():
    """District-wide: free resources of a category at a date and period or time, nearest first."""
    form = SearchForm(formdata=request.args or None)
    form.set_period_numbers(district_period_numbers())
    results, status = None, 200
    if request.args:
        data, errors = read_search(form.values())
        try:
            if errors:
                raise ValidationFailed(errors)
            results = slot_links(search_free(current_user, data), {"students": form.students.data})
        except ValidationFailed as failed:
            attach_errors(form, failed.errors)
            status = 422
    return render_template("bookings/search.html", form=form, results=results), status

