"""Finding and changing resources."""
from __future__ import annotations

from dataclasses import dataclass, field

from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.audit.services import record
from booking.clock import utcnow
from booking.bookings.guarantee import resource_edit_write
from booking.bookings.models import ACTIVE_STATUSES, Booking
from booking.bookings.queries import resource_snapshot
from booking.extensions import db
from booking.permissions import (
    can_manage_school, is_district_coordinator, managed_school_ids, visible_resources_clause,
)
from booking.resources import edits
from booking.resources.models import Category, OpeningHours, OutsideTerm, Resource, ResourceKind, Sharing
from booking.resources.rules import ResourceInput, Window, check_resource_input, format_opening_hours
from booking.schools.models import School
from booking.parsing import parse_whole_number
from booking.schools.services import list_schools
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID, ValidationFailed


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
            school_id=parse_whole_number(school, MAX_ID) if school else None,
            q=(args.get("q") or "").strip() or None,
        )


def visible_resources_query(user, filters: ResourceFilter, loads: tuple | None = None):
    """Resources ``user`` may see, narrowed by ``filters``: shared ones plus their own school's; with their
    schools and hours (``loads``: other loader options for them)."""
    loads = (selectinload(Resource.owner_school), selectinload(Resource.opening_hours)) if loads is None else loads
    query = (
        select(Resource)
        .join(Resource.owner_school)
        .options(*loads)
        .order_by(School.name, Resource.category, Resource.name)
    )
    query = query.where(visible_resources_clause(user))
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
    if not is_district_coordinator(user):
        query = query.where(Resource.owner_school_id.in_(managed_school_ids(user)))
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
        "waitlist_weak_first": bool(data.waitlist_weak_first),
        "min_duration_minutes": data.min_duration_minutes,
        "max_duration_minutes": data.max_duration_minutes,
        "max_advance_days": data.max_advance_days,
        "outside_term": OutsideTerm(data.outside_term or OutsideTerm.CONFIRM.value),
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


def resource_input(resource: Resource) -> ResourceInput:
    """``resource`` as the input that would save it unchanged: where a partial change starts."""
    return ResourceInput(
        kind=resource.kind.value, category=resource.category.value, name=resource.name,
        owner_school_id=resource.owner_school_id, subject=resource.subject, location=resource.location,
        description=resource.description, capacity=resource.capacity, stock=resource.stock,
        sharing=resource.sharing.value, approval_required=resource.approval_required,
        waitlist_weak_first=resource.waitlist_weak_first,
        min_duration_minutes=resource.min_duration_minutes, max_duration_minutes=resource.max_duration_minutes,
        max_advance_days=resource.max_advance_days,
        outside_term=(resource.outside_term or OutsideTerm.CONFIRM).value,
        opening_hours=[Window(h.weekday, h.opens, h.closes) for h in resource.opening_hours],
    )


def scope_errors(actor, data: ResourceInput) -> dict:
    """An admin adds and moves resources to the schools they manage only (no actor: the command line, tests)."""
    if actor is None or data.owner_school_id is None or can_manage_school(actor, data.owner_school_id):
        return {}
    return {"owner_school_id": _l("You can only add resources of the schools you manage.")}


def _raise_if_invalid(data: ResourceInput, actor) -> None:
    errors = {**scope_errors(actor, data), **check_resource(data)}
    if errors:
        raise ValidationFailed(errors)


def add_resource(data: ResourceInput) -> tuple[Resource, dict]:
    """A new resource from checked ``data``, added to the session; and its values for the audit log."""
    resource = Resource(active=True)
    changes = apply_resource_input(resource, data)
    db.session.add(resource)
    return resource, changes


def create_resource(data: ResourceInput, actor) -> Resource:
    _raise_if_invalid(data, actor)
    resource, changes = add_resource(data)
    record(actor, "resource.create", resource, {"changes": changes})
    db.session.flush()
    return resource


@dataclass
class ResourceSaved:
    resource: Resource
    cancelled: list = field(default_factory=list)  # bookings the edit broke, cancelled as asked
    confirmed: list = field(default_factory=list)  # requests confirmed because approval is no longer needed


def update_resource(resource: Resource, data: ResourceInput, actor, cancel_broken: bool = False,
                    expected_ids: frozenset[int] | None = None) -> ResourceSaved:
    """Save ``data`` onto ``resource``, and what that does to its active bookings, all or nothing.

    Bookings the new shape breaks (over stock, overlapping once exclusive, outside the new hours,
    of other schools once it is for its own school only) are checked under the resource's lock:
    without ``cancel_broken`` the edit raises ``edits.BookingsBroken`` listing them and saves
    nothing; with it they are cancelled with the reason, unless ``expected_ids`` (the ones the caller
    was shown) differ from them, which raises again with ``changed``. Requests that no longer need
    approval are confirmed when they fit. Raises ValidationFailed for bad ``data``.
    """
    _raise_if_invalid(data, actor)
    with resource_edit_write(resource):
        old = resource_snapshot(resource)
        rows = edits.active_bookings(resource)
        changes = apply_resource_input(resource, data)
        verdict = edits.broken_by(old, resource, rows)
        if verdict.broken and (not cancel_broken or (expected_ids is not None
                                                     and set(expected_ids) != set(verdict.broken_ids))):
            raise edits.BookingsBroken(edits.broken_bookings(verdict, rows), changed=cancel_broken)
        settled = edits.settle(actor, resource, verdict, rows)
        if changes:
            record(actor, "resource.update", resource, {
                "changes": changes, "cancelled_ids": [b.id for b in settled.cancelled],
                "confirmed_ids": [b.id for b in settled.confirmed]})
    return ResourceSaved(resource, settled.cancelled, settled.confirmed)


def set_resource_active(resource: Resource, active: bool, actor) -> None:
    """Archive (``active=False``) or restore; archived resources keep their bookings and history."""
    if resource.active == active:
        return
    resource.active = active
    record(actor, "resource.restore" if active else "resource.archive", resource, {"name": resource.name})
    db.session.flush()


def upcoming_bookings(resource: Resource) -> list[Booking]:
    """The resource's active bookings not yet over, soonest first (what archiving it leaves standing)."""
    return list(db.session.scalars(
        select(Booking).options(selectinload(Booking.school))
        .where(Booking.resource_id == resource.id, Booking.status.in_(ACTIVE_STATUSES), Booking.ends_at > utcnow())
        .order_by(Booking.starts_at, Booking.id)))
