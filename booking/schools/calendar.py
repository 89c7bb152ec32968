"""Terms (学期) and closures: the district's calendar.

Each changing function records and flushes; the caller's unit of work commits. What a new or changed
closure does to the bookings it falls on is decided in ``booking.bookings.closures``, which saves
closures through ``write_closure`` here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking import parsing
from booking.audit.services import record
from booking.extensions import db
from booking.i18n import local_today
from booking.schools.models import Closure, District, School, Term
from booking.schools.services import district_for_writes
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID, ValidationFailed


def _check_text(value, errors: dict, field: str, limit: int, required_message) -> str:
    text = (value or "").strip()
    problem = parsing.text_error(text, limit, required_message)
    if problem is not None:
        errors[field] = problem
    return text


# --- Terms -----------------------------------------------------------------------------------------


@dataclass
class TermInput:
    name: str
    start_date: object
    end_date: object


def list_terms() -> list[Term]:
    return list(db.session.scalars(select(Term).order_by(Term.start_date.desc())))


def check_term_input(data: TermInput, existing: Term | None = None) -> dict:
    """Field errors for a term: a name, end not before start, and no overlap with another term."""
    errors, start, end = parsing.check_date_range(data.start_date, data.end_date)
    _check_text(data.name, errors, "name", 100, _l("Enter the term's name."))
    if start is None or end is None or errors.get("end_date"):
        return errors
    for other in list_terms():
        if other is not existing and parsing.spans_overlap(start, end, other.start_date, other.end_date):
            errors["start_date"] = _l("These dates overlap the term %(name)s (%(start)s – %(end)s).",
                                      name=other.name, start=other.start_date.isoformat(),
                                      end=other.end_date.isoformat())
            break
    return errors


def _save_term(term: Term, data: TermInput, actor, action: str) -> Term:
    errors = check_term_input(data, existing=term)
    if errors:
        raise ValidationFailed(errors)
    term.name = data.name.strip()
    term.start_date, term.end_date = parsing.parse_day(data.start_date), parsing.parse_day(data.end_date)
    if term.district_id is None:
        term.district_id = district_for_writes().id
    db.session.add(term)
    record(actor, action, term, {"name": term.name, "start": term.start_date.isoformat(),
                                 "end": term.end_date.isoformat()})
    db.session.flush()
    return term


def create_term(data: TermInput, actor) -> Term:
    return _save_term(Term(), data, actor, "term.create")


def update_term(term: Term, data: TermInput, actor) -> Term:
    return _save_term(term, data, actor, "term.update")


# --- Closures --------------------------------------------------------------------------------------


@dataclass
class ClosureInput:
    start_date: object
    end_date: object
    reason: str
    school_id: int | str | None = None  # None or "": every school of ``district_id`` (None: of the county)
    start_time: object = None  # both blank: the whole days; both given: closed only in that range each day
    end_time: object = None
    district_id: int | str | None = None  # with no school: the district closed; a school's must match it


@dataclass(frozen=True)
class ClosureSpan:
    """A closure's values, checked, before (or without) saving: what its hit list is computed from."""

    school_id: int | None
    start_date: date
    end_date: date
    reason: str
    start_time: time | None = None
    end_time: time | None = None
    district_id: int | None = None  # the school's district; with no school, the district closed (None: the county)


def _check_times(data: ClosureInput, errors: dict) -> tuple[time | None, time | None]:
    blank_start, blank_end = data.start_time in (None, ""), data.end_time in (None, "")
    if blank_start and blank_end:
        return None, None
    opens, closes = parsing.parse_clock(data.start_time), parsing.parse_clock(data.end_time)
    if opens is None:
        errors["start_time"] = _l("Enter a time such as 08:00, or leave both times blank for whole days.")
    if closes is None:
        errors["end_time"] = _l("Enter a time such as 12:00, or leave both times blank for whole days.")
    elif opens is not None and closes <= opens:
        errors["end_time"] = _l("The closure must end after it starts.")
    return opens, closes


def check_closure_input(data: ClosureInput) -> tuple[dict, School | None, District | None]:
    """Field errors for a closure, and the one school and the district it closes (the school's; without a
    school, the district chosen; neither: the whole county)."""
    errors, _start, _end = parsing.check_date_range(data.start_date, data.end_date)
    _check_text(data.reason, errors, "reason", 200, _l("Enter the reason for the closure."))
    _check_times(data, errors)
    return (errors, *chosen_place(data.school_id, data.district_id, errors))


