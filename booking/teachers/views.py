"""Visiting teachers in the browser: the hub, requesting a visit, the teacher's "Today" page and
recording a lesson. Profiles and mandates are on the same blueprint (``admin_views``).

Views are thin: read the form, call the service; bad input re-renders with each field's message
(422), a refusal with its reasons and alternatives (409); nothing is saved in either case.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import visible_booking_or_404
from booking.i18n import local_day
from booking.bookings.web.queries import matching_period
from booking.errors import abort_with
from booking.i18n import local_today
from booking.labels import period_label
from booking.permissions import can_record_outcome, is_lesson, viewed_district_id
from booking.bookings.outcomes import can_record_now
from booking.form_helpers import attach_errors
from booking.parsing import parse_day, parse_whole_number
from booking.teachers.forms import RecordForm, RequestForm, VisitForm
from booking.teachers.itinerary import itinerary
from booking.teachers.lessons import DELIVERY_LABELS, LESSON_KIND_LABELS, LessonRecord, lessons_to_record, record_lesson
from booking.teachers.mandates import STATUS_LABELS, line_label, mandate_progress, term_or_current
from booking.teachers.models import TeacherProfile
from booking.teachers.profiles import profile_of_user
from booking.teachers.visits import VisitInput, request_visit, serving_profiles, visit_options
from booking.validation import FIRST_YEAR, LAST_YEAR, MAX_ID, ValidationFailed, out_of_range_day_message

bp = Blueprint("teachers", __name__, url_prefix="/teachers")
WEEK_AHEAD_DAYS = 7
VISIT_FIELDS = ("subject", "day", "period_number", "class_name", "students", "lesson_kind", "resource_id")


def my_profile() -> TeacherProfile | None:
    """The signed-in user's visiting-teacher profile (read once per request and user)."""
    if not current_user.is_authenticated:
        return None
    cached = g.get("teacher_profile")
    if cached is None or cached[0] != current_user.id:
        cached = g.teacher_profile = (current_user.id, profile_of_user(current_user.id))
    return cached[1]


@bp.app_context_processor
def nav_globals():
    return {"my_teacher_profile": my_profile}


@bp.app_template_global()
def lesson_kind_label(kind) -> str:
    return LESSON_KIND_LABELS.get(kind, "") if kind else ""


@bp.app_template_global()
def can_record_lesson(booking) -> bool:
    return can_record_now(current_user, booking)


@bp.app_template_global()
def mandate_label(line) -> str:
    return line_label(line)


@bp.app_template_global()
def mandate_status(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@bp.app_template_global()
def current_mandate_progress():
    """The current term's progress, for ``teachers/_mandate_summary.html`` on any page; None without a term."""
    term = term_or_current(None)
    return mandate_progress(term, district_id=viewed_district_id(current_user)) if term is not None else None


@bp.get("/")
@login_required
def index():
    return render_template("teachers/index.html", profile=my_profile())


# --- requesting a visit -------------------------------------------------------------------------


def _visit_form(values) -> VisitForm:
    form = VisitForm(formdata=values or None)
    school = current_user.school
    form.set_periods(school.bell_periods if school else [])
    form.set_specialists(serving_profiles(school.id) if school else [])
    return form


def _visit_input(form: VisitForm) -> VisitInput:
    errors: dict = {}
    day = parse_day(form.day.data or "") if form.day.data else None
    if form.day.data and day is None:
        errors["day"] = _("Enter a date such as 2026-09-03.")
    students = parse_whole_number(form.students.data, 10_000) if form.students.data else None
    if form.students.data and students is None:
        errors["students"] = _("Enter a number of students from 0 to %(n)d.", n=10_000)
    if errors:
        raise ValidationFailed(errors)
    number = parse_whole_number(form.period_number.data, 99) if form.period_number.data else None
    resource_id = parse_whole_number(form.resource_id.data, MAX_ID) if form.resource_id.data else None
    return VisitInput(subject=form.subject.data or None, day=day, period_number=number,
                      class_name=(form.class_name.data or "").strip(), students=students,
                      lesson_kind=form.lesson_kind.data or None, resource_id=resource_id,
                      outside_term_ok=bool(form.outside_term_ok.data))


def _alternatives(refused: BookingRefused, data: VisitInput) -> list[tuple[object, str | None, str]]:
    """Each suggestion with the visit form filled in for it (by period of the class's school)."""
    bells = current_user.school.bell_periods
    linked = []
    for slot in refused.suggestions:
        number = matching_period(bells, slot.start, slot.end)
        values = {"subject": data.subject, "day": local_day(slot.start).isoformat(), "period_number": number,
                  "class_name": data.class_name, "students": data.students, "lesson_kind": data.lesson_kind,
                  "resource_id": slot.resource_id}
        link = url_for("teachers.visit", **{k: v for k, v in values.items() if v not in (None, "")}) if number else None
        linked.append((slot, link, period_label(number) if number else ""))
    return linked


def _render_visit(form: VisitForm, options=None, refused=None, data=None, status: int = 200):
    alternatives = _alternatives(refused, data) if refused else []
    return render_template("teachers/visit.html", form=form, options=options, refused=refused,
                           alternatives=alternatives, request_form=RequestForm()), status


@bp.route("/visit", methods=["GET", "POST"])
@login_required
def visit():
    """GET: the form, and with its values the specialists who can come. POST: request one of them."""
    values = request.form if request.method == "POST" else request.args
    form = _visit_form(values)
    if current_user.school is None:
        return render_template("teachers/visit.html", form=form, no_school=True), 200
    if request.method == "POST" and not RequestForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("teachers.visit", **{k: values.get(k) for k in VISIT_FIELDS if values.get(k)}))
    # A link that names only the subject (预约 on a visiting teacher's page) fills the form in; it is no
    # search yet, so it shows no errors. The search form always sends its date and period fields.
    linked = request.method == "GET" and not {"day", "period_number"} & set(values)
    if linked or not any(values.get(name) for name in ("subject", "day", "period_number")):
        return _render_visit(form)
    data = None
    try:
        data = _visit_input(form)
        if request.method == "GET":
            return _render_visit(form, options=visit_options(current_user, data))
        created = request_visit(current_user, data)
    except ValidationFailed as failed:
        attach_errors(form, failed.errors)
        return _render_visit(form, status=422)
    except BookingRefused as refused:
        return _render_visit(form, refused=refused, data=data, status=409)
    booking = created.bookings[0]
    flash(_("The visit was requested; the lead school's admin will answer it.") if booking.status == BookingStatus.PENDING
          else _("The visit is confirmed."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id))


