"""Who may see and change what: every rule in one place.

Scopes, widest first:
- a county coordinator (a coordinator with neither an area nor a district; in a one-district installation
  this is the district coordinator, and the ``is_district_coordinator`` of the code) administers every school
  of every district, and the county's settings: terms, closures, holiday imports, make-up days, mandates,
  allocation rounds, fair shares, visit settings;
- a district coordinator of one district (学区长, ``User.district_id`` set, no area) administers the schools
  of that district (``School.district_id``);
- an area coordinator (包片负责人, ``User.area`` set) administers the schools of that area (``School.area``),
  within their district when ``User.district_id`` is set;
- a school admin administers their own school;
- a teacher administers nothing.

Rules over single objects are plain functions (``can_manage_school`` …); list queries narrow
with the SQL predicates (``managed_schools_clause``, ``managed_school_ids``) so that a page, the
API, a feed and an export all see the same schools. The only database reads here are a school's
area and district (from the session's identity map) and the count of active county coordinators.

Sharing: ``own_school``, ``district`` (the schools of the owner school's district) and ``county`` (every
school). Someone whose district is unknown (a coordinator of an area without a district or school, as
before districts had coordinators) sees ``district`` resources of every district: one district, as before.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import false, func, or_, select, true

from booking.accounts.models import Role, User
from booking.audit.models import AuditBooking, AuditEntry
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind, Sharing
from booking.schools.models import School


# --- who is what ------------------------------------------------------------------------------

def is_district_coordinator(user) -> bool:
    """A coordinator over the whole installation: a county coordinator (no area, no district)."""
    return (user.is_authenticated and user.role == Role.COORDINATOR and not user.area
            and getattr(user, "district_id", None) is None)


is_county_coordinator = is_district_coordinator


def is_district_head(user) -> bool:
    """The coordinator of one district of the county (学区长): no area, ``district_id`` set."""
    return (user.is_authenticated and user.role == Role.COORDINATOR and not user.area
            and getattr(user, "district_id", None) is not None)


def is_area_coordinator(user) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR and bool(user.area)


def home_district_id(user) -> int | None:
    """The district ``user`` belongs to: a coordinator's own, else their school's; None for a county
    coordinator, and for anyone without either."""
    if not user.is_authenticated:
        return None
    if getattr(user, "district_id", None) is not None:
        return user.district_id
    if user.school_id is not None:
        school = user.school  # kept with the user: the rest of the request finds it without reading it again
        return school.district_id if school is not None else None
    return None


def can_manage_district(user) -> bool:
    """District-wide settings (terms, district-wide closures, holiday imports, mandates, visit settings):
    district coordinators."""
    return is_district_coordinator(user)


def can_set_fair_shares(user, district_id: int | None = None) -> bool:
    """Priority booking windows and term quotas (booking.quotas) of ``district_id``: county coordinators for any
    district, a district's coordinator (学区长) for their own (``district_id`` None: for some district)."""
    if is_county_coordinator(user):
        return True
    return is_district_head(user) and district_id in (None, user.district_id)


def can_grant_quota_exception(user, school_id: int | None) -> bool:
    """Extra quota hours for a school: a coordinator of that school (district-wide, or of its area)."""
    return user.is_authenticated and user.role == Role.COORDINATOR and can_manage_school(user, school_id)


def can_manage_closure(user, school_id: int | None) -> bool:
    """A closure of the whole district (``school_id`` None): district coordinators; one school's: whoever
    manages that school (its admin, its area coordinator, a district coordinator)."""
    return can_manage_district(user) if school_id is None else can_manage_school(user, school_id)


# --- schools ----------------------------------------------------------------------------------

def _in_coordinators_district(user, school: School) -> bool:
    return user.district_id is None or school.district_id == user.district_id


