"""Forms of the booking pages. They carry strings and the CSRF token only: ``form_input`` reads the
values and the booking services decide, so the browser and the API refuse with the same words."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from booking.labels import WEEKDAYS, choices, period_label
from booking.resources.models import Category
from booking.form_helpers import Required
from booking.texts import lazy_gettext as _l

REPEAT_LABELS = [("", _l("Once")), ("1", _l("Every week")), ("2", _l("Every 2 weeks"))]
CANCEL_SCOPES = [("occurrence", _l("Only this date")), ("following", _l("This date and the following ones")),
                 ("series", _l("The whole series (dates still to come)"))]
DECISION_SCOPES = [("occurrence", _l("Only this date")), ("series", _l("Every waiting date of the series"))]


def _text(label, required: bool = False, **render_kw) -> StringField:
    return StringField(label, validators=[Required()] if required else [], render_kw=render_kw or None)


def _select(label) -> SelectField:
    # The service checks the value and names the field; WTForms' own choice check would not.
    return SelectField(label, validate_choice=False)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def period_choices(bell_periods, empty_label) -> list[tuple[str, str]]:
    """第1节 08:00–08:40 … from a school's bell periods, after an empty choice."""
    return [("", empty_label)] + [
        (str(p.number), f"{period_label(p.number)} {p.start_time:%H:%M}–{p.end_time:%H:%M}") for p in bell_periods]


class WhenFields:
    """A date, a period (or a run of periods) of the owner school, or clock times."""

    day = _text(_l("Date"), required=True, type="date")
    period_number = _select(_l("Period"))
    period_to = _select(_l("To period (for a double lesson)"))
    start_time = _text(_l("Starts at"), type="time")
    end_time = _text(_l("Ends at"), type="time")

    def set_periods(self, bell_periods) -> None:
        self.period_number.choices = period_choices(bell_periods, _l("By clock time (enter below)"))
        self.period_to.choices = period_choices(bell_periods, _l("Just this period"))


class ClassFields:
    class_name = _text(_l("Class"), placeholder="三年级2班")
    students = _text(_l("Number of students"), inputmode="numeric")
    title = _text(_l("Purpose"), required=True)


class ValuesForm(FlaskForm):
    def values(self) -> dict:
        """What was typed, by field name, for ``form_input``."""
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}


class BookingForm(ValuesForm, WhenFields, ClassFields):
    school_id = _select(_l("School of the class"))
    quantity = _text(_l("How many"), inputmode="numeric")
    repeat = SelectField(_l("Repeat"), choices=REPEAT_LABELS, validate_choice=False)
    weekdays = MultiCheckboxField(_l("On these weekdays"), choices=[(str(i), d) for i, d in enumerate(WEEKDAYS)],
                                  validate_choice=False)
    until = _text(_l("Until"), type="date")
    # Shown once a date lies in a gap between terms on a resource that asks for confirmation there.
    outside_term_ok = BooleanField(_l("Yes, I mean to book between the terms"))

    def set_school_choices(self, schools) -> None:
        self.school_id.choices = [("", _l("Choose a school"))] + [(str(s.id), s.name) for s in schools]


class ChangeForm(ValuesForm, WhenFields, ClassFields):
    scope = RadioField(_l("Change which dates"), choices=CANCEL_SCOPES, default="occurrence", validate_choice=False)
    outside_term_ok = BooleanField(_l("Yes, I mean to book between the terms"))


class CancelForm(FlaskForm):
    scope = RadioField(_l("Cancel which dates"), choices=CANCEL_SCOPES, default="occurrence", validate_choice=False)
    reason = TextAreaField(_l("Reason (the others involved will read it)"), render_kw={"rows": 2})


class DecisionForm(FlaskForm):
    """Approve or reject one request; each row of the queue has its own prefix."""

    scope = SelectField(_l("Answer for"), choices=DECISION_SCOPES, validate_choice=False)
    reason = TextAreaField(_l("Reason (required to reject)"), render_kw={"rows": 2})


class SearchForm(ValuesForm):
    """A GET form: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), choices=[("", _l("Choose a category"))] + choices(Category),
                           validate_choice=False)
    date = _text(_l("Date"), required=True, type="date")
    period = _select(_l("Period (of my school)"))
    start = _text(_l("From"), type="time")
    end = _text(_l("To"), type="time")
    students = _text(_l("Number of students"), inputmode="numeric")

    def set_periods(self, bell_periods) -> None:
        self.period.choices = period_choices(bell_periods, _l("By clock time (enter below)"))
