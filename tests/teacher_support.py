"""A small district with visiting teachers, for the teacher, visit and mandate tests (no tests in here).

Tuesday 1 September 2026, 07:00: the first day of term. Thursday is the 3rd.
- 新天寄宿制小学 (lead) sends 张丽 (music) and 王强 (PE); 李寨寄宿制小学 (a second lead) sends 刘芳 (music).
- Tied schools 王庄小学 and 石门小学 (both served by all three), 青石岭小学 (far away).
- Travel: lead–王庄 20, lead–石门 25, 王庄–石门 40, lead–青石岭 55, 王庄–青石岭 50, 石门–青石岭 30,
  李寨–王庄 60, 李寨–石门 35, 李寨–青石岭 45, the two leads 30.
- Bells of every school (factories): 第2节 08:50–09:30, 第3节 09:50–10:30, 第4节 10:40–11:20.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from booking.accounts.models import Role
from booking.extensions import db
from booking.resources.models import Category, ResourceKind
from booking.teachers.models import TeacherProfile, TeacherSubject, VisitSettings
from tests import factories
from tests.booking_support import freeze

THURSDAY = date(2026, 9, 3)


@dataclass
class District:
    lead: object
    lead2: object
    wangzhuang: object
    shimen: object
    far: object
    zhang: TeacherProfile  # music, of the lead school
    liu: TeacherProfile  # music, of the second lead school
    wang: TeacherProfile  # PE
    teacher_a: object  # a teacher of 王庄小学
    teacher_b: object  # a teacher of 石门小学
    lead_admin: object
    coordinator: object
    term: object


def make_profile(user, home, served, subject: str, name: str, cap: int = 8) -> TeacherProfile:
    resource = factories.resource(owner_school=home, name=name, kind=ResourceKind.TEACHER,
                                  category=Category.VISITING_TEACHER, subject=subject, capacity=None)
    profile = TeacherProfile(user=user, resource=resource, home_school=home, weekly_cap=cap,
                             subject_rows=[TeacherSubject(subject=subject)], served=list(served))
    db.session.add(profile)
    factories.commit()
    return profile


def auto_confirm(district_id: int, on: bool = True) -> None:
    db.session.merge(VisitSettings(district_id=district_id, auto_confirm=on))
    db.session.commit()


@factories.batched
def build_district() -> District:
    freeze()
    lead = factories.school(name="新天寄宿制小学", code="XT01", is_lead=True)
    lead2 = factories.school(name="李寨寄宿制小学", code="LZ01", is_lead=True)
    tied = dict(lead_school_id=lead.id, is_weak=True)
    wangzhuang = factories.school(name="王庄小学", code="XT01-01", **tied)
    shimen = factories.school(name="石门小学", code="XT01-02", **tied)
    far = factories.school(name="青石岭小学", code="XT01-03", **tied)
    for a, b, minutes in ((lead, wangzhuang, 20), (lead, shimen, 25), (wangzhuang, shimen, 40), (lead, far, 55),
                          (wangzhuang, far, 50), (shimen, far, 30), (lead2, wangzhuang, 60), (lead2, shimen, 35),
                          (lead2, far, 45), (lead, lead2, 30)):
        factories.travel(a, b, minutes)
    term = factories.term()
    served = (wangzhuang, shimen, far)
    zhang = make_profile(factories.user(school=lead, display_name="张丽", email="zhang@example.cn"), lead, served,
                         "music", "音乐 · 张丽老师")
    liu = make_profile(factories.user(school=lead2, display_name="刘芳", email="liu@example.cn"), lead2, served,
                       "music", "音乐 · 刘芳老师")
    wang = make_profile(factories.user(school=lead, display_name="王强", email="wang@example.cn"), lead, served,
                        "pe", "体育 · 王强老师")
    teacher_a = factories.user(school=wangzhuang, display_name="李老师", email="li@example.cn")
    teacher_b = factories.user(school=shimen, display_name="赵老师", email="zhao@example.cn")
    lead_admin = factories.user(role=Role.SCHOOL_ADMIN, school=lead, display_name="韩主任", email="han@example.cn")
    coordinator = factories.user(role=Role.COORDINATOR, display_name="周建国", email="zhou@example.cn")
    return District(lead, lead2, wangzhuang, shimen, far, zhang, liu, wang, teacher_a, teacher_b, lead_admin,
                    coordinator, term)


@pytest.fixture
def district(app) -> District:
    return build_district()