def can_manage_school(user, school_id: int | None) -> bool:
    """County coordinators manage every school, a district's coordinators its schools, area coordinators
    their area's (in their district), a school admin their own."""
    if not user.is_authenticated or school_id is None:
        return is_district_coordinator(user)
    if is_district_coordinator(user):
        return True
    if user.role == Role.COORDINATOR:
        school = db.session.get(School, school_id)
        if school is None or not _in_coordinators_district(user, school):
            return False
        return is_district_head(user) or school.area == user.area
    return user.role == Role.SCHOOL_ADMIN and user.school_id == school_id


def can_manage_school_robots(user, school_id: int | None) -> bool:
    """A school's group robots (booking.notifications): whoever manages the school."""
    return school_id is not None and can_manage_school(user, school_id)


def can_see_notification(user, notification) -> bool:
    """A notification is its recipient's alone."""
    return user.is_authenticated and notification.user_id == user.id


def can_manage_area(user, area: str | None) -> bool:
    """Whether ``user`` may put a school into ``area`` (or take one out of it): the school itself is
    ``can_manage_school``'s."""
    return (is_district_coordinator(user) or is_district_head(user)
            or (is_area_coordinator(user) and (area or "").strip() == user.area))


def managed_schools_clause(user):
    """SQL predicate on ``School``: the schools ``user`` administers (see ``can_manage_school``)."""
    if not user.is_authenticated:
        return false()
    if is_district_coordinator(user):
        return true()
    if user.role == Role.COORDINATOR:
        district = true() if user.district_id is None else School.district_id == user.district_id
        return district if is_district_head(user) else district & (School.area == user.area)
    if user.role == Role.SCHOOL_ADMIN and user.school_id is not None:
        return School.id == user.school_id
    return false()


def managed_school_ids(user):
    """The ids of ``managed_schools_clause`` as a subquery, for ``column.in_(…)`` on other tables."""
    return select(School.id).where(managed_schools_clause(user)).scalar_subquery()


def named_school_ids(user) -> frozenset[int] | None:
    """Schools whose own figures ``user`` sees in reports: None for all (district coordinators),
    else the schools they administer plus their own school."""
    if is_district_coordinator(user):
        return None
    ids = set(db.session.scalars(select(School.id).where(managed_schools_clause(user))))
    if user.school_id is not None:
        ids.add(user.school_id)
    return frozenset(ids)


def can_book_for_school(user, school_id: int | None) -> bool:
    """Teachers and school admins book for their own school's classes; coordinators for the schools they manage."""
    if user.role == Role.COORDINATOR:
        return can_manage_school(user, school_id)
    return school_id is not None and school_id == user.school_id


def district_school_ids(district_id: int):
    """The schools of one district, as a subquery."""
    return select(School.id).where(School.district_id == district_id).scalar_subquery()


def shared_with_user_clause(user):
    """SQL predicate on ``Resource``: its sharing reaches ``user`` (not whether it is in service):
    ``county`` reaches everyone, ``district`` the owner's district, ``own_school`` the owner school."""
    district = home_district_id(user)
    district_wide = (Resource.sharing == Sharing.DISTRICT) if district is None else (
        (Resource.sharing == Sharing.DISTRICT) & Resource.owner_school_id.in_(district_school_ids(district)))
    return or_(Resource.sharing == Sharing.COUNTY, district_wide, Resource.owner_school_id == user.school_id)


def reaches_district(user, resource) -> bool:
    """Whether ``resource``'s sharing lets ``user``'s district book it at all (its own school only is the
    booking rules' refusal): county coordinators and one-district installations always."""
    if is_district_coordinator(user) or resource.sharing != Sharing.DISTRICT:
        return True
    district = home_district_id(user)
    return district is None or resource.owner_school.district_id == district or can_manage_school(
        user, resource.owner_school_id)


# --- the district a page is about (reports, fair shares) -----------------------------------------

def may_choose_district(user) -> bool:
    """County coordinators choose the district a district report or a fair-shares page is about; everyone
    else sees their own."""
    return is_county_coordinator(user)


