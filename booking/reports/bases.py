"""The three bases every report figure is counted on, and their names on the page.

- delivered: the booking has ended and was not a no-show (what the students actually got);
- planned: confirmed and not yet ended (what is only booked);
- no-show: recorded as a no-show, or released by the scheduler because nobody checked in.

Pure code: ``sql.basis_of`` writes the same rule in SQL, so each figure comes out of one
GROUP BY with the basis as one of its columns.
"""
from __future__ import annotations

from enum import StrEnum

from booking.texts import lazy_gettext as _l


class Basis(StrEnum):
    DELIVERED = "delivered"
    PLANNED = "planned"
    NO_SHOW = "no_show"


BASIS_LABELS = {Basis.DELIVERED: _l("delivered"), Basis.PLANNED: _l("planned"), Basis.NO_SHOW: _l("no-show")}
BASIS_NOTES = {
    Basis.DELIVERED: _l("Delivered: bookings that have ended and were not a no-show."),
    Basis.PLANNED: _l("Planned: confirmed bookings that have not ended yet."),
    Basis.NO_SHOW: _l("No-show: recorded as not used, or released because nobody checked in."),
}


def labelled(text, basis: Basis):
    """A column or figure name with its basis: "Hours received (delivered)"; lazy, so module-level
    column names are translated when shown."""
    return _l("%(name)s (%(basis)s)", name=text, basis=BASIS_LABELS[basis])
