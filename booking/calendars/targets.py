"""What each kind of feed shows, and whether its owner may have it.

The same check runs when a feed is created and every time it is fetched, so a feed whose owner
lost access (moved school, lost a role, resource archived) answers 404 from then on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, true

from booking.bookings.models import Booking
from booking.calendars.models import FeedScope
from booking.extensions import db
from booking.permissions import (can_manage_district, can_manage_school, can_see_resource, district_school_ids,
                                 home_district_id, is_district_head)
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import School
from booking.schools.services import place_name
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


@dataclass(frozen=True)
class FeedTarget:
    scope: FeedScope
    target_id: int | None
    name: str  # the calendar's name in the subscriber's app
    condition: ColumnElement  # which bookings the feed is about (visibility is added on top)
    # The feed_revisions keys whose counters change whenever a row ``condition`` picks (or its series) is
    # written (migration 0011d): 'r:<resource>', 's:<class school>', 'u:<booker>'. Called at validation only.
    revision_keys: Callable[[], list[str]] = list


# The parts of a personal feed, each with the revision keys of the rows it picks. A later issue adds a
# visiting teacher's visits here.
PERSONAL_PARTS: list[tuple[Callable, Callable]] = [
    (lambda owner: Booking.booked_by_id == owner.id, lambda owner: [f"u:{owner.id}"])]


def _personal(owner, target_id: int | None) -> FeedTarget:
    if target_id not in (None, owner.id):
        raise ValidationFailed({"id": _l("A personal feed can only be your own.")})
    condition = or_(*[part(owner) for part, _keys in PERSONAL_PARTS])
    return FeedTarget(FeedScope.USER, owner.id, _("My bookings · %(name)s", name=owner.display_name), condition,
                      lambda: [key for _part, keys in PERSONAL_PARTS for key in keys(owner)])


def _visible_resource(owner, target_id: int | None, kind: ResourceKind | None = None) -> Resource:
    resource = db.session.get(Resource, target_id) if isinstance(target_id, int) else None
    if resource is None or not can_see_resource(owner, resource):
        raise ValidationFailed({"id": _l("Choose a resource you may see.")})
    if kind is not None and resource.kind != kind:
        raise ValidationFailed({"id": _l("This resource is not a visiting teacher.")})
    return resource


def _resource(owner, target_id: int | None) -> FeedTarget:
    resource = _visible_resource(owner, target_id)
    return FeedTarget(FeedScope.RESOURCE, resource.id, f"{resource.name} · {resource.owner_school.name}",
                      Booking.resource_id == resource.id, lambda: [f"r:{resource.id}"])


def _teacher(owner, target_id: int | None) -> FeedTarget:
    """A visiting teacher's timetable: for now the feed of the teacher's resource."""
    resource = _visible_resource(owner, target_id, ResourceKind.TEACHER)
    return FeedTarget(FeedScope.TEACHER, resource.id, _("%(name)s · visits", name=resource.name),
                      Booking.resource_id == resource.id, lambda: [f"r:{resource.id}"])


def _school(owner, target_id: int | None) -> FeedTarget:
    school = db.session.get(School, target_id) if isinstance(target_id, int) else None
    if school is None:
        raise ValidationFailed({"id": _l("Choose a school.")})
    if owner.school_id != school.id and not can_manage_school(owner, school.id):
        raise ValidationFailed({"id": _l("You may subscribe to your own school only.")})
    # The resources it owns now (a resource moved in or out changes the list and the revision keys), as
    # literal ids: with a subquery PostgreSQL could not combine the two indexes below and read every booking
    # of the window (at 10 M bookings a cold feed took 7 s against 0.8 s for the same school alone).
    owned = list(db.session.scalars(select(Resource.id).where(Resource.owner_school_id == school.id)
                                    .order_by(Resource.id)))
    # Bookings at the school (its resources: ix_bookings_resource_start) and by the school (its classes,
    # anywhere: ix_bookings_school_start).
    return FeedTarget(FeedScope.SCHOOL, school.id, school.name,
                      or_(Booking.school_id == school.id, Booking.resource_id.in_(owned)),
                      lambda: [f"s:{school.id}", *(f"r:{rid}" for rid in owned)])


def _district(owner, target_id: int | None) -> FeedTarget:
    """A county coordinator's: every booking they may see; a district head's (学区长): their district's, the
    bookings of its classes and those at its schools' resources (with visibility on top, as every feed)."""
    if can_manage_district(owner):
        return FeedTarget(FeedScope.DISTRICT, None, place_name(home_district_id(owner)), true())
    if not is_district_head(owner):
        raise ValidationFailed({"scope": _l("Only the county's coordinators and each district's head may subscribe "
                                            "to a whole district.")})
    schools = district_school_ids(owner.district_id)
    at_its_schools = select(Resource.id).where(Resource.owner_school_id.in_(schools))
    return FeedTarget(FeedScope.DISTRICT, None, place_name(owner.district_id),
                      or_(Booking.school_id.in_(schools), Booking.resource_id.in_(at_its_schools)))


RESOLVERS = {
    FeedScope.USER: _personal,
    FeedScope.RESOURCE: _resource,
    FeedScope.TEACHER: _teacher,
    FeedScope.SCHOOL: _school,
    FeedScope.DISTRICT: _district,
}


def parse_scope(value) -> FeedScope:
    try:
        return FeedScope(value)
    except ValueError:
        allowed = ", ".join(scope.value for scope in FeedScope)
        raise ValidationFailed({"scope": _l("Choose one of: %(allowed)s.", allowed=allowed)}) from None


def resolve_target(owner, scope, target_id: int | None) -> FeedTarget:
    """The feed ``owner`` asks for; ValidationFailed (field → message) when it is not theirs to have."""
    return RESOLVERS[parse_scope(scope)](owner, target_id)