def viewed_district_id(user, chosen: int | None = None) -> int | None:
    """The district whose figures (the district report, its exports and charts, the reports API) and settings
    (fair shares) ``user`` sees: a county coordinator's ``chosen`` one (None: none chosen), everyone else's
    own (``home_district_id``; None where unknown: a one-district installation), whatever they ask for."""
    return chosen if may_choose_district(user) else home_district_id(user)


def can_view_district(user, district_id: int | None) -> bool:
    """Whether ``user`` may ask for ``district_id``'s figures or settings (``viewed_district_id``)."""
    return may_choose_district(user) or district_id == home_district_id(user)


def district_schools_clause(district_id: int | None):
    """SQL predicate on ``School``: the schools a report of ``district_id`` covers (None: every school)."""
    return true() if district_id is None else School.district_id == district_id


# --- term allocation rounds (booking.allocation) -----------------------------------------------

def can_run_allocation(user) -> bool:
    """Opening a round, its preview and its commit: district coordinators (it plans the whole district)."""
    return is_district_coordinator(user)


def visible_allocation_requests_clause(user):
    """SQL predicate on ``AllocationRequest``: district coordinators see all; others their own and those of
    the schools they manage."""
    from booking.allocation.models import AllocationRequest

    if is_district_coordinator(user):
        return true()
    return or_(AllocationRequest.requested_by_id == user.id, AllocationRequest.school_id.in_(managed_school_ids(user)))


# --- resources and bookings --------------------------------------------------------------------

def visible_resources_clause(user):
    """SQL predicate on ``Resource``, the one visibility rule of resources: those in service whose sharing
    reaches the user (the county, the user's district, the user's school: ``shared_with_user_clause``),
    and every resource (archived ones too) of the schools the user manages."""
    if is_district_coordinator(user):
        return true()
    in_service = Resource.active.is_(True) & shared_with_user_clause(user)
    return or_(in_service, Resource.owner_school_id.in_(managed_school_ids(user)))


def visible_bookings_clause(user):
    """SQL predicate on ``Booking`` joined to its ``Resource``, the one visibility rule of bookings:
    bookings of resources ``user`` may see, their own, and those of the classes of schools they manage."""
    if is_district_coordinator(user):
        return true()
    return or_(visible_resources_clause(user), Booking.booked_by_id == user.id,
               Booking.school_id.in_(managed_school_ids(user)))


def _holds(query) -> bool:
    return db.session.scalar(select(query.exists())) is True


def can_see_resource(user, resource) -> bool:
    """``visible_resources_clause`` for one resource: asked of the database, so lists and pages agree."""
    return _holds(select(Resource.id).where(Resource.id == resource.id, visible_resources_clause(user)))


def can_change_booking(user, booking) -> bool:
    """Cancel or change it: the booker, and whoever manages the class's school or the owner school."""
    return (booking.booked_by_id == user.id or can_manage_school(user, booking.school_id)
            or can_manage_school(user, booking.resource.owner_school_id))


def can_change_waitlist_entry(user, entry) -> bool:
    """Leave or accept a place in a waitlist: the teacher waiting, and whoever manages the class's school."""
    return entry.user_id == user.id or can_manage_school(user, entry.school_id)


def visible_waitlist_clause(user):
    """Waitlist entries ``user`` sees in their lists: their own (the line itself is not public)."""
    from booking.waitlist.models import WaitlistEntry

    return WaitlistEntry.user_id == user.id


def is_lesson(booking) -> bool:
    """A visiting teacher's lesson: a booking of a teacher resource."""
    return booking.resource.kind == ResourceKind.TEACHER


