"""Finding and changing resources."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from booking.accounts.models import Role
from booking.extensions import db
from booking.resources.models import Category, Resource, ResourceKind, Sharing
from booking.schools.models import School


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
            school_id=int(school) if school and school.isdigit() else None,
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
