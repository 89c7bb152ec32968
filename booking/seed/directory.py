"""Looking things up while planning the demo's bookings: schools, their bells, people, classes."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from booking.accounts.models import Role, User
from booking.resources.models import Resource
from booking.schools.models import School
from booking.seed import people as people_module
from booking.seed.booking_rows import Who
from booking.seed.slots import Span

GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")
# Grades that do lab work in primary school (小学科学 experiments from grade 3).
LAB_GRADES = GRADES[2:]
# A lead school's classes per grade, and the size of one class (标准班额 45).
LEAD_CLASSES_PER_GRADE = 4
LEAD_CLASS_SIZE = (38, 46)
# Periods from here on are in the afternoon: the slot for a class bussed to the lead school.
FIRST_AFTERNOON_PERIOD = 5


@dataclass
class Directory:
    schools: dict[str, School]
    resources: dict[tuple[str, str], Resource]
    users: dict[str, User]

    def resource(self, school: School, name: str) -> Resource:
        return self.resources[(school.code, name)]

    def owned_by(self, school: School) -> list[Resource]:
        return [r for (code, _name), r in self.resources.items() if code == school.code]

    @property
    def leads(self) -> list[School]:
        return [s for s in self.schools.values() if s.is_lead]

    def villages(self, lead: School) -> list[School]:
        return [s for s in self.schools.values() if s.lead_school_id == lead.id and s.is_weak]

    def teachers(self, school: School) -> list[User]:
        """The school's classroom teachers (teacher.…, teacher2.…), not the visiting teachers' own accounts."""
        return [u for u in self.users.values() if u.school is school and u.email.startswith("teacher")]

    def admin(self, school: School) -> User:
        return self.users[people_module.email_for(f"admin.{school.code.lower()}")]

    def coordinator(self) -> User:
        return next(u for u in self.users.values() if u.role == Role.COORDINATOR and u.school is None)


def periods(school: School) -> list[tuple[int, Span]]:
    return [(p.number, (p.start_time, p.end_time)) for p in school.bell_periods]


def afternoon_periods(school: School) -> list[tuple[int, Span]]:
    return [(n, span) for n, span in periods(school) if n >= FIRST_AFTERNOON_PERIOD]


def morning_periods(school: School) -> list[tuple[int, Span]]:
    return [(n, span) for n, span in periods(school) if n < FIRST_AFTERNOON_PERIOD]


def half_day(school: School, afternoon: bool) -> Span:
    """From the first to the last bell of a morning or an afternoon: how long a kit is out."""
    chosen = afternoon_periods(school) if afternoon else morning_periods(school)
    return chosen[0][1][0], chosen[-1][1][1]


def village_class(rng: random.Random, school: School, grades: tuple[str, ...] = GRADES) -> tuple[str, int]:
    """A small school has one class per grade, about a sixth of its students."""
    size = school.enrollment / len(GRADES)
    return rng.choice(grades), max(4, round(size * rng.uniform(0.8, 1.2)))


def lead_class(rng: random.Random, grades: tuple[str, ...] = GRADES) -> tuple[str, int]:
    return f"{rng.choice(grades)}({rng.randint(1, LEAD_CLASSES_PER_GRADE)})班", rng.randint(*LEAD_CLASS_SIZE)


def class_of(rng: random.Random, school: School, booker: User, grades: tuple[str, ...] = GRADES) -> Who:
    name, students = lead_class(rng, grades) if school.is_lead else village_class(rng, school, grades)
    return Who(booker=booker, school=school, class_name=name, students=students)


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def clock(text: str) -> time:
    return time.fromisoformat(text)
