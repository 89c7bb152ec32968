"""The demo district shows fair shares: a village (weak) school books a lab 20 days ahead, the lead school is
told when booking opens for it, and the computer rooms carry a term quota."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.accounts.models import User
from booking.bookings.errors import BookingRefused
from booking.bookings.planning import BookingInput
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.quotas.services import usage_on
from booking.resources.models import Category, Resource
from booking.schools.models import School
from booking.seed.bookings import DEMO_TODAY


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _lab() -> Resource:
    lead = db.session.scalar(select(School).where(School.code == "XT01"))
    return db.session.scalar(select(Resource).where(Resource.owner_school_id == lead.id, Resource.name == "物理实验室"))


def test_a_weak_school_books_20_days_ahead_and_the_lead_school_is_refused_with_the_opening_date(seeded_demo):  # noqa: F811
    with seeded_demo.app.app_context():
        lab, day = _lab(), DEMO_TODAY + timedelta(days=20)
        while day.weekday() >= 5:  # a school day
            day += timedelta(days=1)
        ask = BookingInput(resource_id=lab.id, title="分组实验", day=day, period_number=7, students=20)
        try:
            created = create_booking(_user("teacher.xt01-03@demo.xq"), ask)
            assert created.bookings[0].school.is_weak
            with pytest.raises(BookingRefused) as refused:
                create_booking(_user("teacher.xt01@demo.xq"), BookingInput(**{**ask.__dict__, "period_number": 5}))
            [refusal] = refused.value.refusals
            opens = day - timedelta(days=14)
            assert f"{opens.year}年{opens.month}月{opens.day}日" in str(refusal.message)
        finally:
            db.session.rollback()


def test_the_computer_rooms_carry_a_term_quota(seeded_demo):  # noqa: F811
    with seeded_demo.app.app_context():
        room = db.session.scalar(select(Resource).where(Resource.category == Category.COMPUTER_ROOM).limit(1))
        village = db.session.scalar(select(School).where(School.code == "XT01-03"))
        [usage] = usage_on(room, village, DEMO_TODAY)
        assert usage.limit_hours == "12" and usage.used_minutes <= usage.limit_minutes
