"""The demo county 新天县: 新天学区 (the demo district), a second district 东河学区, and the county's own
青少年活动中心 (youth activity centre) in 县直, whose rooms every school of the county may book.

Made after the demo district with its own random stream, so 新天学区 comes out as it always did.
The county coordinator (county@) sees both districts and the county report; 东河学区's coordinator
(coordinator.donghe@) sees their own district and what the county shares.
"""
from __future__ import annotations

import random
from datetime import date, time

from booking.accounts.models import Role, User
from booking.extensions import db
from booking.resources.models import Category, Sharing
from booking.schools.models import Closure, District, MakeupDay, School, Stage, TravelTime
from booking.seed import layout
from booking.seed.people import Person, create_people, email_for
from booking.seed.resources import LEAD_ROOMS, Spec, _create, village_specs
from booking.seed.schools import AREAS, AreaSpec, _add_bells, _create_area

COUNTY_NAME = "新天县"
SECOND_DISTRICT = "东河学区"
COUNTY_BODIES = "县直属单位"
CENTRE_CODE = "XQ-QSN"
CENTRE_POSITION = (6.0, 4.0)
# A closure of 东河学区 alone (its schools' sports meet): 新天学区 and the centre stay open. Its schools make the
# Friday up on the Saturday after (Friday's timetable); nobody else teaches that Saturday.
DONGHE_CLOSURE = ("东河学区冬季田径运动会", date(2026, 12, 18), date(2026, 12, 18))
DONGHE_MAKEUP = ("东河学区运动会调课（按周五课表）", date(2026, 12, 19), 4)

DONGHE = AreaSpec(
    code="DH01", name="东河寄宿制小学", town="东河镇", area="东片", enrollment=780, position=(-12.0, 9.0),
    heading=200.0,
    bells=layout.BellPlan(first_start=time(8, 0), morning_periods=4, afternoon_start=time(14, 0),
                          afternoon_periods=3, long_break=30),
    villages=("河东小学", "柏树沟小学", "前湾小学", "高家庄小学"), kindergarten="东河中心幼儿园",
)
CENTRE_ROOMS = (
    Spec(Category.MULTIMEDIA_ROOM, "报告厅", location="活动中心一层", capacity=300, sharing=Sharing.COUNTY),
    Spec(Category.LAB, "科技活动室", subject="science", location="活动中心二层", capacity=45, sharing=Sharing.COUNTY),
    Spec(Category.GYM, "室内体育馆", location="活动中心东侧", capacity=120, sharing=Sharing.COUNTY, open_saturday=True),
    Spec(Category.OFF_CAMPUS_BASE, "社会实践基地", location="东河镇北", capacity=200, sharing=Sharing.COUNTY,
         approval_required=True),
)
COUNTY_PEOPLE = (
    Person(email_for("county"), "王卫东", Role.COORDINATOR, None),
    Person(email_for("coordinator.donghe"), "高建华", Role.COORDINATOR, None),
    Person(email_for("admin.dh01"), "吕红梅", Role.SCHOOL_ADMIN, "DH01"),
    Person(email_for("teacher.dh01"), "苏晓明", Role.TEACHER, "DH01"),
    Person(email_for("teacher.dh01-01"), "曹玉兰", Role.TEACHER, "DH01-01"),
)


def _positions(schools: list[School], placed: dict[int, layout.Point]) -> dict[int, layout.Point]:
    """Where each campus is: the new ones as placed; 新天学区's at its area's lead school (close enough)."""
    by_area = {spec.area: spec.position for spec in AREAS}
    return {school.id: placed.get(school.id) or by_area.get(school.area, (0.0, 0.0)) for school in schools}


def _add_travel(new: list[tuple[School, layout.Point]], existing: list[School]) -> None:
    placed = {school.id: spot for school, spot in new}
    positions = _positions(existing + [school for school, _spot in new], placed)
    new_ids = list(placed)
    for index, first in enumerate(new_ids):
        for second in [*new_ids[index + 1:], *(school.id for school in existing)]:
            a_id, b_id = sorted((first, second))
            db.session.add(TravelTime(school_a_id=a_id, school_b_id=b_id,
                                      minutes=layout.travel_minutes_between(positions[first], positions[second])))


def create_county(district: District, rng: random.Random) -> list[Person]:
    """The second district and the county's centre beside the demo district; returns their people."""
    district.county.name = COUNTY_NAME
    existing = list(db.session.scalars(db.select(School).order_by(School.id)))
    donghe = District(name=SECOND_DISTRICT, county_id=district.county_id)
    bodies = District(name=COUNTY_BODIES, county_id=district.county_id)
    db.session.add_all([donghe, bodies])
    db.session.flush()
    placed = _create_area(donghe, DONGHE, rng)
    for village, _spot in placed:
        # No 走教 pairing in 东河学区 yet: its villages are not tied to DH01, so the demo's mandates (which
        # every tied school carries) stay those 新天学区's visiting teachers can meet.
        village.lead_school = None
    centre = School(district=bodies, code=CENTRE_CODE, name="新天县青少年活动中心", stage=Stage.PRIMARY, enrollment=0,
                    district_owned=True, area="", address="新天县城文化路")
    _add_bells(centre, AREAS[0].bells)
    db.session.add(centre)
    db.session.flush()
    placed.append((centre, CENTRE_POSITION))
    _add_travel(placed, existing)
    schools = {school.code: school for school, _spot in placed}
    for school in schools.values():
        specs = LEAD_ROOMS if school.is_lead else CENTRE_ROOMS if school is centre else (
            village_specs(rng) if school.is_weak else [])
        for spec in specs:
            _create(spec, school)
    reason, start, end = DONGHE_CLOSURE
    db.session.add(Closure(district_id=donghe.id, school_id=None, start_date=start, end_date=end, reason=reason))
    reason, day, weekday = DONGHE_MAKEUP
    db.session.add(MakeupDay(district_id=donghe.id, school_id=None, day=day, follows_weekday=weekday, reason=reason))
    users = create_people(list(COUNTY_PEOPLE), schools)
    head: User = users[email_for("coordinator.donghe")]
    head.district_id = donghe.id
    db.session.flush()
    return [Person(p.email, p.display_name, p.role, p.school_code, SECOND_DISTRICT if p is COUNTY_PEOPLE[1] else "")
            for p in COUNTY_PEOPLE]