# --- the visiting teacher's day ----------------------------------------------------------------


@bp.get("/today")
@login_required
def today():
    """Phone first: the day's itinerary school by school, then the week ahead and lessons to record."""
    profile = my_profile()
    if profile is None:
        abort(404)
    asked = request.args.get("day", "")
    day = parse_day(asked) if asked else local_today()
    if day is None:
        abort_with(400, _("Give the day as YYYY-MM-DD, from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
                   {"day": out_of_range_day_message()})
    shown = itinerary(profile, day)[0]
    week = [plan for plan in itinerary(profile, day + timedelta(days=1), WEEK_AHEAD_DAYS) if plan.lessons]
    return render_template("teachers/today.html", profile=profile, plan=shown, week=week, day=day,
                           is_today=day == local_today(), to_record=lessons_to_record(current_user, profile.resource_id),
                           previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1))


# --- recording a lesson ------------------------------------------------------------------------


def _period_of(booking: Booking) -> int | None:
    """The period of the host school's bells the lesson is (a visiting teacher follows the host's)."""
    return matching_period(booking.school.bell_periods, booking.starts_at, booking.ends_at)


@bp.route("/lessons/<id:booking_id>/record", methods=["GET", "POST"])
@login_required
def record(booking_id: int):
    """Delivered or not (with the reason), the kind, what was taught; once, after the lesson began."""
    booking = visible_booking_or_404(current_user, booking_id)
    if not is_lesson(booking):
        abort(404)
    if not can_record_outcome(current_user, booking):
        abort(403)
    form = RecordForm(data={"lesson_kind": booking.lesson_kind.value if booking.lesson_kind else ""})
    status = 200
    if form.validate_on_submit():
        try:
            record_lesson(current_user, booking, LessonRecord(form.delivered.data, form.lesson_kind.data,
                                                              form.note.data or ""))
        except NotAllowed:
            abort(403)
        except ValidationFailed as failed:
            attach_errors(form, failed.errors)
            status = 422
        else:
            flash(_("Recorded: %(outcome)s.", outcome=DELIVERY_LABELS[booking.outcome]), "success")
            return redirect(url_for("teachers.today") if my_profile() else url_for("bookings.detail",
                                                                                    booking_id=booking.id))
    elif request.method == "POST":
        status = 422
    return render_template("teachers/record.html", booking=booking, form=form, period=_period_of(booking),
                           open_now=can_record_now(current_user, booking), delivery_labels=DELIVERY_LABELS), status


from booking.teachers import admin_views  # noqa: E402,F401  (registers the profile and mandate pages on bp)
