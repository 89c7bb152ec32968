"""The demo district. Filled in by the seed work; returns False when already seeded."""
from __future__ import annotations

from booking.extensions import db
from booking.schools.models import District
from booking.schools.services import current_district


def seed_demo() -> bool:
    if current_district() is not None:
        return False
    db.session.add(District(name="新天学区"))
    db.session.commit()
    return True
