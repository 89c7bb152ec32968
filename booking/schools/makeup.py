"""Make-up teaching days (调休上课 / 补班): dates taught like a named weekday, district-wide or one school's.

Each changing function records and flushes; the caller's unit of work commits. A district coordinator
keeps them, beside the closures (see ``booking.schools.calendar``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from booking.audit.services import record
from booking.extensions import db
from booking import parsing
from booking.permissions import can_manage_makeup_day
from booking.schools.calendar import applies_to_school_clause, chosen_place, upcoming_and_past
from booking.schools.models import District, MakeupDay, School
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


@dataclass
class MakeupDayInput:
    day: object
    follows_weekday: object  # 0 = Monday … 6 = Sunday, as an int or a string
    reason: str
    school_id: int | str | None = None  # None or "": every school of ``district_id`` (None: of the county)
    district_id: int | str | None = None  # with no school: the district it is for; a school's must match it


def check_makeup_input(data: MakeupDayInput, existing: MakeupDay | None = None
                       ) -> tuple[dict, School | None, District | None]:
    """Field errors for a make-up day, and the one school and the district it is for (``chosen_place``)."""
    errors: dict = {}
    day = parsing.parse_day(data.day)
    if day is None:
        errors["day"] = _l("Enter the date (YYYY-MM-DD).")
    weekday = parsing.parse_whole_number(data.follows_weekday, 6)
    if weekday is None:
        errors["follows_weekday"] = _l("Choose the weekday whose timetable the day follows.")
    reason = (data.reason or "").strip()
    problem = parsing.text_error(reason, 200, _l("Enter the reason, for example 国庆节补班."))
    if problem is not None:
        errors["reason"] = problem
    school, district = chosen_place(data.school_id, data.district_id, errors)
    if day is not None and "school_id" not in errors and "district_id" not in errors:
        other = db.session.scalars(select(MakeupDay).where(MakeupDay.day == day, _same_place(school, district))).first()
        if other is not None and other is not existing:
            errors["day"] = _l("%(day)s is already a make-up day (%(reason)s).", day=day.isoformat(), reason=other.reason)
    return errors, school, district


def _same_place(school: School | None, district: District | None):
    if school is not None:
        return MakeupDay.school_id == school.id
    return MakeupDay.school_id.is_(None) & (MakeupDay.district_id.is_(None) if district is None
                                            else MakeupDay.district_id == district.id)


def _details(makeup: MakeupDay) -> dict:
    details = {"school_id": makeup.school_id, "day": makeup.day.isoformat(), "follows_weekday": makeup.follows_weekday,
               "reason": makeup.reason}
    if makeup.school_id is None and makeup.district_id is not None:  # every school of one district
        details["district_id"] = makeup.district_id
    return details


def save_makeup_day(makeup: MakeupDay, data: MakeupDayInput, actor) -> MakeupDay:
    errors, school, district = check_makeup_input(data, existing=makeup if makeup.id else None)
    if not errors and actor is not None and not can_manage_makeup_day(actor, school and school.id,
                                                                      district and district.id):
        errors["school_id"] = _l("You can only keep the make-up days of the schools and the district you manage.")
    if errors:
        raise ValidationFailed(errors)
    action = "makeup_day.update" if makeup.id else "makeup_day.create"
    makeup.school = school
    makeup.day = parsing.parse_day(data.day)
    makeup.follows_weekday = parsing.parse_whole_number(data.follows_weekday, 6)
    makeup.reason = data.reason.strip()
    makeup.district_id = district.id if district is not None else None
    db.session.add(makeup)
    db.session.flush()
    record(actor, action, makeup, _details(makeup))
    return makeup


def create_makeup_day(data: MakeupDayInput, actor) -> MakeupDay:
    return save_makeup_day(MakeupDay(), data, actor)


def delete_makeup_day(makeup: MakeupDay, actor) -> None:
    record(actor, "makeup_day.delete", ("MakeupDay", makeup.id), _details(makeup), school_id=makeup.school_id)
    db.session.delete(makeup)
    db.session.flush()


def list_makeup_days(school_id: int | None = None, today: date | None = None) -> tuple[list[MakeupDay], list[MakeupDay]]:
    """(upcoming, past), like the closures: a school's list keeps its district's and the county's too."""
    where = None if school_id is None else applies_to_school_clause(MakeupDay, school_id)
    return upcoming_and_past(MakeupDay, MakeupDay.day, MakeupDay.day, where, today)