def gives_lesson(user, booking) -> bool:
    """Whether ``user`` is the visiting teacher booked for ``booking``."""
    if not user.is_authenticated or not is_lesson(booking):
        return False
    from booking.teachers.models import TeacherProfile  # teachers build on this module

    return _holds(select(TeacherProfile.id).where(TeacherProfile.user_id == user.id,
                                                  TeacherProfile.resource_id == booking.resource_id))


def can_record_lesson(user, booking) -> bool:
    """The teacher, or an admin of the host school, records a visiting teacher's lesson (the booker and
    the lead school's admins may record any booking: ``can_record_outcome``)."""
    return is_lesson(booking) and (can_manage_school(user, booking.school_id) or gives_lesson(user, booking))


def can_correct_outcome(user, booking) -> bool:
    """Change an outcome already recorded: whoever manages the owner school."""
    return can_manage_school(user, booking.resource.owner_school_id)


def can_record_outcome(user, booking) -> bool:
    """Used or no-show: the booker, the owner school's managers, and for a lesson the teacher and the host school."""
    return booking.booked_by_id == user.id or can_correct_outcome(user, booking) or can_record_lesson(user, booking)


def can_check_in(user, booking) -> bool:
    """The booker, the visiting teacher who gives the lesson, and whoever manages the owner school."""
    return (booking.booked_by_id == user.id or gives_lesson(user, booking)
            or can_manage_school(user, booking.resource.owner_school_id))


def can_manage_teacher_profile(user, profile=None, home_school_id: int | None = None) -> bool:
    """A visiting teacher's profile and timetable: whoever manages the teacher's home school."""
    return can_manage_school(user, profile.home_school_id if profile else home_school_id)


def can_approve(user, resource) -> bool:
    """The owner school's admins and the coordinators who manage it answer requests for a resource."""
    return can_manage_school(user, resource.owner_school_id)


def can_see_import_job(user, job) -> bool:
    """A CSV import's job (booking.imports): the coordinator who uploaded its file only (it offers their
    generated passwords)."""
    return user.is_authenticated and job.created_by_id == user.id


# --- user accounts ------------------------------------------------------------------------------

def can_hold_account(actor, role, school_id: int | None, area: str = "", district_id: int | None = None) -> bool:
    """Whether ``actor`` may administer an account with this role, school and area.

    Checked for the account as it is and as it would be after a change, so nobody creates,
    changes or promotes anyone above their own scope: an area coordinator administers the
    school admins and teachers of their area's schools and the coordinators of that same area,
    a district's coordinator those of their district's schools and the coordinators of their district,
    a school admin the teachers of their own school, a county coordinator everyone. ``district_id`` is
    the account's district (a coordinator's; None: a county coordinator, or an area coordinator of a
    one-district installation).
    """
    if is_district_coordinator(actor):
        return True
    role = Role(role)
    if actor.is_authenticated and actor.role == Role.COORDINATOR:
        if role == Role.COORDINATOR:
            same_district = district_id == actor.district_id
            return same_district and (is_district_head(actor) or (area or "") == actor.area)
        return can_manage_school(actor, school_id)
    if actor.is_authenticated and actor.role == Role.SCHOOL_ADMIN:
        return role == Role.TEACHER and school_id is not None and school_id == actor.school_id
    return False


def can_change_user(actor, user: User) -> bool:
    return can_hold_account(actor, user.role, user.school_id, user.area, user.district_id)


def managed_users_clause(actor):
    """SQL predicate on ``User``: the accounts ``can_change_user`` allows, for user lists."""
    if is_district_coordinator(actor):
        return true()
    if actor.is_authenticated and actor.role == Role.COORDINATOR:
        peers = (User.role == Role.COORDINATOR) & (User.district_id == actor.district_id)
        if not is_district_head(actor):
            peers = peers & (User.area == actor.area)
        return or_(User.school_id.in_(managed_school_ids(actor)) & (User.role != Role.COORDINATOR), peers)
    if actor.is_authenticated and actor.role == Role.SCHOOL_ADMIN and actor.school_id is not None:
        return (User.role == Role.TEACHER) & (User.school_id == actor.school_id)
    return false()


