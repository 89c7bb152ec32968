"""The dashboard's filter form (GET, no CSRF: it changes nothing) and the outcome buttons' form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField

from booking.labels import choices
from booking.reports.filters import ReportFilter
from booking.resources.models import Category
from booking.schools.models import Stage
from booking.texts import lazy_gettext as _l


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    term = SelectField(_l("Term"), validate_choice=False)
    shown = HiddenField()  # "term|first|last" as shown: another term chosen beside unchanged dates wins
    start = StringField(_l("First day"), render_kw={"type": "date"})
    end = StringField(_l("Last day"), render_kw={"type": "date"})
    category = SelectField(_l("Category"), choices=[("", _l("All"))] + choices(Category), validate_choice=False)
    stage = SelectField(_l("Stage"), choices=[("", _l("All"))] + choices(Stage), validate_choice=False)
    school = SelectField(_l("School"), validate_choice=False)
    district = SelectField(_l("District"), validate_choice=False)  # county coordinators only (``districts``)

    def set_choices(self, terms, schools, districts=()) -> None:
        """``districts``: those the viewer may choose between (none: the field is not shown)."""
        self.term.choices = [("", _l("Dates below"))] + [(str(term.id), term.name) for term in terms]
        self.school.choices = [("", _l("All"))] + [(str(school.id), school.name) for school in schools]
        self.district.choices = [("", _l("Every district"))] + [(str(d.id), d.name) for d in districts]
        self.chooses_district = bool(districts)

    def show(self, report_filter: ReportFilter) -> None:
        """Fill the inputs with what the report covers (the defaults made visible)."""
        self.term.data = str(report_filter.term_id) if report_filter.term_id else ""
        self.start.data = report_filter.range.first.isoformat()
        self.end.data = report_filter.range.last.isoformat()
        self.shown.data = f"{self.term.data}|{self.start.data}|{self.end.data}"
        self.category.data = report_filter.category.value if report_filter.category else ""
        self.stage.data = report_filter.stage.value if report_filter.stage else ""
        self.school.data = str(report_filter.school_id) if report_filter.school_id else ""
        self.district.data = str(report_filter.district_id) if report_filter.district_id else ""


class OutcomeForm(FlaskForm):
    """The buttons post ``outcome`` (used / no_show); ``next`` is where to go back to."""

    outcome = HiddenField()
    note = StringField(_l("Note"), render_kw={"maxlength": 500})
    next = HiddenField()
