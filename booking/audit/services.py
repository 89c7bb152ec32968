"""Recording audit entries. Callers add the entry inside their own transaction.

Inside a request the entry keeps the client's address (``request.remote_addr``: behind
``TRUSTED_PROXIES`` the app's ProxyFix has already put the forwarded client there, so a forged
X-Forwarded-For is believed only from a trusted proxy) and its user agent. What the entry is about
(school, resource, bookings) comes from the entity unless the caller says.
"""
from __future__ import annotations

from flask import has_request_context, request

from booking.audit.models import ADDRESS_LENGTH, USER_AGENT_LENGTH, AuditBooking, AuditEntry
from booking.extensions import db

BOOKING_TYPES = ("Booking", "BookingSeries")


def origin() -> tuple[str, str]:
    """(client address, user agent) of the current request; blanks outside one (CLI, scheduler)."""
    if not has_request_context():
        return "", ""
    return ((request.remote_addr or "")[:ADDRESS_LENGTH],
            (request.headers.get("User-Agent") or "")[:USER_AGENT_LENGTH])


def _about(entity) -> tuple[int | None, int | None]:
    """(school_id, resource_id) an entity is about."""
    name = type(entity).__name__
    if name == "School":
        return entity.id, None
    if name == "Resource":
        return entity.owner_school_id, entity.id
    return getattr(entity, "school_id", None), getattr(entity, "resource_id", None)


def _booking_ids(entity_type: str, entity_id, details: dict) -> list[int]:
    if entity_type not in BOOKING_TYPES:
        return []
    ids = details.get("ids")
    if isinstance(ids, list):
        return [int(i) for i in ids]
    return [int(entity_id)] if entity_type == "Booking" and entity_id is not None else []


def record(actor, action: str, entity, details: dict | None = None, *, school_id: int | None = None,
           resource_id: int | None = None, booking_ids: list[int] | None = None) -> AuditEntry:
    """Add an audit row for ``entity`` (a model instance, or a (type, id) pair) to the session.

    A booking or series entry names the bookings in ``details["ids"]`` (else the booking itself)
    unless ``booking_ids`` says otherwise."""
    details = details or {}
    if isinstance(entity, tuple):
        entity_type, entity_id = entity
    else:
        db.session.flush()  # so a new entity has its id
        entity_type, entity_id = type(entity).__name__, getattr(entity, "id", None)
        about_school, about_resource = _about(entity)
        school_id = about_school if school_id is None else school_id
        resource_id = about_resource if resource_id is None else resource_id
    address, agent = origin()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        details=details,
        school_id=school_id,
        resource_id=resource_id,
        client_address=address,
        user_agent=agent,
    )
    ids = _booking_ids(entity_type, entity_id, details) if booking_ids is None else booking_ids
    entry.bookings = [AuditBooking(booking_id=booking_id) for booking_id in dict.fromkeys(ids)]
    db.session.add(entry)
    return entry
