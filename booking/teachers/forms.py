"""Forms of the visiting-teacher pages. They carry strings and the CSRF token only: the services
check the values and name the fields, so the browser and the API refuse with the same words."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from booking.bookings.web.forms import MultiCheckboxField, period_choices
from booking.bookings.models import LessonKind
from booking.labels import SUBJECTS, WEEKDAYS
from booking.resources.rules import HOURS_FORMAT_HINT
from booking.form_helpers import Required
from booking.teachers.lessons import DELIVERED, LESSON_KIND_LABELS, NOT_DELIVERED
from booking.teachers.rules import BusyInput, ProfileInput
from booking.texts import lazy_gettext as _l

SUBJECT_CHOICES = [(code, name) for code, name in SUBJECTS.items()]
KIND_CHOICES = [(kind.value, LESSON_KIND_LABELS[kind]) for kind in LessonKind]
WEEKDAY_CHOICES = [("", _l("Choose a weekday"))] + [(str(i), name) for i, name in enumerate(WEEKDAYS)]
AVAILABILITY_HINT = HOURS_FORMAT_HINT


def _text(label, required: bool = False, **render_kw) -> StringField:
    return StringField(label, validators=[Required()] if required else [], render_kw=render_kw or None)


def _select(label, required: bool = False, choices=None) -> SelectField:
    # The service checks the value and names the field; WTForms' own choice check would not.
    return SelectField(label, choices=choices or [], validators=[Required()] if required else [],
                       validate_choice=False)


class ProfileForm(FlaskForm):
    user_id = _select(_l("User account"), required=True)
    resource_id = _select(_l("Bookable resource"))
    home_school_id = _select(_l("Home school"), required=True)
    subjects = MultiCheckboxField(_l("Subjects taught"), choices=SUBJECT_CHOICES, validate_choice=False)
    served_school_ids = MultiCheckboxField(_l("Schools served"), validate_choice=False)
    weekly_cap = _text(_l("Weekly workload cap (lessons)"), required=True, inputmode="numeric")
    availability = _text(_l("Available days and times"), required=True)

    def set_choices(self, users, resources, schools, home_schools, keep_resource: bool) -> None:
        """``schools`` may be served; ``home_schools`` (those the actor manages) may send the teacher."""
        self.user_id.choices = [("", _l("Choose a user"))] + [(str(u.id), f"{u.display_name} · {u.email}")
                                                             for u in users]
        first = _l("Keep the current resource") if keep_resource else _l("A new resource named after the teacher")
        self.resource_id.choices = [("", first)] + [(str(r.id), r.name) for r in resources]
        self.home_school_id.choices = [("", _l("Choose a school"))] + [(str(s.id), s.name) for s in home_schools]
        self.served_school_ids.choices = [(str(s.id), s.name) for s in schools]

    def to_input(self) -> ProfileInput:
        return ProfileInput(user_id=self.user_id.data, home_school_id=self.home_school_id.data,
                            weekly_cap=self.weekly_cap.data, subjects=list(self.subjects.data or []),
                            served_school_ids=list(self.served_school_ids.data or []),
                            availability=self.availability.data or "", resource_id=self.resource_id.data or None)


class BusyForm(FlaskForm):
    weekday = _select(_l("Weekday"), required=True, choices=WEEKDAY_CHOICES)
    starts = _text(_l("From"), required=True, type="time")
    ends = _text(_l("To"), required=True, type="time")
    term_id = _select(_l("Term"))
    first_date = _text(_l("First date"), type="date")
    last_date = _text(_l("Last date"), type="date")
    note = _text(_l("What (e.g. the class taught)"))

    def to_input(self) -> BusyInput:
        return BusyInput(self.weekday.data, self.starts.data, self.ends.data, self.term_id.data or None,
                         self.first_date.data, self.last_date.data, self.note.data or "")


class TimetableForm(FlaskForm):
    timetable = TextAreaField(_l("Home-school timetable, one line each"), render_kw={"rows": 4})
    term_id = _select(_l("Term"))


def set_term_choices(form, terms) -> None:
    form.term_id.choices = [("", _l("Every week, with no end"))] + [(str(t.id), t.name) for t in terms]


class VisitForm(FlaskForm):
    """The visit request: a GET to find specialists, a POST (with a specialist) to request."""

    class Meta:
        csrf = False  # the POST checks the token of RequestForm

    subject = _select(_l("Subject"), required=True, choices=[("", _l("Choose a subject"))] + SUBJECT_CHOICES)
    day = _text(_l("Date"), required=True, type="date")
    period_number = _select(_l("Period (of my school)"), required=True)
    class_name = _text(_l("Class"), placeholder="三年级2班")
    students = _text(_l("Number of students"), inputmode="numeric")
    lesson_kind = _select(_l("Kind of lesson"), choices=KIND_CHOICES)
    resource_id = _select(_l("Specialist (optional)"))
    # Sent by the confirm button when the date lies between two terms (the resource asks to confirm).
    outside_term_ok = BooleanField(_l("Yes, I mean to book between the terms"))

    def set_periods(self, bell_periods) -> None:
        self.period_number.choices = period_choices(bell_periods, _l("Choose a period"))

    def set_specialists(self, profiles) -> None:
        self.resource_id.choices = [("", _l("Any specialist who can come"))] + [
            (str(p.resource_id), p.resource.name) for p in profiles]


class RequestForm(FlaskForm):
    """Only the CSRF token: the visit's fields travel with it and are read by VisitForm."""


class RecordForm(FlaskForm):
    delivered = RadioField(_l("Was the lesson delivered?"), choices=[(DELIVERED, _l("Delivered")),
                                                                     (NOT_DELIVERED, _l("Not delivered"))],
                           validate_choice=False)
    lesson_kind = _select(_l("Kind of lesson"), choices=KIND_CHOICES)
    note = TextAreaField(_l("What was taught (or, if not delivered, why)"), render_kw={"rows": 3, "maxlength": 500})


class SettingsForm(FlaskForm):
    auto_confirm = BooleanField(_l("Visit requests are confirmed at once (otherwise the lead school's admin answers)"))
