"""Resources, bookings, the waitlist, lessons and outcomes, allocation rounds, teacher profiles, approvals
and import jobs: who may see and do what."""
from __future__ import annotations

from sqlalchemy import or_, select, true

from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import School
from booking.permissions.scopes import (can_manage_school, district_school_ids, home_district_id,
                                       is_district_coordinator, managed_school_ids, shared_with_user_clause)


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
    """SQL predicate on ``Booking`` joined to its ``Resource``, the one visibility rule of bookings: the bookings
    of ``user``'s district on resources they may see, every booking of the resources of the schools they manage,
    their own, and those of the classes of schools they manage. A booking by a school of another district (on a
    resource shared with the county) is that district's: to others it is a busy time only (``holder_districts``)."""
    if is_district_coordinator(user):
        return true()
    managed = managed_school_ids(user)
    home = home_district_id(user)
    of_district = visible_resources_clause(user)
    if home is not None:
        of_district &= Booking.school_id.in_(district_school_ids(home))
    return or_(of_district, Resource.owner_school_id.in_(managed), Booking.booked_by_id == user.id,
               Booking.school_id.in_(managed))


def visible_schools_clause(user):
    """SQL predicate on ``School``, the one rule of whose records (enrollment, address, bells, travel times) a user
    reads: every school for a county coordinator and where no district is known; else the schools of the user's
    district, the county's own bodies, and the schools owning a resource shared with the user (to find and reach
    it). Another district's schools stay that district's (a new user's walk, 2026-12-06, read them all)."""
    home = home_district_id(user)
    if home is None or is_district_coordinator(user):
        return true()
    owners = select(Resource.owner_school_id).where(visible_resources_clause(user))
    return or_(School.district_id == home, School.district_owned.is_(True), School.id.in_(owners))


def holder_districts(user, owner_school_id: int | None) -> frozenset[int] | None:
    """The districts whose bookings of a resource of ``owner_school_id`` name their holder (school, class, purpose)
    to ``user`` in grids and refusals: None for every district (county coordinators, the owner school's managers,
    an installation of one district), else the user's own. Another district's booking shows as a busy time, as
    ``visible_bookings_clause`` keeps it out of the user's lists, pages, feeds and the API."""
    home = home_district_id(user)
    if home is None or is_district_coordinator(user) or can_manage_school(user, owner_school_id):
        return None
    return frozenset({home})


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
