"""The demo district 新天学区: created once in one transaction, recognised afterwards, never
written over a real district. Beside it the county's second district and youth centre (``county``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select

from booking.accounts.models import User
from booking.audit.services import record
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import District, School, Term
from booking.schools.services import current_district
from booking.seed import people as people_module
from booking.seed.allocation import create_allocation_round
from booking.seed.bookings import create_bookings
from booking.seed.county import create_county
from booking.seed.fair_shares import create_fair_shares
from booking.seed.resources import create_resources
from booking.seed.schools import AREAS, DISTRICT_NAME, create_schools
from booking.seed.terms import create_calendar

# One seed, so every installation gets the same district (names, enrollments, bells, bookings).
SEED = 20260901


class DatabaseState(StrEnum):
    EMPTY = "empty"
    DEMO = "demo"
    OTHER = "other"


@dataclass
class SeedResult:
    state: DatabaseState
    created: bool
    people: list[people_module.Person] = field(default_factory=list)
    district_name: str = ""


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def database_state() -> tuple[DatabaseState, District | None]:
    """Whether the database is empty, already holds the demo, or holds somebody's real district.

    A district row with nothing in it counts as empty only under the demo's own name (an earlier
    seed made exactly that); any school, user, term or resource means real data.
    """
    district = current_district()
    lead = AREAS[0]
    demo_lead = db.session.scalar(select(School).where(School.code == lead.code, School.name == lead.name))
    if district is not None and district.name == DISTRICT_NAME and demo_lead is not None:
        return DatabaseState.DEMO, district
    holds_data = any(_count(model) for model in (School, User, Term, Resource))
    if holds_data or (district is not None and district.name != DISTRICT_NAME):
        return DatabaseState.OTHER, district
    return DatabaseState.EMPTY, district


def seed_demo() -> SeedResult:
    """Create the demo district in an empty database; leave any other database as it is."""
    state, district = database_state()
    if state != DatabaseState.EMPTY:
        return SeedResult(state=state, created=False, district_name=district.name if district else "")
    rng = random.Random(SEED)
    if district is None:
        district = District(name=DISTRICT_NAME)
        db.session.add(district)
        db.session.flush()
    schools = create_schools(district, rng)
    term = create_calendar(district, schools)
    resources = create_resources(schools, rng)
    planned = people_module.plan_people(schools, rng)
    users = people_module.create_people(planned, schools)
    bookings = create_bookings(schools, resources, users, term, rng)
    create_fair_shares(district)
    create_allocation_round(schools, resources, users, users.get(people_module.email_for("coordinator")))
    planned += create_county(district, random.Random(SEED + 1))
    record(None, "demo.seed", district, {"schools": len(schools), "resources": len(resources),
                                         "users": len(planned), "bookings": bookings})
    db.session.commit()
    return SeedResult(state=state, created=True, people=planned, district_name=district.name)
