"""The demo's users: the district coordinator and area coordinators (包片负责人), school admins,
teachers of every school, and the visiting teachers' own accounts. All share one password.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from booking.accounts.models import Role, User
from booking.accounts.passwords import hash_password
from booking.extensions import db
from booking.schools.models import School, Stage

DEMO_PASSWORD = "demo1234"
EMAIL_DOMAIN = "demo.xq"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN_NAMES = ("海燕", "建军", "丽娟", "志强", "秀英", "晓明", "春梅", "国庆", "红霞", "文斌", "玉兰", "永刚",
               "雪梅", "俊杰", "桂芳", "明辉", "小燕", "德华", "淑珍", "卫东", "金凤", "宏伟", "艳萍", "振华",
               "彩霞", "立新", "婷婷", "浩然", "静怡", "子涵")

# (email local part, display name, role, school code or None)
FIXED_PEOPLE = (
    ("coordinator", "周建国", Role.COORDINATOR, None),
    ("coordinator.shangpian", "马文华", Role.COORDINATOR, "XT01"),
    ("coordinator.xiapian", "李春梅", Role.COORDINATOR, "LZ01"),
    ("admin.xt01", "韩志刚", Role.SCHOOL_ADMIN, "XT01"),
    ("admin.lz01", "宋丽华", Role.SCHOOL_ADMIN, "LZ01"),
    ("admin.xt01-03", "杜永福", Role.SCHOOL_ADMIN, "XT01-03"),
    ("admin.lz01-05", "潘秀云", Role.SCHOOL_ADMIN, "LZ01-05"),
    # The visiting teachers' accounts; their names match the teacher resources.
    ("music.xt01", "张丽", Role.TEACHER, "XT01"),
    ("pe.xt01", "王强", Role.TEACHER, "XT01"),
    ("art.xt01", "陈静", Role.TEACHER, "XT01"),
    ("music.lz01", "刘芳", Role.TEACHER, "LZ01"),
    ("pe.lz01", "赵磊", Role.TEACHER, "LZ01"),
    ("art.lz01", "孙悦", Role.TEACHER, "LZ01"),
)

# The area coordinators (包片负责人) administer the schools of their own area (片) only;
# the district head (coordinator@) stays district-wide. Areas as in booking.seed.schools.AREAS.
AREA_OF_COORDINATOR = {"coordinator.shangpian": "上片", "coordinator.xiapian": "下片"}

LEAD_TEACHERS = 4
# Schools this big have a second teacher with an account.
SECOND_TEACHER_FROM = 100


@dataclass(frozen=True)
class Person:
    email: str
    display_name: str
    role: Role
    school_code: str | None
    area: str = ""


def email_for(local_part: str) -> str:
    return f"{local_part}@{EMAIL_DOMAIN}"


def teacher_email(school_code: str, number: int = 1) -> str:
    """teacher.xt01-03@demo.xq for a school's first teacher, teacher2.xt01-03@demo.xq for its second."""
    prefix = "teacher" if number == 1 else f"teacher{number}"
    return email_for(f"{prefix}.{school_code.lower()}")


def _teachers_per_school(school: School) -> int:
    if school.is_lead:
        return LEAD_TEACHERS
    if school.stage == Stage.KINDERGARTEN or school.enrollment < SECOND_TEACHER_FROM:
        return 1
    return 2


def plan_people(schools: dict[str, School], rng: random.Random) -> list[Person]:
    """Everyone in the demo, the fixed people first, then the teachers of each school by code."""
    people = [Person(email_for(local), name, role, code, AREA_OF_COORDINATOR.get(local, ""))
              for local, name, role, code in FIXED_PEOPLE]
    used_names = {person.display_name for person in people}
    for code, school in schools.items():
        for number in range(1, _teachers_per_school(school) + 1):
            name = _fresh_name(rng, used_names)
            people.append(Person(teacher_email(code, number), name, Role.TEACHER, code))
    return people


def _fresh_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in used:
            used.add(name)
            return name


def create_people(people: list[Person], schools: dict[str, School]) -> dict[str, User]:
    """Users by email. scrypt is slow on purpose, so the shared password is hashed once."""
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for person in people:
        school = schools[person.school_code] if person.school_code else None
        user = User(email=person.email, display_name=person.display_name, role=person.role, school=school,
                    area=person.area, locale="zh_CN", password_hash=password_hash)
        db.session.add(user)
        users[person.email] = user
    return users
