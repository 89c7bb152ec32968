"""Test data with sensible defaults: pass only what a test is about."""
from __future__ import annotations

import functools
import itertools
from contextlib import contextmanager
from datetime import date, time

from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from booking.accounts.models import Role, User
from booking.extensions import db
from booking.resources.models import Category, OpeningHours, Resource, ResourceKind, Sharing
from booking.schools.models import BellPeriod, Closure, District, School, Stage, Term, TravelTime

_seq = itertools.count(1)
_password_hashes: dict[str, str] = {}
_batches = 0  # how many ``batch()`` blocks are open


@contextmanager
def batch():
    """Build many records in one transaction: inside, each factory only flushes, and the block commits once
    at its end. A fixture that makes a whole district costs a commit (and the reloading of every object a
    commit expires) per record otherwise, on PostgreSQL most of its time."""
    global _batches
    _batches += 1
    try:
        yield
    finally:
        _batches -= 1
    if _batches == 0:
        db.session.commit()


def batched(build):
    """``build`` (a function that makes a whole world of records) run as one ``batch()``."""
    @functools.wraps(build)
    def run(*args, **kwargs):
        with batch():
            return build(*args, **kwargs)
    return run


def commit() -> None:
    """What each factory does with its record: commit it (a test reads committed rows), or flush inside ``batch()``."""
    if _batches:
        db.session.flush()
    else:
        db.session.commit()


DEFAULT_BELLS = [(time(8, 0), time(8, 40)), (time(8, 50), time(9, 30)), (time(9, 50), time(10, 30)),
                 (time(10, 40), time(11, 20)), (time(14, 0), time(14, 40)), (time(14, 50), time(15, 30))]


def district(**kw) -> District:
    if not kw:
        existing = db.session.get(District, default_district_id())
        if existing is not None:
            return existing
    obj = District(name=kw.pop("name", "测试学区"), **kw)
    db.session.add(obj)
    commit()
    return obj


def default_district_id() -> int:
    """The id of the first district made (made now if there is none), where schools and terms go by default.
    Remembered by the test's session (each test has its own), as most factories ask for it."""
    found = db.session.info.get("default_district_id")
    if found is None:
        # The first by id: without an order PostgreSQL may return any (after a vacuum, rows written later can
        # sit in earlier pages), and a test's schools would land in the district it made second.
        found = db.session.scalar(db.select(District.id).order_by(District.id).limit(1))
        if found is None:
            found = district(name="测试学区").id
        db.session.info["default_district_id"] = found
    return found


@event.listens_for(Session, "after_rollback")
def _forget_the_default_district(session: Session) -> None:
    session.info.pop("default_district_id", None)  # it may have been made in what was rolled back


def school(*, bells: bool = True, **kw) -> School:
    n = next(_seq)
    values = dict(code=f"S{n:03d}", name=f"测试小学{n}", stage=Stage.PRIMARY, enrollment=120, area="上片")
    values.update(kw)
    values.setdefault("district_id", default_district_id())
    obj = School(**values)
    db.session.add(obj)
    db.session.flush()
    if bells:
        for number, (start, end) in enumerate(DEFAULT_BELLS, start=1):
            db.session.add(BellPeriod(school_id=obj.id, number=number, start_time=start, end_time=end))
    commit()
    return obj


def travel(a: School, b: School, minutes: int) -> TravelTime:
    first, second = sorted((a.id, b.id))
    obj = TravelTime(school_a_id=first, school_b_id=second, minutes=minutes)
    db.session.add(obj)
    commit()
    return obj


# scrypt at full cost makes every sign-in take ~0.1 s of CPU on purpose; the tests' own accounts get 1/32 of
# it (the cost the initial passwords of imports use), so the suite's thousand sign-ins stay cheap. The full
# cost of real passwords is tested in test_accounts.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


def _hashed(password: str) -> str:
    if password not in _password_hashes:
        _password_hashes[password] = generate_password_hash(password, method=TEST_PASSWORD_METHOD)
    return _password_hashes[password]


def user(*, role: Role = Role.TEACHER, password: str = "secret-pass", **kw) -> User:
    n = next(_seq)
    if "school" not in kw and "school_id" not in kw and role != Role.COORDINATOR:
        kw["school"] = school()
    values = dict(email=f"user{n}@example.cn", display_name=f"老师{n}", role=role, locale="zh_CN")
    values.update(kw)
    obj = User(password_hash=_hashed(password), **values)
    db.session.add(obj)
    commit()
    return obj


def resource(*, hours: bool = True, **kw) -> Resource:
    n = next(_seq)
    if "owner_school" not in kw and "owner_school_id" not in kw:
        kw["owner_school"] = school()
    values = dict(name=f"实验室{n}", kind=ResourceKind.FACILITY, category=Category.LAB, subject="science",
                  capacity=50, sharing=Sharing.DISTRICT)
    values.update(kw)
    obj = Resource(**values)
    db.session.add(obj)
    db.session.flush()
    if hours:
        for weekday in range(5):
            db.session.add(OpeningHours(resource_id=obj.id, weekday=weekday, opens=time(8, 0), closes=time(17, 0)))
    commit()
    return obj


def term(**kw) -> Term:
    values = dict(name="2026—2027学年第一学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    values.update(kw)
    values.setdefault("district_id", default_district_id())
    obj = Term(**values)
    db.session.add(obj)
    commit()
    return obj


def closure(**kw) -> Closure:
    values = dict(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="国庆节")
    values.update(kw)
    if "district_id" not in values:  # as migration 0013a: a school's district, else the whole county
        school = db.session.get(School, values["school_id"]) if values.get("school_id") else None
        values["district_id"] = school.district_id if school else None
    obj = Closure(**values)
    db.session.add(obj)
    commit()
    return obj
