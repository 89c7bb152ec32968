"""A county of two districts and the county's own youth activity centre, for the county's tests.

甲学区 (district A): schools A1 (lead) and A2, a gym shared with the district (approval required) and a lab
for its own school. 乙学区 (district B): school B1 with its own district-shared gym. 县直 (the county's own
bodies): the 青少年活动中心, a school row marked ``district_owned``, whose hall is shared with the county.
Each district has a coordinator (学区长); B also an area coordinator, a school admin and a teacher.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from booking.accounts.models import Role, User
from booking.bookings.models import Booking
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.resources.models import Resource, Sharing
from booking.schools.models import County, District, School
from tests import factories
from tests.booking_support import freeze, single
from tests.world_support import SharedWorld, build_shared_world


@dataclass
class CountyWorld:
    county: County
    districts: dict[str, District]
    schools: dict[str, School]
    users: dict[str, User]
    resources: dict[str, Resource]
    bookings: dict[str, Booking]


def _district(county: County, name: str) -> District:
    district = District(name=name, county_id=county.id)
    db.session.add(district)
    db.session.flush()
    return district


@factories.batched
def build_county() -> CountyWorld:
    freeze()
    county = County(name="新天县")
    db.session.add(county)
    db.session.flush()
    districts = {key: _district(county, name) for key, name in (("A", "甲学区"), ("B", "乙学区"), ("C", "县直"))}
    db.session.commit()
    factories.term(district_id=districts["A"].id)
    schools = {
        "A1": factories.school(code="A1", name="甲一小学", district_id=districts["A"].id, area="上片", is_lead=True),
        "A2": factories.school(code="A2", name="甲二小学", district_id=districts["A"].id, area="上片"),
        "B1": factories.school(code="B1", name="乙一小学", district_id=districts["B"].id, area="东片"),
        "C1": factories.school(code="C1", name="青少年活动中心", district_id=districts["C"].id, area="",
                               district_owned=True, enrollment=0),
    }
    factories.travel(schools["A1"], schools["C1"], 20)
    factories.travel(schools["B1"], schools["C1"], 25)
    factories.travel(schools["A1"], schools["B1"], 40)
    users = {
        "county_coordinator": factories.user(role=Role.COORDINATOR, email="county@example.cn"),
        "head_a": factories.user(role=Role.COORDINATOR, district_id=districts["A"].id, email="head.a@example.cn"),
        "head_b": factories.user(role=Role.COORDINATOR, district_id=districts["B"].id, email="head.b@example.cn"),
        "area_b": factories.user(role=Role.COORDINATOR, district_id=districts["B"].id, area="东片",
                                 email="area.b@example.cn"),
        "admin_b": factories.user(role=Role.SCHOOL_ADMIN, school=schools["B1"], email="admin.b1@example.cn"),
        "teacher_b": factories.user(school=schools["B1"], email="teacher.b1@example.cn"),
        "teacher_a": factories.user(school=schools["A1"], email="teacher.a1@example.cn"),
        "teacher_a2": factories.user(school=schools["A2"], email="teacher.a2@example.cn"),
    }
    resources = {
        "a_gym": factories.resource(name="甲体育馆", owner_school=schools["A1"], approval_required=True),
        "a_lab": factories.resource(name="甲自用实验室", owner_school=schools["A1"], sharing=Sharing.OWN_SCHOOL),
        "b_gym": factories.resource(name="乙体育馆", owner_school=schools["B1"]),
        "centre_hall": factories.resource(name="活动中心报告厅", owner_school=schools["C1"], sharing=Sharing.COUNTY),
    }
    bookings = {
        "a_request": create_booking(users["teacher_a2"], single(resources["a_gym"], day=3, title="甲学区请求")).bookings[0],
        "a_own": create_booking(users["teacher_a"], single(resources["a_lab"], day=3, title="甲自用")).bookings[0],
        "b_shared": create_booking(users["teacher_b"], single(resources["b_gym"], day=3, title="乙学区预约")).bookings[0],
        "a_centre": create_booking(users["teacher_a"], single(resources["centre_hall"], day=3, title="甲到中心")
                                   ).bookings[0],
        "b_centre": create_booking(users["teacher_b"], single(resources["centre_hall"], day=4, title="乙到中心")
                                   ).bookings[0],
    }
    db.session.commit()
    return CountyWorld(county, districts, schools, users, resources, bookings)


def county_visiting_teacher(world: CountyWorld):
    """A visiting music teacher of the county's centre (县直) serving A1 and B1, shared with the county, whose
    lessons confirm at once: the profile."""
    from tests.teacher_support import auto_confirm, make_profile

    profile = make_profile(world.users["head_a"], world.schools["C1"], [world.schools["A1"], world.schools["B1"]],
                           "music", "县音乐教师")
    profile.resource.sharing = Sharing.COUNTY
    db.session.commit()
    auto_confirm(world.districts["C"].id)
    return profile


@pytest.fixture
def county_world(app) -> CountyWorld:
    return build_county()


@pytest.fixture(scope="session")
def shared_county(test_databases) -> SharedWorld:
    """The same county built once per backend and test worker, for tests that only read it."""
    return build_shared_world(test_databases, "county_world", build_county)
