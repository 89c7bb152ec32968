"""The resource form. It only reads the fields; the rules live in ``booking.resources.rules``."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import Optional

from booking.labels import SUBJECTS, WEEKDAYS, choices
from booking.resources.blackouts import BlackoutInput, from_local
from booking.resources.models import Category, ResourceKind, Sharing
from booking.resources.rules import DEFAULT_OPENING_HOURS, ResourceInput, Window
from booking.form_helpers import Required
from booking.texts import lazy_gettext as _l

# Blank rows under the filled ones, so a day can get more windows without JavaScript.
SPARE_HOURS_ROWS = 5
OUTSIDE_TERM_CHOICES = [("confirm", _l("Ask the booker to confirm (the default)")), ("refuse", _l("Refuse")),
                        ("allow", _l("Allow, e.g. holiday camps"))]


class HoursRowForm(Form):
    """One row of the opening-hours grid; a fully blank row means nothing."""

    weekday = SelectField(_l("Day"), choices=[("", "—")] + [(str(i), day) for i, day in enumerate(WEEKDAYS)],
                          validators=[Optional()])
    opens = TimeField(_l("Opens"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()])

    def window(self) -> Window | None:
        weekday, opens, closes = self.weekday.data, self.opens.data, self.closes.data
        if not weekday and opens is None and closes is None:
            return None
        return Window(int(weekday) if weekday else None, opens, closes)


def _optional_number(text):
    return IntegerField(text, validators=[Optional()])


class ResourceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(ResourceKind))
    category = SelectField(_l("Category"), choices=choices(Category))
    subject = SelectField(_l("Subject"), choices=[("", _l("No subject"))] + list(SUBJECTS.items()))
    name = StringField(_l("Name"))
    owner_school_id = SelectField(_l("Owner school"), coerce=int, choices=[])
    location = StringField(_l("Location"))
    description = TextAreaField(_l("Description"))
    capacity = _optional_number(_l("Capacity (students)"))
    stock = _optional_number(_l("Stock (equipment only)"))
    sharing = SelectField(_l("Sharing"), choices=choices(Sharing))
    approval_required = BooleanField(_l("Bookings need approval"))
    waitlist_weak_first = BooleanField(_l("Waitlist: weak schools first"))
    min_duration_minutes = _optional_number(_l("Shortest booking (minutes)"))
    max_duration_minutes = _optional_number(_l("Longest booking (minutes)"))
    max_advance_days = _optional_number(_l("Can be booked this many days ahead"))
    outside_term = SelectField(_l("Between two terms (寒假, 暑假)"), choices=OUTSIDE_TERM_CHOICES, default="confirm")
    opening_hours = FieldList(FormField(HoursRowForm), min_entries=0)
    # Sent by the "cancel them" button of the list of bookings an edit would break.
    on_broken = StringField()
    # The ids of the bookings that list showed, so a booking made since is not cancelled unseen.
    shown = HiddenField()

    def set_school_choices(self, schools) -> None:
        self.owner_school_id.choices = [(school.id, school.name) for school in schools]

    def to_input(self) -> ResourceInput:
        windows = [row.form.window() for row in self.opening_hours]
        return ResourceInput(
            kind=self.kind.data, category=self.category.data, subject=self.subject.data or "",
            name=self.name.data or "", owner_school_id=self.owner_school_id.data,
            location=self.location.data or "", description=self.description.data or "",
            capacity=self.capacity.data, stock=self.stock.data, sharing=self.sharing.data,
            approval_required=self.approval_required.data, waitlist_weak_first=self.waitlist_weak_first.data,
            min_duration_minutes=self.min_duration_minutes.data, max_duration_minutes=self.max_duration_minutes.data,
            max_advance_days=self.max_advance_days.data,
            outside_term=self.outside_term.data or "confirm",
            opening_hours=[w for w in windows if w is not None],
        )

    def cancels_broken(self) -> bool:
        return self.on_broken.data == "cancel"

    def shown_ids(self) -> frozenset[int]:
        return frozenset(int(part) for part in (self.shown.data or "").split(",") if part.isdigit())


# The fields that show a stored resource as it is (opening hours are rows, handled apart).
_RESOURCE_FIELDS = ("kind", "category", "subject", "name", "owner_school_id", "location", "description", "capacity",
                    "stock", "sharing", "approval_required", "waitlist_weak_first", "min_duration_minutes",
                    "max_duration_minutes", "max_advance_days", "outside_term")


def resource_form(schools, resource=None) -> ResourceForm:
    """The form for a new resource (Mon–Fri 08:00–17:00 to start with) or for editing ``resource``.

    On a POST the submitted values win, as usual with Flask-WTF.
    """
    if resource is None:
        values, windows = {"stock": 1}, DEFAULT_OPENING_HOURS
    else:
        values, windows = {name: getattr(resource, name) for name in _RESOURCE_FIELDS}, resource.opening_hours
    rows = [{"weekday": str(w.weekday), "opens": w.opens, "closes": w.closes}
            for w in sorted(windows, key=lambda w: (w.weekday, w.opens))]
    form = ResourceForm(data={**values, "opening_hours": rows + [{}] * SPARE_HOURS_ROWS})
    form.set_school_choices(schools)
    return form


class BlackoutForm(FlaskForm):
    """A blackout in the district's local time: one day with times, or whole days from/to.

    Text inputs shown as date and time pickers, so an unreadable value gets the service's message.
    """

    start_date = StringField(_l("First day"), validators=[Required()], render_kw={"type": "date"})
    start_time = StringField(_l("From (time)"), render_kw={"type": "time"})
    end_date = StringField(_l("Last day"), render_kw={"type": "date"})
    end_time = StringField(_l("Until (time)"), render_kw={"type": "time"})
    reason = StringField(_l("Reason"), validators=[Required()])
    # Sent by the confirmation page's buttons: what to do with the bookings inside.
    on_bookings = StringField()
    # The ids of the bookings that page showed, so a booking made since is not cancelled unseen.
    shown = StringField()

    def to_input(self, zone) -> BlackoutInput:
        return from_local(self.start_date.data, self.start_time.data, self.end_date.data, self.end_time.data,
                          self.reason.data or "", zone)
