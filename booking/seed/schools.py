"""The demo's schools: two boarding primary schools, each leading the 11 small schools of its area.

Modelled on 新天学区: 新天寄宿制小学 leads the upper area (上片), 李寨寄宿制小学 the lower area
(下片). Every school gets its own bell times; every pair of campuses a travel time.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time

from booking.extensions import db
from booking.schools.models import BellPeriod, District, School, Stage, TravelTime
from booking.seed import layout

DISTRICT_NAME = "新天学区"


@dataclass(frozen=True)
class AreaSpec:
    """One area (片): its lead boarding school, its village schools, its central kindergarten."""

    code: str
    name: str
    town: str
    area: str
    enrollment: int
    position: layout.Point
    heading: float  # the side of the lead school the area's villages lie on, in degrees
    bells: layout.BellPlan
    villages: tuple[str, ...]
    kindergarten: str


AREAS = (
    AreaSpec(
        code="XT01", name="新天寄宿制小学", town="新天镇", area="上片", enrollment=1186,
        position=(0.0, 0.0), heading=120.0,
        bells=layout.BellPlan(first_start=time(8, 0), morning_periods=4, afternoon_start=time(14, 0),
                              afternoon_periods=4, long_break=30),
        villages=("王庄小学", "柳树湾小学", "杨家岭小学", "石门小学", "张坪小学", "河口小学",
                  "马家沟小学", "东坡小学", "槐树洼小学", "刘家庄小学", "青石岭小学"),
        kindergarten="新天中心幼儿园",
    ),
    AreaSpec(
        code="LZ01", name="李寨寄宿制小学", town="李寨镇", area="下片", enrollment=962,
        position=(13.5, -6.0), heading=-60.0,
        bells=layout.BellPlan(first_start=time(8, 10), morning_periods=4, afternoon_start=time(14, 10),
                              afternoon_periods=4, long_break=25),
        villages=("李家湾小学", "白杨树小学", "下河小学", "赵庄小学", "南沟小学", "黄土坡小学",
                  "周家坪小学", "沙河小学", "后寨小学", "桃园小学", "西岭小学"),
        kindergarten="李寨中心幼儿园",
    ),
)

# Kindergartens: half-hour activities, a long midday rest.
KINDERGARTEN_BELLS = layout.BellPlan(first_start=time(8, 30), morning_periods=3, afternoon_start=time(14, 30),
                                     afternoon_periods=2, lesson_minutes=30, short_break=20, long_break=30)


def village_code(lead_code: str, index: int) -> str:
    return f"{lead_code}-{index:02d}"


def kindergarten_code(lead_code: str) -> str:
    return f"{lead_code}-K"


def village_enrollment(rng: random.Random) -> int:
    """30–200 students, most schools at the small end (a few classes of 10–30 children)."""
    return int(rng.triangular(30, 201, 55))


def _school(district: District, code: str, name: str, stage: Stage, enrollment: int, spec: AreaSpec,
            address: str, lead: School | None = None, weak: bool = False) -> School:
    school = School(district=district, code=code, name=name, stage=stage, enrollment=enrollment,
                    is_lead=lead is None, is_weak=weak, lead_school=lead,
                    area=spec.area, address=address)
    db.session.add(school)
    return school


def _add_bells(school: School, plan: layout.BellPlan) -> None:
    for number, start, end in layout.bell_periods(plan):
        school.bell_periods.append(BellPeriod(number=number, start_time=start, end_time=end))


def _create_area(district: District, spec: AreaSpec, rng: random.Random) -> list[tuple[School, layout.Point]]:
    """The area's schools in order (lead, villages, kindergarten), with bells and map positions."""
    town_centre = f"{spec.town}{spec.town.removesuffix('镇')}村"
    lead = _school(district, spec.code, spec.name, Stage.PRIMARY, spec.enrollment, spec, town_centre)
    _add_bells(lead, spec.bells)
    placed = [(lead, spec.position)]
    spots = layout.scatter_around(rng, spec.position, len(spec.villages), spec.heading)
    for index, (name, spot) in enumerate(zip(spec.villages, spots), start=1):
        village = name.removesuffix("小学")
        school = _school(district, village_code(spec.code, index), name, Stage.PRIMARY, village_enrollment(rng),
                         spec, f"{spec.town}{village}村", lead=lead, weak=True)
        _add_bells(school, layout.village_bell_plan(rng))
        placed.append((school, spot))
    kindergarten = _school(district, kindergarten_code(spec.code), spec.kindergarten, Stage.KINDERGARTEN,
                           rng.randint(150, 220), spec, town_centre, lead=lead)
    _add_bells(kindergarten, KINDERGARTEN_BELLS)
    # The central kindergarten shares the boarding school's neighbourhood.
    placed.append((kindergarten, (spec.position[0] + 0.6, spec.position[1] + 0.5)))
    return placed


def _add_travel_times(placed: list[tuple[School, layout.Point]]) -> None:
    for index, (first, first_spot) in enumerate(placed):
        for second, second_spot in placed[index + 1:]:
            a_id, b_id = sorted((first.id, second.id))
            minutes = layout.travel_minutes_between(first_spot, second_spot)
            db.session.add(TravelTime(school_a_id=a_id, school_b_id=b_id, minutes=minutes))


def create_schools(district: District, rng: random.Random) -> dict[str, School]:
    """All demo schools by code, area by area, with bell schedules and a travel time for every pair."""
    placed = [pair for spec in AREAS for pair in _create_area(district, spec, rng)]
    db.session.flush()
    _add_travel_times(placed)
    return {school.code: school for school, _spot in placed}
