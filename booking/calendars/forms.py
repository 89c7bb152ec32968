"""Forms of the calendar pages: subscribing to a feed, importing closures and term dates."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from booking.calendars.imports import CLOSURES, TERMS
from booking.schools.forms import PlaceChoice
from booking.texts import lazy_gettext as _l


class SubscribeForm(FlaskForm):
    """The "create a subscription link" button: what to subscribe to, and the page to come back to."""

    scope = HiddenField()
    target_id = HiddenField()
    next = HiddenField()


class ImportForm(PlaceChoice, FlaskForm):
    file = FileField(_l("Calendar file (.ics)"))
    url = StringField(_l("Or the calendar's web address"), validators=[Optional(), Length(max=2000)],
                      render_kw={"inputmode": "url", "autocomplete": "off", "placeholder": "https://"})
    kind = SelectField(_l("Import as"), choices=[(CLOSURES, _l("Closures (days nothing can be booked)")),
                                                 (TERMS, _l("Term dates"))])
    school_id = SelectField(_l("Closures apply to"), choices=[], validate_choice=False)
    remove_missing = BooleanField(_l("Remove what an earlier import added but this calendar no longer has"),
                                  default=True)

    def allow_terms(self, allowed: bool) -> None:
        """Term dates are the county's: the kind is closures only for everyone else."""
        if not allowed:
            self.kind.choices = [choice for choice in self.kind.choices if choice[0] != TERMS]


class ApplyImportForm(FlaskForm):
    """The preview's confirm button; ``payload`` is the previewed import, signed by the server."""

    payload = HiddenField()
    # The bookings the preview listed (see booking.bookings.hits) and what its button chose for them.
    shown = HiddenField()
    on_bookings = StringField()  # not hidden: the buttons send it
