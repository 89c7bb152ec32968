"""Forms for the coordinator's pages. They carry input and CSRF only: the services validate,
so the browser, the CSV import and the API report the same messages for the same mistakes."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField

from booking.form_helpers import Required
from booking.labels import WEEKDAYS, choices
from booking.schools.calendar import ClosureInput, TermInput
from booking.schools.makeup import MakeupDayInput
from booking.schools.models import Stage
from booking.schools.rules import PeriodRow
from booking.schools.services import SchoolInput
from booking.texts import lazy_gettext as _l

EXTRA_BELL_ROWS = 3  # blank rows under a schedule, so periods can be added without JavaScript
MIN_BELL_ROWS = 8


def _text(label, required: bool = False, **render_kw) -> StringField:
    return StringField(label, validators=[Required()] if required else [], render_kw=render_kw or None)


def _date(label) -> StringField:
    # A text field shown as a date picker, so an unreadable date gets the service's message.
    return _text(label, required=True, type="date")


class SchoolForm(FlaskForm):
    code = _text(_l("School code"), required=True, autocomplete="off")
    name = _text(_l("Name"), required=True)
    stage = SelectField(_l("Stage"), choices=choices(Stage), validators=[Required()], validate_choice=False)
    enrollment = _text(_l("Students enrolled"), required=True, inputmode="numeric")
    is_lead = BooleanField(_l("Lead school"))
    is_weak = BooleanField(_l("Weak school the district supports"))
    lead_school_code = SelectField(_l("Tied to lead school"), validate_choice=False)
    area = _text(_l("Area"))
    address = _text(_l("Address"))

    def set_lead_choices(self, leads, none_label) -> None:
        self.lead_school_code.choices = [("", none_label)] + [(s.code, f"{s.name} ({s.code})") for s in leads]

    def to_input(self) -> SchoolInput:
        return SchoolInput(
            code=self.code.data or "", name=self.name.data or "", stage=self.stage.data or "",
            enrollment=self.enrollment.data, is_lead=self.is_lead.data, is_weak=self.is_weak.data,
            lead_school_code=self.lead_school_code.data or None, area=self.area.data or "",
            address=self.address.data or "",
        )


class PeriodRowForm(Form):
    """One bell period row; a plain Form because the page's CSRF token lives on the outer form."""

    start = _text(_l("Starts"), type="time")
    end = _text(_l("Ends"), type="time")


class BellScheduleForm(FlaskForm):
    periods = FieldList(FormField(PeriodRowForm))

    def fill(self, rows: list[PeriodRow]) -> None:
        """Show ``rows`` plus blank rows to add periods in."""
        self.periods.entries = []
        for row in rows:
            self.periods.append_entry({"start": row.start, "end": row.end})
        while len(self.periods.entries) < max(len(rows) + EXTRA_BELL_ROWS, MIN_BELL_ROWS):
            self.periods.append_entry()

    def to_rows(self) -> list[PeriodRow]:
        """Rows numbered 1, 2, 3 … from the top, so clearing a row removes that period and the
        later ones move up; blank rows stay in the list so error keys match the inputs."""
        rows, number = [], 0
        for entry in self.periods:
            start, end = entry.start.data or "", entry.end.data or ""
            number += 1 if start or end else 0
            rows.append(PeriodRow(number if start or end else "", start, end))
        return rows


class TermForm(FlaskForm):
    name = _text(_l("Name"), required=True)
    start_date = _date(_l("First day"))
    end_date = _date(_l("Last day"))

    def to_input(self) -> TermInput:
        return TermInput(self.name.data or "", self.start_date.data or "", self.end_date.data or "")


class PlaceChoice:
    """The ``school_id`` choice of a closure or a make-up day: "" the whole county, "district:<id>" every school
    of a district, "<id>" one school; read back as (school, district) values for the service's input."""

    DISTRICT = "district:"

    @classmethod
    def district_choice(cls, district_id: int) -> str:
        return f"{cls.DISTRICT}{district_id}"

    @classmethod
    def choice_of(cls, school_id: int | None, district_id: int | None) -> str:
        if school_id is not None:
            return str(school_id)
        return cls.district_choice(district_id) if district_id is not None else ""

    def set_place_choices(self, wide: list[tuple[str, str]], schools) -> None:
        """``wide``: (value, label) of the county and the districts the user may choose, above the schools."""
        self.school_id.choices = wide + [(str(s.id), s.name) for s in schools]

    def chosen_place(self) -> tuple[str | None, str | None]:
        """(school, district) as chosen; an unknown district ("district:x") is the service's to refuse."""
        chosen = self.school_id.data or ""
        if chosen.startswith(self.DISTRICT):
            return None, chosen.removeprefix(self.DISTRICT) or "?"
        return chosen or None, None


class ClosureForm(PlaceChoice, FlaskForm):
    school_id = SelectField(_l("Closure applies to"), validate_choice=False)
    start_date = _date(_l("First day"))
    end_date = _date(_l("Last day"))
    start_time = StringField(_l("From (time)"), render_kw={"type": "time"})
    end_time = StringField(_l("Until (time)"), render_kw={"type": "time"})
    reason = _text(_l("Reason"), required=True)
    # Sent by the confirmation page's buttons: what to do with the bookings the closure falls on.
    on_bookings = StringField()
    # The ids of the bookings that page showed, so a booking made since is not cancelled unseen.
    shown = StringField()

    def to_input(self) -> ClosureInput:
        school, district = self.chosen_place()
        return ClosureInput(self.start_date.data or "", self.end_date.data or "", self.reason.data or "",
                            school, self.start_time.data or "", self.end_time.data or "", district)


class MakeupDayForm(PlaceChoice, FlaskForm):
    """A make-up teaching day (调休上课 / 补班): the date, the weekday it follows, for whom and why."""

    school_id = SelectField(_l("For"), validate_choice=False)
    day = _date(_l("Date"))
    follows_weekday = SelectField(_l("Follows the timetable of"), validate_choice=False)
    reason = _text(_l("Reason"), required=True)

    def set_choices(self, wide: list[tuple[str, str]], schools) -> None:
        self.set_place_choices(wide, schools)
        self.follows_weekday.choices = [(str(i), name) for i, name in enumerate(WEEKDAYS)]

    def to_input(self) -> MakeupDayInput:
        school, district = self.chosen_place()
        return MakeupDayInput(self.day.data or "", self.follows_weekday.data or "", self.reason.data or "",
                              school, district)
