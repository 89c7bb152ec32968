"""Schools, travel times, bell schedules, terms and closures."""
from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.schools.models import District, School


def current_district() -> District | None:
    """This deployment's district (one per installation)."""
    return db.session.scalar(select(District).order_by(District.id).limit(1))


def list_schools(include_inactive: bool = False) -> list[School]:
    query = select(School).order_by(School.is_lead.desc(), School.code)
    if not include_inactive:
        query = query.where(School.active.is_(True))
    return list(db.session.scalars(query))
