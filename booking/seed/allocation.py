"""The demo's term allocation round: the spring term's science labs and gyms, asked for before 20 November.

Contested on purpose: the lead schools' own classes (own use, not sharing) ask first for the popular
Tuesday and Thursday mornings, the village schools after them. First come first served hands the
mornings to the lead schools; the allocator serves as many and evens out shared access (the README's
"Term allocation" section, and tests/test_allocation_demo.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from booking.accounts.models import User
from booking.allocation.models import AllocationRequest, AllocationRound
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Resource
from booking.schools.models import School, Term
from booking.seed.people import teacher_email

ROUND_NAME = "第二学期实验室与体育馆统筹"
TERM_NAME = "2026—2027学年第二学期"
DEADLINE = (2026, 11, 20, 17, 0)
OPENED = datetime(2026, 11, 2, 9, 0)

# (who: school code and teacher number, resource: owner code and name, slots (weekday, 第N节), weeks, class, students)
REQUESTS = (
    (("XT01", 1), ("XT01", "科学实验室"), ((1, 3), (3, 3)), 16, "五年级(1)班", 45),
    (("XT01", 2), ("XT01", "科学实验室"), ((1, 3),), 16, "五年级(2)班", 44),
    (("XT01", 3), ("XT01", "科学实验室"), ((3, 3), (1, 2)), 16, "六年级(1)班", 46),
    (("XT01", 4), ("XT01", "体育馆"), ((1, 3), (3, 3)), 16, "四年级(3)班", 48),
    (("LZ01", 1), ("LZ01", "科学实验室"), ((1, 3), (3, 3)), 16, "五年级(1)班", 42),
    (("LZ01", 2), ("LZ01", "科学实验室"), ((3, 3),), 16, "六年级(2)班", 40),
    (("XT01-03", 1), ("XT01", "科学实验室"), ((1, 3),), 12, "五六年级复式班", 18),
    (("XT01-01", 1), ("XT01", "科学实验室"), ((3, 3), (1, 3)), 12, "五年级", 21),
    (("XT01-05", 1), ("XT01", "科学实验室"), ((1, 2), (3, 3)), 12, "六年级", 16),
    (("XT01-02", 1), ("XT01", "体育馆"), ((1, 3),), 12, "四至六年级", 35),
    (("XT01-07", 1), ("XT01", "体育馆"), ((3, 3), (1, 3)), 12, "五六年级", 24),
    (("LZ01-02", 1), ("LZ01", "科学实验室"), ((1, 3), (3, 3)), 12, "五年级", 22),
    (("LZ01-05", 1), ("LZ01", "科学实验室"), ((3, 3),), 12, "六年级", 19),
    (("LZ01-04", 1), ("LZ01", "科学实验室"), ((1, 3), (1, 2)), 12, "五六年级", 26),
)


def create_allocation_round(schools: dict[str, School], resources: dict[tuple[str, str], Resource],
                            users: dict[str, User], coordinator: User | None) -> AllocationRound | None:
    """The round with its requests, in submission order; past its deadline, waiting for the coordinator."""
    term = db.session.scalar(select(Term).where(Term.name == TERM_NAME))
    if term is None:
        return None
    zone = district_zone()
    deadline = datetime(*DEADLINE, tzinfo=zone)
    round_ = AllocationRound(term_id=term.id, name=ROUND_NAME, deadline=deadline,
                             created_by_id=coordinator.id if coordinator else None,
                             created_at=OPENED.replace(tzinfo=zone))
    db.session.add(round_)
    db.session.flush()
    submitted = OPENED.replace(tzinfo=zone)
    for (code, number), (owner, name), slots, weeks, class_name, students in REQUESTS:
        who = users.get(teacher_email(code, number)) or users.get(teacher_email(code, 1))
        resource = resources.get((owner, name))
        if who is None or resource is None:
            continue
        submitted += timedelta(hours=7)
        db.session.add(AllocationRequest(
            round_id=round_.id, requested_by_id=who.id, school_id=schools[code].id, resource_id=resource.id,
            slots=[list(slot) for slot in slots], weeks=weeks, title="科学分组实验" if "实验" in name else "体育课",
            class_name=class_name, students=students, priority=2, created_at=submitted))
    db.session.flush()
    return round_

