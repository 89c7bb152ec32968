"""Districts and schools (the lists, the current term, their administration) and bell schedules; travel times are
``booking.schools.travel``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from booking.audit.services import record
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import can_manage_area, can_manage_school, visible_schools_clause
from booking import parsing
from booking.schools import rules
from booking.schools.models import BellPeriod, County, District, School, Stage, Term
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


def current_district() -> District | None:
    """This deployment's district (one per installation)."""
    return db.session.scalar(select(District).order_by(District.id).limit(1))


def list_districts() -> list[District]:
    """Every district of the installation, in the order they were made (the first: the installation's own)."""
    return list(db.session.scalars(select(District).order_by(District.id)))


def county_district_ids(district_id: int):
    """The districts of ``district_id``'s county, as a subquery: they share one school calendar (terms)."""
    county = select(District.county_id).where(District.id == district_id).scalar_subquery()
    return select(District.id).where(District.county_id == county).scalar_subquery()


def same_county(first_district_id: int, second_district_id: int) -> bool:
    counties = {db.session.get(District, first_district_id).county_id,
                db.session.get(District, second_district_id).county_id}
    return len(counties) == 1


def place_name(district_id: int | None) -> str:
    """What a page, a report, a feed or a digest about ``district_id`` is titled: the district's name; for
    every district (None), the county's when the installation holds one county of several districts, else
    the one district's (an installation of one district knows no county name of its own)."""
    if district_id is not None:
        district = db.session.get(District, district_id)
        if district is not None:
            return district.name
    counties = list(db.session.scalars(select(County).order_by(County.id).limit(2)))
    districts = _first_district_names()
    if len(counties) == 1 and len(districts) > 1:
        return counties[0].name
    return districts[0] if len(districts) == 1 else current_app.config["DISTRICT_NAME"]


def _first_district_names() -> list[str]:
    return list(db.session.scalars(select(District.name).order_by(District.id).limit(2)))


def holds_several_districts() -> bool:
    """Whether the installation is a county of several districts (pages then say which district)."""
    return len(_first_district_names()) > 1


def list_schools(include_inactive: bool = False, viewer=None) -> list[School]:
    """Lead schools first; with a ``viewer``, only the schools whose records they read (``visible_schools_clause``)."""
    query = select(School).order_by(School.is_lead.desc(), School.code)
    if not include_inactive:
        query = query.where(School.active.is_(True))
    if viewer is not None:
        query = query.where(visible_schools_clause(viewer))
    return list(db.session.scalars(query))


def visible_school_or_404(viewer, school_id: int) -> School:
    return db.first_or_404(select(School).where(School.id == school_id, visible_schools_clause(viewer)))


def current_term(today: date | None = None) -> Term | None:
    """The term containing ``today`` (district-local date), else the next one to start."""
    today = today or local_today()
    containing = db.session.scalar(
        select(Term).where(Term.start_date <= today, Term.end_date >= today).order_by(Term.start_date)
    )
    if containing is not None:
        return containing
    return db.session.scalar(select(Term).where(Term.start_date > today).order_by(Term.start_date).limit(1))


# --- Schools ---------------------------------------------------------------------------------------


@dataclass
class SchoolInput:
    """A school as typed in the form or a CSV row; values may still be strings."""

    code: str
    name: str
    stage: str
    enrollment: int | str | None = 0
    is_lead: bool = False
    is_weak: bool = False
    lead_school_code: str | None = None
    area: str = ""
    address: str = ""


def find_school_by_code(code: str) -> School | None:
    return db.session.scalar(select(School).where(School.code == (code or "").strip()))


def _still_tied_message(lead: School):
    return _l("Schools are still tied to %(name)s: tie them to another lead school first.", name=lead.name)


def _lead_school_error(data: SchoolInput, existing: School | None, errors: dict) -> School | None:
    """Check the lead school a tied school names; return it when it is acceptable."""
    lead_code = (data.lead_school_code or "").strip()
    if data.is_lead:
        if lead_code:
            errors["lead_school_code"] = _l("A lead school is not tied to another lead school.")
        return None
    if existing is not None and any(s.active for s in existing.tied_schools):
        errors["is_lead"] = _still_tied_message(existing)
    if not lead_code:
        return None
    lead = find_school_by_code(lead_code)
    if lead is None:
        errors["lead_school_code"] = _l("Unknown school code: %(code)s.", code=lead_code)
    elif lead is existing or lead_code == (data.code or "").strip():
        errors["lead_school_code"] = _l("A school cannot be tied to itself.")
    elif not lead.is_lead or not lead.active:
        errors["lead_school_code"] = _l("%(name)s is not an active lead school.", name=lead.name)
    else:
        return lead
    return None


def check_school_input(data: SchoolInput, existing: School | None = None) -> tuple[dict, School | None]:
    """Field errors for a school about to be created or changed, and the lead school it is tied to.

    Only reads: a CSV import checks every row before it writes any.
    """
    errors: dict = {}
    with db.session.no_autoflush:
        code = (data.code or "").strip()
        problem = rules.code_error(code)
        other = find_school_by_code(code) if problem is None else None
        if problem is None and other is not None and other is not existing:
            problem = _l("A school with the code %(code)s already exists.", code=code)
        if problem is not None:
            errors["code"] = problem
        name_problem = parsing.text_error((data.name or "").strip(), 100, _l("Enter the school's name."))
        if name_problem is not None:
            errors["name"] = name_problem
        if data.stage not in {s.value for s in Stage}:
            errors["stage"] = _l("Choose a stage: kindergarten, primary, junior or nine_year.")
        if parsing.parse_whole_number(data.enrollment, rules.MAX_ENROLLMENT) is None:
            errors["enrollment"] = _l("Enter the number of students as a whole number from 0 to %(n)d.",
                                      n=rules.MAX_ENROLLMENT)
        for field, limit in (("area", 100), ("address", 200)):
            problem = parsing.text_error((getattr(data, field) or "").strip(), limit)
            if problem is not None:
                errors[field] = problem
        lead = _lead_school_error(data, existing, errors)
    return errors, lead


