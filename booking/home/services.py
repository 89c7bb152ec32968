"""What a home page holds, for one user. Each part is one query (or the service that already answers it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.bookings.approvals import waiting_request_count
from booking.bookings.models import Booking
from booking.bookings.web.queries import my_bookings
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import visible_resources_clause
from booking.reports.filters import Viewer, make_filter
from booking.reports.services import build_report, summary_table
from booking.resources.models import Resource
from booking.teachers.itinerary import itinerary
from booking.teachers.models import TeacherProfile
from booking.waitlist.services import open_offers

UPCOMING_SHOWN = 5
FAVOURITES_SHOWN = 4
FAVOURITES_LOOKBACK = timedelta(days=120)


@dataclass
class Home:
    upcoming: list
    more_upcoming: bool
    favourites: list
    waiting: int | None = None  # requests to answer, for those who answer them
    today: object | None = None  # a visiting teacher's DayPlan
    summary: object | None = None  # the district's headline table, for coordinators
    offers: list | None = None  # the user's open waitlist offers (booking.waitlist), to accept on 我的预约


def favourite_resources(user, limit: int = FAVOURITES_SHOWN) -> list[Resource]:
    """The resources ``user`` booked most lately that they may still book, most used first."""
    since = utcnow() - FAVOURITES_LOOKBACK
    uses = func.count(Booking.id)
    query = (select(Resource).join(Booking, Booking.resource_id == Resource.id)
             .where(Booking.booked_by_id == user.id, Booking.created_at >= since, Resource.active.is_(True),
                    visible_resources_clause(user))
             .group_by(Resource.id).order_by(uses.desc(), Resource.name).limit(limit))
    return list(db.session.scalars(query))


def teacher_profile_of(user) -> TeacherProfile | None:
    return db.session.scalar(select(TeacherProfile).where(TeacherProfile.user_id == user.id))


def district_summary(user):
    """The dashboard's headline figures for the default range (this term), for coordinators."""
    viewer = Viewer.of(user)
    return summary_table(build_report(make_filter(viewer, None, None), viewer))


def home_for(user) -> Home:
    upcoming, more = my_bookings(user, "upcoming", 0)
    home = Home(upcoming[:UPCOMING_SHOWN], more or len(upcoming) > UPCOMING_SHOWN, favourite_resources(user))
    home.offers = open_offers(user)
    if user.has_role(Role.SCHOOL_ADMIN):
        home.waiting = waiting_request_count(user)
    profile = teacher_profile_of(user)
    if profile is not None:
        home.today = itinerary(profile, local_today())[0]
    if user.role == Role.COORDINATOR:
        home.summary = district_summary(user)
    return home