def can_be_visiting_teacher(actor, user: User) -> bool:
    """Whether ``actor`` may attach ``user`` to a visiting-teacher profile: teachers and school admins of
    the schools ``actor`` manages (a school admin: their own school's), never another school's."""
    return user.role != Role.COORDINATOR and can_manage_school(actor, user.school_id)


def visiting_teacher_candidates_clause(actor):
    """SQL predicate on ``User``: the accounts ``can_be_visiting_teacher`` allows."""
    return (User.role != Role.COORDINATOR) & User.school_id.in_(managed_school_ids(actor))


def is_active_district_coordinator(user: User) -> bool:
    return user.active and user.role == Role.COORDINATOR and not user.area and user.district_id is None


def other_active_district_coordinators(user: User) -> int:
    """How many active county coordinators there are besides ``user`` (in the database now)."""
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.COORDINATOR, User.area == "", User.district_id.is_(None), User.active.is_(True),
        User.id != user.id))


def would_remove_last_district_coordinator(user: User, role, area: str, active: bool,
                                           district_id: int | None = None) -> bool:
    """The county always keeps one active county coordinator: nobody demotes, limits to an area or a district
    or deactivates the last one. ``user`` holds its stored values; the others are the change."""
    stays = active and Role(role) == Role.COORDINATOR and not (area or "") and district_id is None
    return is_active_district_coordinator(user) and not stays and other_active_district_coordinators(user) == 0


# --- the audit log (booking.audit_log) ----------------------------------------------------------

def can_read_audit_log(user) -> bool:
    """The log of changes: coordinators and school admins (each sees ``visible_audit_entries_clause``); not teachers."""
    return user.is_authenticated and user.has_role(Role.SCHOOL_ADMIN)


def audit_entries_about_clause(school_ids):
    """SQL predicate on ``AuditEntry``: entries about one of ``school_ids`` (a subquery or list): of the
    school itself, of a resource it owns, or naming a booking of its classes or of its resources."""
    owned = select(Resource.id).where(Resource.owner_school_id.in_(school_ids))
    of_bookings = (select(AuditBooking.entry_id).join(Booking, Booking.id == AuditBooking.booking_id)
                   .where(or_(Booking.school_id.in_(school_ids), Booking.resource_id.in_(owned))))
    return or_(AuditEntry.school_id.in_(school_ids), AuditEntry.resource_id.in_(owned), AuditEntry.id.in_(of_bookings))


def audit_entries_of_resource_clause(resource_id: int):
    """SQL predicate on ``AuditEntry``: entries about one resource or naming one of its bookings."""
    of_bookings = (select(AuditBooking.entry_id).join(Booking, Booking.id == AuditBooking.booking_id)
                   .where(Booking.resource_id == resource_id))
    return or_(AuditEntry.resource_id == resource_id, AuditEntry.id.in_(of_bookings))


def visible_audit_entries_clause(user):
    """SQL predicate on ``AuditEntry``: a district coordinator sees every entry; an area coordinator and a
    school admin the entries about the schools they manage (``audit_entries_about_clause``); others none."""
    if not can_read_audit_log(user):
        return false()
    if is_district_coordinator(user):
        return true()
    return audit_entries_about_clause(managed_school_ids(user))


# --- views ----------------------------------------------------------------------------------------

def role_required(role: Role):
    """View decorator: sign-in required, then at least ``role``; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def district_coordinator_required(view):
    """View decorator: sign-in required, then a district coordinator (not an area coordinator); otherwise 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_district_coordinator(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def can_see_county_report(user) -> bool:
    """The county equity report names every school of every district: county coordinators."""
    return is_county_coordinator(user)


def can_plan_mandates(user) -> bool:
    """The term's mandate plan (propose, commit as visits): district coordinators."""
    return can_manage_district(user)
