"""The coordinator's import of closures and term dates from an .ics file or web address.

Upload (or address) → preview of what will be added, changed, removed → confirm. The preview
carries the events it showed in a payload signed by the server, so the confirmation imports
exactly what was previewed, checked again against the database as it is then.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from booking.bookings.hits import chosen, shown_ids
from booking.calendars.forms import ApplyImportForm, ImportForm
from booking.calendars.ics_import import MAX_BYTES, ImportProblems, read_events
from booking.calendars.import_requests import (BadPayload, apply_previewed, calendar_bytes, import_target, may_import,
                                               sign_import, signed_import)
from booking.calendars.imports import TERMS, ImportTarget, plan_import
from booking.schools.places import place_namer, wide_choices
from booking.schools.views import _managed_schools
from booking.calendars.views import bp
from booking.i18n import district_zone
from booking.accounts.models import Role
from booking.permissions import can_manage_district, role_required
from booking.validation import ValidationFailed


def _form() -> ImportForm:
    form = ImportForm()
    form.set_place_choices(wide_choices(current_user), _managed_schools())
    form.allow_terms(can_manage_district(current_user))
    return form


def _target(form: ImportForm) -> ImportTarget | None:
    """The form's target, or None with the field's error set (unknown, or not the user's to import into)."""
    school, district = form.chosen_place()
    try:
        target = import_target(form.kind.data, school, bool(form.remove_missing.data), district)
    except ValidationFailed as failed:
        form.school_id.errors = [str(message) for message in failed.errors.values()]
        return None
    if not may_import(current_user, target):
        field = form.kind if target.kind == TERMS else form.school_id
        field.errors = [_("You can only import into the schools and the district you manage.")]
        return None
    return target


def _has_upload(form: ImportForm) -> bool:
    return bool(form.file.data and getattr(form.file.data, "filename", ""))


def _calendar_bytes(form: ImportForm) -> bytes:
    """The uploaded file's bytes, or the address's; ImportProblems naming what is wrong."""
    upload = form.file.data.stream.read(MAX_BYTES + 1) if _has_upload(form) else None
    return calendar_bytes(upload, form.url.data or "", current_app.config)


def _chosen_weekdays(plan) -> dict[str, int]:
    """The weekday the coordinator chose in the preview for each make-up day (``follows-<n>``, n its row)."""
    chosen = {}
    for number, change in enumerate(plan.makeup_days):
        value = request.form.get(f"follows-{number}", "")
        if value.isdigit() and int(value) < 7:
            chosen[change.uid] = int(value)
    return chosen


def _preview_page(plan, payload: str, status: int = 200, changed: bool = False):
    """The preview, with the bookings the closures fall on and the choice about them."""
    form = ApplyImportForm(payload=payload)
    form.shown.data = shown_ids(plan.affected)
    return render_template("calendars/import_preview.html", plan=plan, form=form, changed=changed,
                           place=place_namer()(plan.target)), status


@bp.route("/admin/calendar-import", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def import_calendar():
    form = _form()
    if not form.validate_on_submit():
        return render_template("calendars/import.html", form=form), 422 if form.errors else 200
    target = _target(form)
    if target is not None:
        try:
            events = read_events(_calendar_bytes(form), district_zone())
        except ImportProblems as problems:
            field = form.file if _has_upload(form) or not (form.url.data or "").strip() else form.url
            field.errors = [str(message) for message in problems.messages]
        else:
            plan = plan_import(events, target)
            return _preview_page(plan, sign_import(events, target, current_app.config["SECRET_KEY"]),
                                 422 if plan.problems else 200)
    return render_template("calendars/import.html", form=form), 422


@bp.post("/admin/calendar-import/apply")
@role_required(Role.COORDINATOR)
def apply_calendar_import():
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        events, target = signed_import(form.payload.data, current_app.config["SECRET_KEY"])
    except BadPayload:
        abort(400)
    if not may_import(current_user, target):  # a preview signed for someone else, or a scope since narrowed
        abort(403)
    weekdays = _chosen_weekdays(plan_import(events, target))
    try:
        applied = apply_previewed(events, target, current_user, chosen(form.on_bookings.data), form.shown.data,
                                  weekdays)
    except ValidationFailed:
        return _preview_page(plan_import(events, target, weekdays), form.payload.data, 422)
    if applied.ask:  # bookings were made or cancelled since the preview: show them again, nothing imported
        return _preview_page(applied.plan, form.payload.data, 200, changed=applied.changed)
    plan = applied.plan
    if plan.has_changes:
        flash(_("Imported: %(added)d added, %(changed)d changed, %(removed)d removed.", added=len(plan.of("add")),
                changed=len(plan.of("change")), removed=len(plan.of("remove"))), "success")
        if plan.makeup_days or plan.of("remove", makeup=True):
            flash(_("Of these, make-up teaching days: %(added)d added, %(changed)d changed, %(removed)d removed.",
                    added=len(plan.of("add", makeup=True)), changed=len(plan.of("change", makeup=True)),
                    removed=len(plan.of("remove", makeup=True))), "success")
    else:
        flash(_("Nothing to change: the calendar was already imported."), "success")
    if plan.decided.cancelled:
        flash(ngettext("%(num)d booking on the imported closures was cancelled.",
                       "%(num)d bookings on the imported closures were cancelled.", len(plan.decided.cancelled)),
              "success")
    if plan.decided.kept:
        flash(ngettext("%(num)d booking on the imported closures is kept and flagged on the closures page.",
                       "%(num)d bookings on the imported closures are kept and flagged on the closures page.",
                       len(plan.decided.kept)), "success")
    return redirect(url_for("admin.list_terms" if target.kind == TERMS else "admin.list_closures"))