def area_scope_errors(actor, data: SchoolInput) -> dict:
    """An area coordinator adds schools to, and keeps them in, their own area, tied to a lead school of it.
    The command line and the tests' direct calls (no actor) may do everything."""
    if actor is None:
        return {}
    if not can_manage_area(actor, data.area):
        return {"area": _l("You can only manage the schools of the area %(area)s.", area=actor.area)}
    lead = find_school_by_code(data.lead_school_code) if data.lead_school_code else None
    if lead is not None and not can_manage_school(actor, lead.id):
        return {"lead_school_code": _l("You can only tie schools to the lead schools of your area.")}
    return {}


def apply_school_input(school: School, data: SchoolInput, lead: School | None) -> None:
    school.code = data.code.strip()
    school.name = data.name.strip()
    school.stage = Stage(data.stage)
    school.enrollment = parsing.parse_whole_number(data.enrollment, rules.MAX_ENROLLMENT)
    school.is_lead = bool(data.is_lead)
    school.is_weak = bool(data.is_weak)
    school.lead_school = lead
    school.area = (data.area or "").strip()
    school.address = (data.address or "").strip()


def _school_details(school: School) -> dict:
    return {"code": school.code, "name": school.name, "stage": school.stage.value, "enrollment": school.enrollment,
            "is_lead": school.is_lead, "lead_school_id": school.lead_school_id, "active": school.active}


def district_for_writes() -> District:
    """The installation's district, created from the configured name on a fresh database."""
    district = current_district()
    if district is None:
        district = District(name=current_app.config["DISTRICT_NAME"])
        db.session.add(district)
        db.session.flush()
    return district


def create_school(data: SchoolInput, actor) -> School:
    errors, lead = check_school_input(data)
    errors = {**area_scope_errors(actor, data), **errors}
    if errors:
        raise ValidationFailed(errors)
    # A district's coordinator adds schools to their own district (else they could not manage what they added).
    school = School(district_id=getattr(actor, "district_id", None) or district_for_writes().id)
    apply_school_input(school, data, lead)
    db.session.add(school)
    record(actor, "school.create", school, _school_details(school))
    db.session.flush()
    return school


def update_school(school: School, data: SchoolInput, actor) -> School:
    errors, lead = check_school_input(data, existing=school)
    errors = {**area_scope_errors(actor, data), **errors}
    if errors:
        raise ValidationFailed(errors)
    apply_school_input(school, data, lead)
    record(actor, "school.update", school, _school_details(school))
    db.session.flush()
    return school


def check_deactivation(school: School) -> None:
    """ValidationFailed when ``school`` may not be deactivated (a lead school with active tied schools)."""
    if any(s.active for s in school.tied_schools):
        raise ValidationFailed({"active": _still_tied_message(school)})


def set_school_active(school: School, active: bool, actor) -> School:
    """Deactivate (never delete: bookings and reports keep pointing at it) or reactivate a school."""
    if not active:
        check_deactivation(school)
    school.active = active
    record(actor, "school.activate" if active else "school.deactivate", school, {"code": school.code})
    db.session.flush()
    return school


def schools_by_lead(schools: list[School]) -> list[tuple[School | None, list[School]]]:
    """Lead schools each followed by their tied schools; untied schools last under ``None``."""
    leads = [s for s in schools if s.is_lead]
    lead_ids = {s.id for s in leads}
    groups = [(lead, [s for s in schools if s.lead_school_id == lead.id]) for lead in leads]
    untied = [s for s in schools if not s.is_lead and s.lead_school_id not in lead_ids]
    if untied:
        groups.append((None, untied))
    return groups


# --- Bell schedules --------------------------------------------------------------------------------


def period_rows(school: School) -> list[rules.PeriodRow]:
    """A school's bell schedule as editable rows (also how one school's schedule is copied to another)."""
    return [rules.PeriodRow(p.number, p.start_time.strftime("%H:%M"), p.end_time.strftime("%H:%M"))
            for p in school.bell_periods]


def replace_bell_schedule(school: School, rows: list[rules.PeriodRow], actor) -> list[BellPeriod]:
    """Replace all of a school's periods at once, or raise ValidationFailed and change nothing."""
    errors, periods = rules.check_periods(rows)
    if errors:
        raise ValidationFailed(errors)
    school.bell_periods.clear()
    db.session.flush()  # old rows go first: the new ones reuse their (school, number) keys
    school.bell_periods.extend(BellPeriod(number=n, start_time=start, end_time=end) for n, start, end in periods)
    school.updated_at = utcnow()  # a new version of the school: its bells are part of what a change was read from
    record(actor, "bells.replace", school,
           {"periods": [[n, start.strftime("%H:%M"), end.strftime("%H:%M")] for n, start, end in periods]})
    db.session.flush()
    return school.bell_periods
