"""User accounts (who may hold, change and see which accounts; the last county coordinator) and the audit
log (who reads which entries)."""
from __future__ import annotations

from sqlalchemy import false, func, or_, select, true

from booking.accounts.models import Role, User
from booking.audit.models import AuditBooking, AuditEntry
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource
from booking.permissions.scopes import can_manage_school, is_district_coordinator, is_district_head, managed_school_ids


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
    """SQL predicate on ``AuditEntry``: a county coordinator sees every entry; a district's or area coordinator
    and a school admin the entries about the schools they manage (``audit_entries_about_clause``) and every
    change they made themselves (a district's closure names no school); others none."""
    if not can_read_audit_log(user):
        return false()
    if is_district_coordinator(user):
        return true()
    return or_(audit_entries_about_clause(managed_school_ids(user)), AuditEntry.actor_id == user.id)
