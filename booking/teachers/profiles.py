"""Visiting-teacher profiles, their home-school timetables and the district's visit setting.

Each changing function validates, writes, records an audit entry and flushes (the caller's unit of
work commits), or raises ``ValidationFailed`` (field → message) having written nothing. Who may: coordinators, and the
admins of the teacher's home school (the lead school that sends them).
"""
from __future__ import annotations

from flask_babel import format_date
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.audit.services import record
from booking.bookings.errors import NotAllowed
from booking.bookings.guarantee import resource_edit_write
from booking.bookings.queries import resource_snapshot
from booking.extensions import db
from booking.i18n import to_local
from booking.accounts.models import User
from booking.permissions import (
    can_be_visiting_teacher, can_manage_district, can_manage_school, can_manage_teacher_profile, managed_school_ids,
    visiting_teacher_candidates_clause,
)
from booking.resources import edits
from booking.resources.models import Category, OpeningHours, Resource, ResourceKind
from booking.resources.rules import format_opening_hours
from booking.schools.models import School, Term
from booking.schools.services import current_district
from booking.schools.travel import travel_matrix
from booking.teachers.models import TeacherBusyTime, TeacherProfile, TeacherSubject, VisitSettings
from booking.teachers.rules import (BusyInput, CheckedBusy, CheckedProfile, ProfileInput, check_busy_input,
                                    check_profile_input, missing_travel, missing_travel_message, timetable_lines)
from booking.teachers.snapshots import school_names
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed



def profiles_for(actor) -> list[TeacherProfile]:
    """Every profile, for coordinators; the home school's, for its admins."""
    query = (select(TeacherProfile).join(TeacherProfile.user).order_by(User.display_name)
             .options(selectinload(TeacherProfile.subject_rows), selectinload(TeacherProfile.served)))
    return [p for p in db.session.scalars(query) if can_manage_teacher_profile(actor, p)]


def profile_of_user(user_id: int) -> TeacherProfile | None:
    return db.session.scalar(select(TeacherProfile).where(TeacherProfile.user_id == user_id))


def unlinked_teacher_resources(actor) -> list[Resource]:
    """Visiting-teacher resources without a profile, of the schools ``actor`` manages."""
    linked = select(TeacherProfile.resource_id)
    return list(db.session.scalars(select(Resource).where(
        Resource.kind == ResourceKind.TEACHER, Resource.id.not_in(linked),
        Resource.owner_school_id.in_(managed_school_ids(actor))).order_by(Resource.name)))


