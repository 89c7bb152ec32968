"""Make-up teaching days (调休上课 / 补班): dates taught like a named weekday, district-wide or one school's.

Each changing function records and flushes; the caller's unit of work commits. A district coordinator
keeps them, beside the closures (see ``booking.schools.calendar``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from booking.audit.services import record
from booking.extensions import db
from booking import parsing
from booking.schools.calendar import chosen_school, upcoming_and_past
from booking.schools.models import MakeupDay, School
from booking.schools.services import district_for_writes
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


@dataclass
class MakeupDayInput:
    day: object
    follows_weekday: object  # 0 = Monday … 6 = Sunday, as an int or a string
    reason: str
    school_id: int | str | None = None  # None or "" for the whole district


def check_makeup_input(data: MakeupDayInput, existing: MakeupDay | None = None) -> tuple[dict, School | None]:
    """Field errors for a make-up day, and the one school it is for (None: the whole district)."""
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
    school = chosen_school(data.school_id, errors)
    if day is not None and "school_id" not in errors:
        same = select(MakeupDay).where(MakeupDay.day == day,
                                       MakeupDay.school_id.is_(None) if school is None else MakeupDay.school_id == school.id)
        other = db.session.scalars(same).first()
        if other is not None and other is not existing:
            errors["day"] = _l("%(day)s is already a make-up day (%(reason)s).", day=day.isoformat(), reason=other.reason)
    return errors, school


def _details(makeup: MakeupDay) -> dict:
    return {"school_id": makeup.school_id, "day": makeup.day.isoformat(), "follows_weekday": makeup.follows_weekday,
            "reason": makeup.reason}


def save_makeup_day(makeup: MakeupDay, data: MakeupDayInput, actor) -> MakeupDay:
    errors, school = check_makeup_input(data, existing=makeup if makeup.id else None)
    if errors:
        raise ValidationFailed(errors)
    action = "makeup_day.update" if makeup.id else "makeup_day.create"
    makeup.school = school
    makeup.day = parsing.parse_day(data.day)
    makeup.follows_weekday = parsing.parse_whole_number(data.follows_weekday, 6)
    makeup.reason = data.reason.strip()
    if makeup.district_id is None:
        makeup.district_id = district_for_writes().id
    db.session.add(makeup)
    db.session.flush()
    record(actor, action, makeup, _details(makeup))
    return makeup


def create_makeup_day(data: MakeupDayInput, actor) -> MakeupDay:
    return save_makeup_day(MakeupDay(), data, actor)


def delete_makeup_day(makeup: MakeupDay, actor) -> None:
    record(actor, "makeup_day.delete", ("MakeupDay", makeup.id), _details(makeup))
    db.session.delete(makeup)
    db.session.flush()


def list_makeup_days(school_id: int | None = None, today: date | None = None) -> tuple[list[MakeupDay], list[MakeupDay]]:
    """(upcoming, past), like the closures: a school's list keeps the district-wide ones too."""
    where = None if school_id is None else or_(MakeupDay.school_id == school_id, MakeupDay.school_id.is_(None))
    return upcoming_and_past(MakeupDay, MakeupDay.day, MakeupDay.day, where, today)
