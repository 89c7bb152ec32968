"""Where a closure or a make-up day applies, in the pages' words and choices: one school, every school of a
district, or the whole county (the district's, in an installation of one district). Who may choose which is
``permissions.can_manage_closure``'s; the closures' and the make-up days' pages both read it here."""
from __future__ import annotations

from flask_babel import gettext as _

from booking.extensions import db
from booking.permissions import is_county_coordinator, is_district_head
from booking.schools import services
from booking.schools.forms import PlaceChoice
from booking.schools.models import School


def whole_county_label(in_sentence: bool = False) -> str:
    """What a row of no school and no district covers: every school of the county (of the district, in an
    installation of one district); ``in_sentence``: worded to stand inside a sentence."""
    if services.holds_several_districts():
        place = services.place_name(None)
        return _("every school of %(place)s", place=place) if in_sentence else _("Every school of %(place)s",
                                                                                  place=place)
    return _("every school of the district") if in_sentence else _("The whole district")


def place_namer(in_sentence: bool = False):
    """``place(row)``: what a closure, a make-up day (or a closure's span) covers, in words: its school, every
    school of its district, or ``whole_county_label``."""
    county = whole_county_label(in_sentence)

    def place(row) -> str:
        if row.school_id is not None:
            return db.session.get(School, row.school_id).name
        if row.district_id is not None:
            name = services.place_name(row.district_id)
            return _("every school of %(place)s", place=name) if in_sentence else _("Every school of %(place)s",
                                                                                     place=name)
        return county
    return place


def wide_choices(user) -> list[tuple[str, str]]:
    """The choices above the schools: the whole county (county coordinators), every school of a district (of
    each district for them, of their own for a district's coordinator, 学区长)."""
    county = [("", whole_county_label())] if is_county_coordinator(user) else []
    if not services.holds_several_districts():
        return county
    districts = [d for d in services.list_districts()
                 if is_county_coordinator(user) or (is_district_head(user) and d.id == user.district_id)]
    return county + [(PlaceChoice.district_choice(d.id), _("Every school of %(place)s", place=d.name))
                     for d in districts]