def visiting_teacher_candidates(actor) -> list[User]:
    """The active accounts ``actor`` may make a visiting teacher (``can_be_visiting_teacher``)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), visiting_teacher_candidates_clause(actor))
                                   .order_by(User.display_name)))


def visits_auto_confirm() -> bool:
    district = current_district()
    settings = db.session.get(VisitSettings, district.id) if district else None
    return bool(settings and settings.auto_confirm)


# --- checking --------------------------------------------------------------------------------


def _user_error(checked: CheckedProfile, actor, profile: TeacherProfile | None):
    user = db.session.get(User, checked.user_id)
    if user is None or not user.active:
        return _l("Choose an active user account.")
    keeps_user = profile is not None and profile.user_id == user.id
    if not keeps_user and not can_be_visiting_teacher(actor, user):
        return _l("Choose a teacher of a school you manage.")
    other = profile_of_user(user.id)
    if other is not None and other is not profile:
        return _l("%(name)s already has a visiting-teacher profile.", name=user.display_name)
    return None


def _resource_error(checked: CheckedProfile, actor, profile: TeacherProfile | None):
    if checked.resource_id is None or (profile is not None and checked.resource_id == profile.resource_id):
        return None
    resource = db.session.get(Resource, checked.resource_id)
    if resource is None or resource.kind != ResourceKind.TEACHER:
        return _l("Choose a visiting-teacher resource.")
    if not can_manage_school(actor, resource.owner_school_id):
        return _l("Choose a visiting-teacher resource of a school you manage.")
    if db.session.scalar(select(TeacherProfile.id).where(TeacherProfile.resource_id == resource.id)):
        return _l("This resource already belongs to another teacher's profile.")
    return None


def _school_errors(checked: CheckedProfile, actor) -> dict:
    known = set(db.session.scalars(select(School.id).where(School.id.in_([checked.home_school_id,
                                                                             *checked.served_school_ids]))))
    errors = {}
    if checked.home_school_id not in known:
        errors["home_school_id"] = _l("Unknown school.")
    elif not can_manage_teacher_profile(actor, home_school_id=checked.home_school_id):
        errors["home_school_id"] = _l("You can only manage the visiting teachers of your own school.")
    if any(school_id not in known for school_id in checked.served_school_ids):
        errors["served_school_ids"] = _l("Unknown school.")
    elif "home_school_id" not in errors:
        missing = missing_travel(checked.home_school_id, checked.served_school_ids, travel_matrix())
        if missing:
            errors["served_school_ids"] = missing_travel_message(missing, school_names())
    return errors


def check_profile(data: ProfileInput, actor, profile: TeacherProfile | None = None) -> CheckedProfile:
    errors, checked = check_profile_input(data)
    if checked is not None:
        for name, problem in (("user_id", _user_error(checked, actor, profile)),
                              ("resource_id", _resource_error(checked, actor, profile))):
            if problem is not None:
                errors[name] = problem
        errors.update(_school_errors(checked, actor))
    if errors:
        raise ValidationFailed(errors)
    return checked


# --- saving ----------------------------------------------------------------------------------


def _teacher_resource(checked: CheckedProfile, user: User, home: School) -> Resource:
    """The linked resource, or a new one named after the teacher, owned by the home school."""
    if checked.resource_id is not None:
        return db.session.get(Resource, checked.resource_id)
    resource = Resource(kind=ResourceKind.TEACHER, category=Category.VISITING_TEACHER, name=user.display_name[:100],
                        owner_school_id=home.id, active=True)
    db.session.add(resource)
    return resource


def _apply(profile: TeacherProfile, checked: CheckedProfile) -> dict:
    """Write ``checked`` onto the profile and its resource; returns what the audit entry keeps."""
    user, home = db.session.get(User, checked.user_id), db.session.get(School, checked.home_school_id)
    keeps_resource = profile.resource_id is not None and checked.resource_id in (None, profile.resource_id)
    resource = profile.resource if keeps_resource else _teacher_resource(checked, user, home)
    profile.user, profile.resource, profile.home_school, profile.weekly_cap = user, resource, home, checked.weekly_cap
    profile.subject_rows = [TeacherSubject(subject=s) for s in checked.subjects]
    profile.served = list(db.session.scalars(select(School).where(School.id.in_(checked.served_school_ids))))
    # The teacher's available times are the resource's opening hours: the engine checks them.
    resource.opening_hours = [OpeningHours(weekday=w.weekday, opens=w.opens, closes=w.closes)
                              for w in checked.availability]
    resource.subject = checked.subjects[0]
    resource.approval_required = not visits_auto_confirm()
    return {"user_id": user.id, "resource_id": resource.id, "home_school_id": home.id,
            "weekly_cap": checked.weekly_cap, "subjects": checked.subjects, "served": checked.served_school_ids,
            "availability": format_opening_hours(checked.availability)}


def _refuse_broken_lessons(verdict, rows) -> None:
    broken = edits.broken_bookings(verdict, rows)
    if broken:
        dates = "、".join(sorted({format_date(to_local(b.booking.starts_at).date(), "short") for b in broken}))
        raise ValidationFailed({"availability": _l(
            "%(n)d booked lessons (%(dates)s) fall outside this availability: cancel or move them first.",
            n=len(broken), dates=dates)})


def save_profile(data: ProfileInput, actor, profile: TeacherProfile | None = None) -> TeacherProfile:
    """Create (``profile`` None) or change a profile. Raises ValidationFailed; nothing half-saved."""
    if profile is not None and not can_manage_teacher_profile(actor, profile):
        raise NotAllowed()
    checked = check_profile(data, actor, profile)
    created = profile is None
    profile = profile or TeacherProfile()
    if created:
        db.session.add(profile)
        with db.session.no_autoflush:
            details = _apply(profile, checked)
    else:
        # New availability is the resource's opening hours: refused while it would break booked lessons,
        # checked under the resource's lock like any resource edit (booking.resources.edits).
        with resource_edit_write(profile.resource):
            old, rows = resource_snapshot(profile.resource), edits.active_bookings(profile.resource)
            with db.session.no_autoflush:
                details = _apply(profile, checked)
            _refuse_broken_lessons(edits.broken_by(old, profile.resource, rows), rows)
    db.session.flush()
    details["resource_id"] = profile.resource_id
    record(actor, "teacher.create" if created else "teacher.update", profile, details)
    db.session.flush()
    return profile


# --- the home-school timetable ---------------------------------------------------------------


def _require(actor, profile: TeacherProfile) -> None:
    if not can_manage_teacher_profile(actor, profile):
        raise NotAllowed()


def _term_error(term_id: int | None) -> dict:
    if term_id is not None and db.session.get(Term, term_id) is None:
        return {"term_id": _l("Unknown term.")}
    return {}


def _busy_row(profile: TeacherProfile, checked: CheckedBusy) -> TeacherBusyTime:
    return TeacherBusyTime(profile=profile, weekday=checked.weekday, starts=checked.starts, ends=checked.ends,
                           term_id=checked.term_id, first_date=checked.first_date, last_date=checked.last_date,
                           note=checked.note)


def add_busy_time(actor, profile: TeacherProfile, data: BusyInput) -> TeacherBusyTime:
    _require(actor, profile)
    errors, checked = check_busy_input(data)
    errors.update(_term_error(checked.term_id) if checked else {})
    if errors:
        raise ValidationFailed(errors)
    row = _busy_row(profile, checked)
    db.session.add(row)
    record(actor, "teacher.busy.add", profile, {"weekday": checked.weekday, "starts": f"{checked.starts:%H:%M}",
                                                "ends": f"{checked.ends:%H:%M}", "note": checked.note})
    db.session.flush()
    return row


def import_timetable(actor, profile: TeacherProfile, text: str, term_id) -> list[TeacherBusyTime]:
    """Many commitments at once from pasted lines ("1-5 08:00-08:40 语文早读"), for one term or always."""
    _require(actor, profile)
    errors: dict = {}
    lines = timetable_lines(text, errors)
    base_errors, base = check_busy_input(BusyInput(0, "00:00", "00:01", term_id))
    errors.update({k: v for k, v in base_errors.items() if k == "term_id"})
    errors.update(_term_error(base.term_id) if base else {})
    if errors:
        raise ValidationFailed(errors)
    rows = [_busy_row(profile, CheckedBusy(w.weekday, w.opens, w.closes, base.term_id, None, None, note))
            for w, note in lines]
    db.session.add_all(rows)
    record(actor, "teacher.busy.import", profile, {"rows": len(rows), "term_id": base.term_id})
    db.session.flush()
    return rows


def remove_busy_time(actor, profile: TeacherProfile, busy_id: int) -> None:
    _require(actor, profile)
    row = db.session.get(TeacherBusyTime, busy_id)
    if row is None or row.profile_id != profile.id:
        raise ValidationFailed({"busy": _l("This home-school time no longer exists.")})
    record(actor, "teacher.busy.remove", profile, {"weekday": row.weekday, "starts": f"{row.starts:%H:%M}"})
    db.session.delete(row)
    db.session.flush()


# --- the district's setting ------------------------------------------------------------------


def set_visits_auto_confirm(actor, auto_confirm: bool) -> None:
    """Coordinators only. Every visiting teacher's resource follows the setting: needs approval or not."""
    district = current_district()
    if district is None or not can_manage_district(actor):
        raise NotAllowed()
    settings = db.session.get(VisitSettings, district.id) or VisitSettings(district_id=district.id)
    settings.auto_confirm = bool(auto_confirm)
    db.session.add(settings)
    for resource in db.session.scalars(select(Resource).where(Resource.kind == ResourceKind.TEACHER)):
        resource.approval_required = not settings.auto_confirm
    record(actor, "teacher.settings", ("District", district.id), {"auto_confirm": settings.auto_confirm})
    db.session.flush()
