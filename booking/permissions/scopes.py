"""Who is what (county, district and area coordinators, the district a page is about) and which schools
each manages, names and may book for, as rules and SQL predicates."""
from __future__ import annotations

from sqlalchemy import false, or_, select, true

from booking.accounts.models import Role
from booking.extensions import db
from booking.resources.models import Resource, Sharing
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
    """County-wide settings (terms, the county's closures, holiday imports, mandates, visit settings): county
    coordinators."""
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


def can_manage_closure(user, school_id: int | None, district_id: int | None = None) -> bool:
    """One school's closure: whoever manages that school (its admin, its area coordinator, its district's
    coordinator, a county coordinator); a closure of every school of ``district_id``: that district's coordinator
    (学区长) or a county coordinator; of the whole county (neither): county coordinators."""
    if school_id is not None:
        return can_manage_school(user, school_id)
    if district_id is not None and is_district_head(user):
        return user.district_id == district_id
    return is_county_coordinator(user)


def can_manage_makeup_day(user, school_id: int | None, district_id: int | None = None) -> bool:
    """A make-up day (补班) of one school, of every school of a district, or of the county: kept by those who
    keep the closures of the same place (a district closes for its sports meet and makes the day up)."""
    return can_manage_closure(user, school_id, district_id)


def can_see_closure(user, row) -> bool:
    """Whether the closures (or the make-up days') page lists ``row`` for ``user``: the county's, their
    district's (every district's for a county coordinator) and those of the schools they manage."""
    if row.school_id is not None:
        return can_manage_school(user, row.school_id)
    if row.district_id is None or is_county_coordinator(user):
        return True
    home = home_district_id(user)
    return home is None or row.district_id == home  # unknown: one district, as before districts


can_see_makeup_day = can_see_closure


def visible_calendar_rows_clause(user, model):
    """SQL predicate on a placed calendar table (``Closure``, ``MakeupDay``), for the calendar API: the county's
    rows, those of the user's district (its own and its schools') and of the county's own bodies (the youth
    centre every school may book); every row for county coordinators and where the district is unknown."""
    home = home_district_id(user)
    if is_county_coordinator(user) or home is None:
        return true()
    bodies = select(School.district_id).where(School.district_owned.is_(True))
    return or_(model.district_id.is_(None), model.district_id == home, model.district_id.in_(bodies))


def can_read_calendar_row(user, row) -> bool:
    """``visible_calendar_rows_clause`` for one row already read."""
    home = home_district_id(user)
    if is_county_coordinator(user) or home is None or row.district_id in (None, home):
        return True
    return db.session.scalar(select(School.id).where(School.district_id == row.district_id,
                                                     School.district_owned.is_(True)).limit(1)) is not None


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
