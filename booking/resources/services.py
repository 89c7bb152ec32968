"""Finding and changing resources."""
from __future__ import annotations

from dataclasses import dataclass

from enum import Enum

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking.accounts.models import Role
from booking.audit.services import record
from booking.extensions import db
from booking.permissions import can_manage_school
from booking.resources.models import Category, OpeningHours, Resource, ResourceKind, Sharing
from booking.resources.rules import ResourceInput, check_resource_input, format_opening_hours
from booking.schools.models import School
from booking.schools.rules import parse_whole_number
from booking.schools.services import list_schools
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_INT, ValidationFailed


@dataclass
class ResourceFilter:
    kind: str | None = None
    category: str | None = None
    school_id: int | None = None
    q: str | None = None
    include_archived: bool = False

    @classmethod
    def from_args(cls, args) -> "ResourceFilter":
        """Read filters from query arguments, ignoring values that name nothing."""
        kind = args.get("kind") or None
        category = args.get("category") or None
        school = args.get("school") or None
        return cls(
            kind=kind if kind in {k.value for k in ResourceKind} else None,
            category=category if category in {c.value for c in Category} else None,
            school_id=parse_whole_number(school, MAX_INT) if school else None,
            q=(args.get("q") or "").strip() or None,
        )


def visible_resources_query(user, filters: ResourceFilter):
    """Resources ``user`` may see, narrowed by ``filters``: shared ones plus their own school's."""
    query = (
        select(Resource)
        .join(Resource.owner_school)
        .options(selectinload(Resource.owner_school), selectinload(Resource.opening_hours))
        .order_by(School.name, Resource.category, Resource.name)
    )
    if user.role != Role.COORDINATOR:
        query = query.where(or_(Resource.sharing == Sharing.DISTRICT, Resource.owner_school_id == user.school_id))
    if not filters.include_archived:
        query = query.where(Resource.active.is_(True))
    if filters.kind:
        query = query.where(Resource.kind == filters.kind)
    if filters.category:
        query = query.where(Resource.category == filters.category)
    if filters.school_id:
        query = query.where(Resource.owner_school_id == filters.school_id)
    if filters.q:
        query = query.where(Resource.name.contains(filters.q, autoescape=True))
    return query


def visible_resources(user, filters: ResourceFilter) -> list[Resource]:
    return list(db.session.scalars(visible_resources_query(user, filters)))


# --- Administration: creating, changing and archiving resources (never deleting: bookings refer to them) ---


def manageable_schools(user) -> list[School]:
    """Schools whose resources ``user`` may create and change."""
    return [school for school in list_schools() if can_manage_school(user, school.id)]


def manageable_resources(user, filters: ResourceFilter) -> list[Resource]:
    """The administration list: archived ones too, only the schools ``user`` manages."""
    filters.include_archived = True
    query = visible_resources_query(user, filters)
    if user.role != Role.COORDINATOR:
        query = query.where(Resource.owner_school_id == user.school_id)
    return list(db.session.scalars(query))


def check_resource(data: ResourceInput) -> dict[str, str]:
    """The resource rules plus what needs the database: the owner school must exist."""
    errors = check_resource_input(data)
    if data.owner_school_id is not None and db.session.get(School, data.owner_school_id) is None:
        errors["owner_school_id"] = _l("Unknown school.")
    return errors


def _stored_values(data: ResourceInput) -> dict:
    """The column values ``data`` stands for, in the types the model keeps."""
    return {
        "kind": ResourceKind(data.kind),
        "category": Category(data.category),
        "subject": data.subject or "",
        "name": data.name.strip(),
        "owner_school_id": data.owner_school_id,
        "location": (data.location or "").strip(),
        "description": (data.description or "").strip(),
        "capacity": data.capacity,
        "stock": data.stock if data.kind == ResourceKind.EQUIPMENT else 1,
        "sharing": Sharing(data.sharing),
        "approval_required": bool(data.approval_required),
        "min_duration_minutes": data.min_duration_minutes,
        "max_duration_minutes": data.max_duration_minutes,
        "max_advance_days": data.max_advance_days,
    }


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def apply_resource_input(resource: Resource, data: ResourceInput) -> dict:
    """Write valid ``data`` onto ``resource``; returns {field: [old, new]} for the audit log."""
    changes = {}
    for name, value in _stored_values(data).items():
        old = getattr(resource, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(resource, name, value)
    old_hours, new_hours = format_opening_hours(resource.opening_hours), format_opening_hours(data.opening_hours)
    if old_hours != new_hours:
        changes["opening_hours"] = [old_hours, new_hours]
        resource.opening_hours = [OpeningHours(weekday=w.weekday, opens=w.opens, closes=w.closes)
                                  for w in data.opening_hours]
    return changes


def _raise_if_invalid(data: ResourceInput) -> None:
    errors = check_resource(data)
    if errors:
        raise ValidationFailed(errors)


def add_resource(data: ResourceInput) -> tuple[Resource, dict]:
    """A new resource from checked ``data``, added to the session; and its values for the audit log."""
    resource = Resource(active=True)
    changes = apply_resource_input(resource, data)
    db.session.add(resource)
    return resource, changes


def create_resource(data: ResourceInput, actor) -> Resource:
    _raise_if_invalid(data)
    resource, changes = add_resource(data)
    record(actor, "resource.create", resource, {"changes": changes})
    db.session.commit()
    return resource


def update_resource(resource: Resource, data: ResourceInput, actor) -> Resource:
    _raise_if_invalid(data)
    changes = apply_resource_input(resource, data)
    if changes:
        record(actor, "resource.update", resource, {"changes": changes})
    db.session.commit()
    return resource


def set_resource_active(resource: Resource, active: bool, actor) -> None:
    """Archive (``active=False``) or restore; archived resources keep their bookings and history."""
    if resource.active == active:
        return
    resource.active = active
    record(actor, "resource.restore" if active else "resource.archive", resource, {"name": resource.name})
    db.session.commit()
