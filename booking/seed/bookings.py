"""A term's worth of demo bookings: weekly timetables first, then single bookings in what is left.

The demo is seen from one moment, DEMO_TODAY at 08:00 (Sunday 2026-11-22, mid-way through the term):
bookings before it are history (held, approved, refused, expired), bookings after it are the
plans and the requests still waiting. Fixed rather than read from the clock, so every
installation shows the same district.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from booking.accounts.models import User
from booking.bookings.models import ResourceBlackout
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.resources.models import Category, Resource
from booking.schools.models import School, Term
from booking.schools.travel import travel_matrix
from booking.seed import terms as calendar
from booking.seed import visiting
from booking.seed.booking_rows import RowWriter
from booking.seed.directory import Directory
from booking.seed.requests import SingleBookings
from booking.seed.slots import SlotPlan
from booking.seed.timetables import Timetables

DEMO_TODAY = date(2026, 11, 22)
DEMO_NOW_LOCAL = time(8, 0)
# The second lead school's gym is closed one Saturday morning for floor care (a resource blackout).
GYM_CARE = ("LZ01", date(2026, 12, 19), time(8, 0), time(12, 0), "体育馆木地板打蜡保养")


def closed_days_by_school(schools: dict[str, School]) -> dict[int, set[date]]:
    closed = {}
    for code, school in schools.items():
        days = set()
        for start, end in calendar.closed_spans(code):
            days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
        closed[school.id] = days
    return closed


def create_bookings(schools: dict[str, School], resources: dict[tuple[str, str], Resource],
                    users: dict[str, User], term: Term, rng: random.Random) -> int:
    """Every demo booking of ``term``; returns how many booking rows were written."""
    db.session.flush()
    zone = district_zone()
    now = local_to_utc(DEMO_TODAY, DEMO_NOW_LOCAL, zone)
    writer = RowWriter(zone, term, closed_days_by_school(schools), now)
    directory = Directory(schools, resources, users)
    plan = SlotPlan()
    timetables = Timetables(directory, plan, writer, rng)
    timetables.lead_classes()
    timetables.village_classes()
    visiting.reserve_home_duties(directory, plan)
    timetables.visiting_teachers(travel_matrix())
    timetables.call_off_exam_days()
    SingleBookings(directory, plan, writer, rng).all()
    _add_blackout(directory, zone, now)
    profiles = visiting.create_profiles(directory, term)
    db.session.add_all([*profiles, visiting.settings(term)])
    visiting.describe_lessons(writer, profiles, rng)
    return len(writer.bookings)


def _add_blackout(directory: Directory, zone, now) -> None:
    """No booking falls on a Saturday at that school, so the blackout clashes with nothing."""
    code, day, start, end, reason = GYM_CARE
    owner = directory.schools[code]
    gym = next(r for r in directory.owned_by(owner) if r.category == Category.GYM)
    db.session.add(ResourceBlackout(resource=gym, starts_at=local_to_utc(day, start, zone),
                                    ends_at=local_to_utc(day, end, zone), reason=reason,
                                    created_by_id=directory.admin(owner).id, created_at=now))
