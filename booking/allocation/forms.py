"""The round pages' forms (CSRF on each): open a round, submit a weekly request, commit."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Optional

from booking.bookings.web.forms import MultiCheckboxField
from booking.labels import WEEKDAYS, period_label
from booking.texts import lazy_gettext as _l

PRIORITIES = [("1", _l("1 — most wanted")), ("2", "2"), ("3", "3"), ("4", "4"), ("5", _l("5 — least wanted"))]


def slot_choices(weekdays: int = 5, periods: int = 8) -> list[tuple[str, str]]:
    return [(f"{d}-{p}", f"{WEEKDAYS[d]} {period_label(p)}") for d in range(weekdays) for p in range(1, periods + 1)]


class OpenRoundForm(FlaskForm):
    term_id = SelectField(_l("Term"), coerce=str)
    name = StringField(_l("Name of the round"))
    # The browser's own date and time picker (a phone's wheel), which sends 2026-09-10T17:00.
    deadline = StringField(_l("Deadline for requests"), render_kw={"type": "datetime-local"})


class RequestForm(FlaskForm):
    resource_id = SelectField(_l("Resource"), coerce=str, validators=[Optional()])
    category = SelectField(_l("Or any resource of the kind"), coerce=str, validators=[Optional()])
    slots = MultiCheckboxField(_l("Acceptable weekday and period (the host school's bells)"), coerce=str)
    weeks = IntegerField(_l("Number of weeks"), default=16, validators=[Optional()])
    title = StringField(_l("Purpose"))
    class_name = StringField(_l("Class"))
    students = IntegerField(_l("Students"), validators=[Optional()])
    priority = SelectField(_l("Your priority"), choices=PRIORITIES, default="3")


class CommitForm(FlaskForm):
    pass
