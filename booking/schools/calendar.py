"""Terms (学期) and closures: the district's calendar.

Each changing function records and flushes; the caller's unit of work commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking.audit.services import record
from booking.extensions import db
from booking.i18n import local_today
from booking import parsing
from booking.schools.models import Closure, School, Term
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
    school_id: int | str | None = None  # None or "" for a district-wide closure


def check_closure_input(data: ClosureInput) -> tuple[dict, School | None]:
    """Field errors for a closure, and the one school it closes (None: the whole district)."""
    errors, _start, _end = parsing.check_date_range(data.start_date, data.end_date)
    _check_text(data.reason, errors, "reason", 200, _l("Enter the reason for the closure."))
    school = None
    if data.school_id not in (None, ""):
        school_id = parsing.parse_whole_number(data.school_id, MAX_ID)
        school = db.session.get(School, school_id) if school_id is not None else None
        if school is None:
            errors["school_id"] = _l("Choose a school from the list, or the whole district.")
    return errors, school


def _save_closure(closure: Closure, data: ClosureInput, actor, action: str) -> Closure:
    errors, school = check_closure_input(data)
    if errors:
        raise ValidationFailed(errors)
    closure.school = school
    closure.start_date, closure.end_date = parsing.parse_day(data.start_date), parsing.parse_day(data.end_date)
    closure.reason = data.reason.strip()
    if closure.district_id is None:
        closure.district_id = district_for_writes().id
    db.session.add(closure)
    record(actor, action, closure, _closure_details(closure))
    db.session.flush()
    return closure


def _closure_details(closure: Closure) -> dict:
    return {"school_id": closure.school_id, "start": closure.start_date.isoformat(),
            "end": closure.end_date.isoformat(), "reason": closure.reason}


def create_closure(data: ClosureInput, actor) -> Closure:
    return _save_closure(Closure(), data, actor, "closure.create")


def update_closure(closure: Closure, data: ClosureInput, actor) -> Closure:
    return _save_closure(closure, data, actor, "closure.update")


def delete_closure(closure: Closure, actor) -> None:
    record(actor, "closure.delete", ("Closure", closure.id), _closure_details(closure))
    db.session.delete(closure)
    db.session.flush()


def list_closures(school_id: int | None = None, today: date | None = None) -> tuple[list[Closure], list[Closure]]:
    """(upcoming, past): closures not yet over, soonest first; then finished ones, latest first.

    Filtered by a school, the list keeps district-wide closures too: they close that school as well.
    """
    today = today or local_today()
    query = select(Closure).options(selectinload(Closure.school))
    if school_id is not None:
        query = query.where(or_(Closure.school_id == school_id, Closure.school_id.is_(None)))
    upcoming = db.session.scalars(query.where(Closure.end_date >= today).order_by(Closure.start_date, Closure.id))
    past = db.session.scalars(query.where(Closure.end_date < today).order_by(Closure.start_date.desc(), Closure.id))
    return list(upcoming), list(past)