def chosen_place(school_value, district_value, errors: dict) -> tuple[School | None, District | None]:
    """The one school and the district a closure or a make-up day is for: the school's district with a school,
    else the district ``district_value`` names (None: the whole county); errors on ``school_id`` or
    ``district_id`` when unknown or when the school is not the district's."""
    school, district = chosen_school(school_value, errors), _chosen_district(district_value, errors)
    if school is not None and district is not None and school.district_id != district.id:
        errors["school_id"] = _l("%(school)s is not a school of %(district)s.", school=school.name, district=district.name)
    return school, (school.district if school is not None else district)


def _chosen(model, value, errors: dict, field: str, unknown):
    """The ``model`` row the id ``value`` names (None or "": none); ``unknown`` on ``field`` when there is none."""
    if value in (None, ""):
        return None
    row_id = parsing.parse_whole_number(value, MAX_ID)
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None:
        errors[field] = unknown
    return row


def _chosen_district(value, errors: dict) -> District | None:
    return _chosen(District, value, errors, "district_id", _l("Choose a district from the list."))


def chosen_school(value, errors: dict) -> School | None:
    """The one school ``value`` names (None or "": the whole district); an error on ``school_id`` when unknown."""
    return _chosen(School, value, errors, "school_id", _l("Choose a school from the list, or the whole district."))


def validated_closure(data: ClosureInput) -> ClosureSpan:
    """The closure's checked values; ValidationFailed naming each bad field."""
    errors, school, district = check_closure_input(data)
    if errors:
        raise ValidationFailed(errors)
    opens, closes = _check_times(data, {})
    return ClosureSpan(school.id if school else None, parsing.parse_day(data.start_date),
                       parsing.parse_day(data.end_date), data.reason.strip(), opens, closes,
                       district.id if district else None)


def write_closure(closure: Closure, span: ClosureSpan, actor, action: str, details: dict | None = None) -> Closure:
    """Save ``span`` into ``closure`` (new or stored) with its audit entry; flushed, so it has its id."""
    closure.school_id = span.school_id
    closure.start_date, closure.end_date = span.start_date, span.end_date
    closure.start_time, closure.end_time = span.start_time, span.end_time
    closure.reason = span.reason
    closure.district_id = span.district_id
    db.session.add(closure)
    db.session.flush()
    record(actor, action, closure, {**_closure_details(closure), **(details or {})})
    db.session.flush()
    return closure


def _closure_details(closure: Closure) -> dict:
    details = {"school_id": closure.school_id, "start": closure.start_date.isoformat(),
               "end": closure.end_date.isoformat(), "reason": closure.reason}
    if closure.school_id is None and closure.district_id is not None:  # every school of one district
        details["district_id"] = closure.district_id
    if closure.start_time is not None:
        details.update(start_time=closure.start_time.strftime("%H:%M"), end_time=closure.end_time.strftime("%H:%M"))
    return details


def delete_closure(closure: Closure, actor) -> None:
    """Bookings cancelled for it stay cancelled: their booker has been told and may book again."""
    record(actor, "closure.delete", ("Closure", closure.id), _closure_details(closure), school_id=closure.school_id)
    db.session.delete(closure)
    db.session.flush()


def list_closures(school_id: int | None = None, today: date | None = None) -> tuple[list[Closure], list[Closure]]:
    """(upcoming, past): closures not yet over, soonest first; then finished ones, latest first.

    Filtered by a school, the list keeps its district's and the county's closures too: they close it as well.
    """
    where = applies_to_school_clause(Closure, school_id) if school_id is not None else None
    return upcoming_and_past(Closure, Closure.start_date, Closure.end_date, where, today)


def applies_to_school_clause(model, school_id: int):
    """SQL predicate on a placed ``model`` (``Closure``, ``MakeupDay``): the row applies to ``school_id`` (the
    school's own, its district's, the county's)."""
    district = select(School.district_id).where(School.id == school_id).scalar_subquery()
    return or_(model.school_id == school_id,
               model.school_id.is_(None) & or_(model.district_id.is_(None), model.district_id == district))


def upcoming_and_past(model, starts, ends, where, today: date | None) -> tuple[list, list]:
    """(upcoming, past) rows of a dated ``model`` that match ``where`` (None: all): not yet over (``ends``
    today or later), soonest first; then the finished ones, latest first."""
    today = today or local_today()
    query = select(model).options(selectinload(model.school))
    if where is not None:
        query = query.where(where)
    upcoming = db.session.scalars(query.where(ends >= today).order_by(starts, model.id))
    past = db.session.scalars(query.where(ends < today).order_by(starts.desc(), model.id))
    return list(upcoming), list(past)
