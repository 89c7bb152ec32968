"""Recording audit entries. Callers add the entry inside their own transaction."""
from __future__ import annotations

from booking.audit.models import AuditEntry
from booking.extensions import db


def record(actor, action: str, entity, details: dict | None = None) -> AuditEntry:
    """Add an audit row for ``entity`` (a model instance, or a (type, id) pair) to the session."""
    if isinstance(entity, tuple):
        entity_type, entity_id = entity
    else:
        db.session.flush()  # so a new entity has its id
        entity_type, entity_id = type(entity).__name__, getattr(entity, "id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        details=details or {},
    )
    db.session.add(entry)
    return entry
