"""The demo county 新天县 (issue 17, "done when"): the county coordinator opens the county report and sees the
county-wide CVs by stage with each district's beside them; 东河学区's coordinator sees none of 新天学区's
bookings through the API, pages or exports; a teacher of either district books the county's youth centre."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from booking.accounts.models import User
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking
from booking.bookings.planning import BookingInput
from booking.bookings.calendar_queries import closed_days_by_school, makeup_days_by_school
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource
from booking.schools.models import District, School
from booking.seed.bookings import DEMO_TODAY
from tests.api_support import bearer
from tests.demo_support import seeded_demo  # noqa: F401  (fixture)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _sign_in(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": "demo1234"})
    assert response.status_code == 302


def test_the_county_coordinator_reads_the_county_report(seeded_demo):  # noqa: F811
    client = seeded_demo.app.test_client()
    with seeded_demo.app.app_context():
        _sign_in(client, "county@demo.xq")
        page = client.get("/reports/county/")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "新天县" in html and "新天学区" in html and "东河学区" in html and "小学" in html
        assert client.get("/reports/county/export/county_districts.csv").status_code == 200


def test_the_second_districts_coordinator_sees_none_of_the_first_districts_bookings(seeded_demo):  # noqa: F811
    client = seeded_demo.app.test_client()
    with seeded_demo.app.app_context():
        head = _user("coordinator.donghe@demo.xq")
        xintian = db.session.scalar(select(District).where(District.name == "新天学区"))
        theirs = db.session.scalar(select(Booking).join(Booking.school).where(School.district_id == xintian.id)
                                   .order_by(Booking.id).limit(1))
        listed = client.get("/api/v1/bookings", headers=bearer(head), query_string={"limit": 200}).get_json()
        schools = {db.session.get(Booking, item["id"]).school.district_id for item in listed["items"]}
        assert xintian.id not in schools
        assert client.get(f"/api/v1/bookings/{theirs.id}", headers=bearer(head)).status_code == 404
        _sign_in(client, head.email)
        assert client.get(f"/bookings/{theirs.id}").status_code == 404
        assert client.get(f"/calendar/bookings/{theirs.id}.ics").status_code == 404
        assert client.get("/reports/county/").status_code == 403


def test_a_teacher_of_either_district_books_the_youth_centre(seeded_demo):  # noqa: F811
    with seeded_demo.app.app_context():
        centre = db.session.scalar(select(School).where(School.code == "XQ-QSN"))
        hall = db.session.scalar(select(Resource).where(Resource.owner_school_id == centre.id,
                                                        Resource.name == "科技活动室"))
        day = DEMO_TODAY + timedelta(days=3)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        try:
            for period, email in ((3, "teacher.xt01@demo.xq"), (4, "teacher.dh01@demo.xq")):
                created = create_booking(_user(email), BookingInput(resource_id=hall.id, title="科技活动", day=day,
                                                                    period_number=period, students=30))
                assert created.bookings[0].school_id == _user(email).school_id
        finally:
            db.session.rollback()


def test_donghes_sports_meet_closes_its_schools_alone_and_its_saturday_makes_it_up(seeded_demo):  # noqa: F811
    meet, saturday = date(2026, 12, 18), date(2026, 12, 19)
    with seeded_demo.app.app_context():
        schools = {code: db.session.scalar(select(School).where(School.code == code)).id
                   for code in ("DH01", "XT01", "XQ-QSN")}
        closed = closed_days_by_school(schools.values(), meet, meet)
        assert {code: meet in closed[i] for code, i in schools.items()} == {"DH01": True, "XT01": False,
                                                                           "XQ-QSN": False}
        taught = makeup_days_by_school(schools.values(), saturday, saturday)
        assert {code: taught[i].get(saturday) for code, i in schools.items()} == {"DH01": 4, "XT01": None,
                                                                                 "XQ-QSN": None}
        room = db.session.scalar(select(Resource).where(Resource.owner_school_id == schools["DH01"],
                                                        Resource.category == "lab").order_by(Resource.id))
        try:
            with pytest.raises(BookingRefused) as refused:
                create_booking(_user("teacher.dh01@demo.xq"), BookingInput(
                    resource_id=room.id, title="科学实验", day=meet, period_number=3, students=30))
            assert "东河学区冬季田径运动会" in " ".join(str(r.message) for r in refused.value.refusals)
            made = create_booking(_user("teacher.dh01@demo.xq"), BookingInput(
                resource_id=room.id, title="科学实验", day=saturday, period_number=3, students=30))
            assert made.bookings[0].starts_at.astimezone(district_zone()).date() == saturday
        finally:
            db.session.rollback()
